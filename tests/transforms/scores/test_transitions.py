"""Who a transition period evaluates, who moved, and the instant that bounds what may be known."""

from datetime import UTC, date, datetime

import polars as pl

from transforms.scores.transitions import Period, transition_cohort

PERIOD = Period("subscriber", "marketing_qualified_lead", date(2026, 6, 30), 30)  # June 1 to June 30


def _at(day: int, month: int = 6, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _cohort(contacts: list[tuple[int, str, datetime]], changes: list[tuple[int, datetime, str, str]]) -> dict[int, tuple]:
    contact_frame = pl.DataFrame(
        [{"portal_id": 1, "contact_id": c, "lifecycle_stage": stage, "created_at": created} for c, stage, created in contacts],
        schema={"portal_id": pl.Int64, "contact_id": pl.Int64, "lifecycle_stage": pl.String, "created_at": pl.Datetime("us", "UTC")},
    )
    events = pl.DataFrame(
        [
            {"portal_id": 1, "contact_id": c, "event_type": "lifecycle_stage_change", "occurred_at": at, "from_stage": f, "to_stage": t}
            for c, at, f, t in changes
        ]
        + [{"portal_id": 1, "contact_id": 1, "event_type": "email_open", "occurred_at": _at(3), "from_stage": None, "to_stage": None}],
        schema={
            "portal_id": pl.Int64,
            "contact_id": pl.Int64,
            "event_type": pl.String,
            "occurred_at": pl.Datetime("us", "UTC"),
            "from_stage": pl.String,
            "to_stage": pl.String,
        },
    )
    out = transition_cohort(contact_frame.lazy(), events.lazy(), PERIOD).collect()
    return {row["contact_id"]: (row["entered_at"], row["converted"], row["cutoff"]) for row in out.iter_rows(named=True)}


def test_the_period_runs_from_midnight_of_its_first_day_to_midnight_after_the_last():
    assert PERIOD.start == datetime(2026, 6, 1, tzinfo=UTC) and PERIOD.end == datetime(2026, 7, 1, tzinfo=UTC)


def test_contacts_at_the_stage_when_the_period_starts_or_entering_it_are_evaluated_and_movers_marked():
    old = _at(1, month=1)
    got = _cohort(
        [
            (1, "subscriber", old),  # never changed: a subscriber all along, did not move
            (2, "marketing_qualified_lead", old),  # moved on June 10
            (3, "marketing_qualified_lead", old),  # moved in May: already MQL when the period starts
            (4, "subscriber", _at(5)),  # created during the period as a subscriber
            (5, "lead", old),  # a lead all along: not evaluated
            (6, "marketing_qualified_lead", old),  # lead, became a subscriber June 3, then MQL June 20
        ],
        [
            (2, _at(10), "subscriber", "marketing_qualified_lead"),
            (3, _at(15, month=5), "subscriber", "marketing_qualified_lead"),
            (6, _at(3), "lead", "subscriber"),
            (6, _at(20), "subscriber", "marketing_qualified_lead"),
        ],
    )
    assert got == {
        1: (PERIOD.start, False, PERIOD.end),
        2: (PERIOD.start, True, _at(10)),
        4: (_at(5), False, PERIOD.end),
        6: (_at(3), True, _at(20)),
    }


def test_a_move_after_the_period_does_not_count_and_the_stage_before_the_first_change_is_its_from_stage():
    old = _at(1, month=1)
    got = _cohort(
        [(1, "marketing_qualified_lead", old), (2, "marketing_qualified_lead", old)],
        [
            (1, _at(2, month=7), "subscriber", "marketing_qualified_lead"),  # July: after the period
            (2, _at(30, hour=23), "subscriber", "marketing_qualified_lead"),  # the period's last evening
        ],
    )
    assert got == {1: (PERIOD.start, False, PERIOD.end), 2: (PERIOD.start, True, _at(30, hour=23))}
