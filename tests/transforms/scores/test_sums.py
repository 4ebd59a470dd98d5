"""Unit sums: per member and unit, the decayed cents of eligible matching events and their count."""

from __future__ import annotations

from datetime import date

from tests.transforms.score_fixtures import definition, events, inputs, rules
from transforms.common.calendar import as_of_instant
from transforms.scores.columns import unit_cents, unit_events
from transforms.scores.members import latest_resets, score_members
from transforms.scores.sums import unit_sums
from transforms.scores.units import rule_units

AS_OF = as_of_instant(date(2026, 6, 30))


def sums(d, data):
    units = rule_units([d])
    _, members, _ = score_members([d], data)
    return unit_sums(data.events, [d], units, members, latest_resets(data.score_resets, [d], AS_OF), AS_OF)[0]


def test_counts_and_decayed_cents_per_member_and_unit():
    d = definition(
        rules(
            {"event": "email_open", "points": 3},
            {"event": "form_submission", "points": 10, "filters": [{"property": "form_id", "operator": "equals", "value": "demo"}]},
        ),
        decay={"percent": 50, "every_months": 1},
    )
    ev = events(
        (1, "email_open", "2026-06-10T10:00:00"),  # this month: full points
        (1, "email_open", "2026-05-10T10:00:00"),  # one month old: half
        (2, "form_submission", "2026-06-20T10:00:00"),
        (2, "form_submission", "2026-06-21T10:00:00"),
        form_id=[None, None, "demo", "other"],
    )
    wide = sums(d, inputs(ev, contacts=[1, 2, 3]))
    assert wide["member"].to_list() == [0, 1, 2]
    assert wide[unit_events(0)].to_list() == [2, 0, 0]
    assert wide[unit_cents(0)].to_list() == [300 + 150, 0, 0]
    assert wide[unit_events(1)].to_list() == [0, 1, 0]
    assert wide[unit_cents(1)].to_list() == [0, 1000, 0]


def test_a_reset_keeps_only_the_events_after_it():
    d = definition(rules({"event": "email_open", "points": 1}))
    ev = events(
        (1, "email_open", "2026-06-01T10:00:00"), (1, "email_open", "2026-06-20T10:00:00"), (2, "email_open", "2026-06-01T10:00:00")
    )
    wide = sums(d, inputs(ev, contacts=[1, 2], resets=[("s", "contact", 1, "2026-06-10T00:00:00")]))
    assert wide[unit_events(0)].to_list() == [1, 1]
    assert wide[unit_cents(0)].to_list() == [100, 100]
