"""The event scan: a frame per scored type, up to the instant, with property codes into distinct values."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from tests.transforms.score_fixtures import definition, events, rules
from transforms.scores.events import typed_events
from transforms.scores.filters import code_column, text_column

DEFINITION = definition(
    rules(
        {"event": "form_submission", "points": 5, "filters": [{"property": "form_id", "operator": "equals", "value": "demo"}]},
        {"event": "email_open", "points": 1},
    )
)


def test_each_type_its_own_frame_up_to_the_instant_with_codes():
    ev = events(
        (1, "form_submission", "2026-06-01T10:00:00"),
        (2, "form_submission", "2026-06-02T10:00:00"),
        (3, "form_submission", "2026-07-01T10:00:00"),  # after the instant
        (1, "email_open", "2026-06-03T10:00:00"),
        (1, "page_view", "2026-06-03T10:00:00"),  # no rule scores page views
        form_id=[" Demo", None, "demo", None, "x"],
    )
    until = datetime(2026, 6, 30, 23, 59, tzinfo=UTC)
    scanned = typed_events(ev, [DEFINITION], until, ["form_submission", "email_open"], [pl.col("contact_id"), pl.col("occurred_at")])
    forms = scanned.frames["form_submission"].collect()
    assert forms["contact_id"].to_list() == [1, 2]
    values = scanned.values["form_id"][text_column("form_id")].to_list()
    # Each code points at the property's normalized distinct value; an unknown value at the trailing null.
    assert [values[c] for c in forms[code_column("form_id")].to_list()] == ["demo", None]
    assert values[-1] is None
    assert scanned.frames["email_open"].collect().columns == ["contact_id", "occurred_at"]
    assert set(scanned.frames) == {"form_submission", "email_open"}


def test_rows_with_a_null_carried_column_are_dropped():
    ev = events((1, "email_open", "2026-06-03T10:00:00"), (2, "email_open", "2026-06-03T10:00:00"))
    key = pl.when(pl.col("contact_id") == 1).then(pl.col("contact_id")).alias("key")
    scanned = typed_events(ev, [DEFINITION], datetime(2026, 6, 30, tzinfo=UTC), ["email_open"], [key])
    assert scanned.frames["email_open"].collect()["key"].to_list() == [1]
