"""Contact keys: one distinct integer per contact of the run, null for any other."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.scores.keys import ContactKeys


@pytest.mark.parametrize(
    ("portal_ids", "contact_ids"),
    [([7, 7, 9], [5, 6, 5]), ([1, 2_000_000_000, 2_000_000_000], [1, 2**53, 3])],
    ids=["offsets", "ranks"],
)
def test_contact_keys_are_distinct_per_contact_and_null_outside(portal_ids, contact_ids):
    contacts = pl.DataFrame({"portal_id": portal_ids, "contact_id": contact_ids})
    keys = ContactKeys.of(contacts)
    assert (keys.ranks is None) == (max(portal_ids) < 10)
    packed = contacts.select(keys.key(pl.col("portal_id"), pl.col("contact_id")))["contact_key"]
    assert packed.null_count() == 0 and packed.n_unique() == 3 and packed.min() >= 0
    strangers = pl.DataFrame({"portal_id": [portal_ids[0], 3], "contact_id": [max(contact_ids) + 1, contact_ids[0]]})
    assert strangers.select(keys.key(pl.col("portal_id"), pl.col("contact_id")))["contact_key"].null_count() == 2


def test_contact_keys_refuse_ids_that_cannot_pack():
    with pytest.raises(ValueError, match="do not pack"):
        ContactKeys.of(pl.DataFrame({"portal_id": [1, 2], "contact_id": [0, 2**62]}))
