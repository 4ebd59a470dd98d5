"""Scope and members: records in scope by lists, company members by association and filters, resets."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from tests.transforms.score_fixtures import definition, events, inputs, rules
from transforms.scores.members import latest_resets, needed_inputs, resets_until, score_members, score_ranges

CONTACTS = definition(rules({"event": "email_open", "points": 1}), records={"exclude_lists": ["spam"]})
COMPANIES = definition(
    rules({"event": "email_open", "points": 1}),
    id="c",
    object="company",
    company={"aggregation": "sum", "association_labels": ["primary"]},
)
DATA = inputs(
    events(),
    contacts=[1, 2, 3],
    companies=[10, 20],
    associations=[(1, 10, "primary"), (2, 10, "other"), (3, 20, "primary"), (3, 10, "primary")],
    lists=[("spam", "contact", 2)],
    resets=[
        ("s", "contact", 1, "2026-05-01T00:00:00"),
        ("s", "contact", 1, "2026-06-01T00:00:00"),
        ("c", "company", 10, "2026-07-01T00:00:00"),
    ],
)


def test_records_are_numbered_in_key_order_and_members_follow_them():
    records, members, warnings = score_members([CONTACTS, COMPANIES], DATA)
    assert records.select("record", "score_index", "record_id").rows() == [(0, 0, 1), (1, 0, 3), (2, 1, 10), (3, 1, 20)]
    # Company 10 has contacts 1 and 3 by its primary label; contact 2's link is not primary.
    assert members.select("member", "record", "contact_id").rows() == [(0, 0, 1), (1, 1, 3), (2, 2, 1), (3, 2, 3), (4, 3, 3)]
    assert warnings == []
    assert score_ranges(members, 2) == [(0, 2), (2, 3)]


def test_resets_apply_to_their_own_score_and_the_latest_counts():
    until = datetime(2026, 6, 30, 23, 59, tzinfo=UTC)
    every = resets_until(DATA.score_resets, [CONTACTS, COMPANIES], until).collect()
    assert every.height == 2  # the company reset is after the instant
    latest = latest_resets(DATA.score_resets, [CONTACTS, COMPANIES], until).collect()
    assert latest.rows() == [(0, 1, 1, datetime(2026, 6, 1, tzinfo=UTC))]
    assert latest.columns == ["score_index", "portal_id", "record_id", "reset_at"]
    assert isinstance(every, pl.DataFrame)


def test_the_tables_and_properties_each_kind_of_definition_reads():
    from tests.transforms.scores.test_fit import CONTACT_FIT

    engagement = definition(rules({"event": "form_submission", "points": 1, "filters": [{"property": "form_id", "operator": "is_known"}]}))
    assert needed_inputs([engagement]) == {"events": {"form_id"}, "contacts": set(), "score_resets": set()}
    # A contact fit reads the contact's columns, and through `company.` its primary company's.
    assert needed_inputs([CONTACT_FIT]) == {
        "contacts": {"job_title", "country"},
        "companies": {"industry", "employees"},
        "associations": set(),
        "score_resets": set(),
    }
