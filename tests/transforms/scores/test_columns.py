"""The wide frame's column names: one helper each, and no two kinds or ids share a name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transforms.scores import columns

NAMERS = [
    columns.unit_cents,
    columns.unit_events,
    columns.chosen_value,
    columns.rule_points,
    columns.group_raw,
    columns.group_points,
    columns.row_shown,
    columns.row_events,
    columns.row_cents,
]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=20, unique=True))
def test_names_never_collide_across_kinds_and_ids(ids):
    names = [namer(i) for namer in NAMERS for i in ids]
    assert len(set(names)) == len(names)
    assert not set(names) & {"member", "record", "contact_key", "cents", "raw_cents", "n", *columns.MEMBER_KEY}


def test_keys_nest():
    assert columns.MEMBER_KEY[: len(columns.KEY)] == columns.KEY
    assert columns.BREAKDOWN_KEYS == ["group_name", "rule_index", "value", "component"]
