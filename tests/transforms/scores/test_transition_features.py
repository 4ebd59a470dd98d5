"""Counts per contact of what a rule can express, strictly before each contact's cutoff."""

from datetime import UTC, datetime, timedelta

import polars as pl

from transforms.scores.transition_features import event_properties, feature_counts, frequent

CUTOFF = datetime(2026, 6, 30, tzinfo=UTC)
SCHEMA = {
    "portal_id": pl.Int64,
    "contact_id": pl.Int64,
    "event_id": pl.String,
    "event_type": pl.String,
    "occurred_at": pl.Datetime("us", "UTC"),
    "page_url": pl.String,
    "duration_seconds": pl.String,
}


def _events(rows: list[tuple[int, str, int, str | None, str | None]]) -> pl.LazyFrame:
    """(contact, type, days before the cutoff (negative: after), page_url, duration_seconds)."""
    return pl.DataFrame(
        [
            {
                "portal_id": 1,
                "contact_id": c,
                "event_id": f"e{i}",
                "event_type": t,
                "occurred_at": CUTOFF - timedelta(days=d),
                "page_url": u,
                "duration_seconds": n,
            }
            for i, (c, t, d, u, n) in enumerate(rows)
        ],
        schema=SCHEMA,
    ).lazy()


def test_events_before_the_cutoff_are_counted_per_type_value_and_window_and_later_ones_never():
    cohort = pl.LazyFrame({"portal_id": [1], "contact_id": [7], "cutoff": [CUTOFF]})
    events = _events(
        [
            (7, "page_view", 10, " HTTPS://www.example.com/Pricing/plans ", None),
            (7, "page_view", 60, "https://www.example.com/pricing", None),
            (7, "page_view", 200, "https://www.example.com/blog/a", None),
            (7, "page_view", -1, "https://www.example.com/pricing", None),  # after the cutoff: never seen
            (7, "call", 5, None, "120"),  # a number: no rule per value
            (7, "lifecycle_stage_change", 3, None, None),  # what is predicted, not a feature
            (8, "call", 5, None, None),  # not evaluated
        ]
    )
    counts = feature_counts(cohort, events, event_properties(list(SCHEMA))).collect()
    got = {(r["event"], r["value"]): (r["operator"], r["n_all"], r["n_90"], r["n_30"]) for r in counts.iter_rows(named=True)}
    assert got == {
        ("page_view", None): (None, 3, 2, 1),
        ("page_view", "https://www.example.com/pricing"): ("starts_with", 2, 2, 1),
        ("page_view", "https://www.example.com/blog"): ("starts_with", 1, 0, 0),
        ("call", None): (None, 1, 1, 1),
    }


def test_only_features_enough_contacts_hold_are_candidates():
    counts = pl.LazyFrame(
        {
            "portal_id": [1] * 5,
            "contact_id": [1, 2, 3, 1, 2],
            "event": ["call"] * 3 + ["form_submission"] * 2,
            "property": [None] * 3 + ["form_id"] * 2,
            "operator": [None] * 3 + ["equals"] * 2,
            "value": [None] * 3 + ["demo", "demo"],
            "n_all": [1] * 5,
        }
    )
    assert frequent(counts, min_contacts=3).collect()["event"].to_list() == ["call"]
    assert frequent(counts, min_contacts=2).collect().height == 2
