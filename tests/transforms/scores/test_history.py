"""Score history: hand-checked intervals, and agreement with the single-day engine on random data."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import EVENT_TYPES, FORM_IDS, definitions
from tests.transforms.score_fixtures import definition, events, inputs, rules, scores
from transforms.scores.history import score_history

START, END = date(2026, 1, 1), date(2026, 12, 31)


def intervals(defs, data, start=START, end=END) -> list[tuple]:
    frame = score_history(defs if isinstance(defs, list) else [defs], data, start, end).collect()
    return frame.select("record_id", "score", "band", "valid_from", "valid_to").rows()


def score_on(history: pl.DataFrame, day: date) -> dict[int, float]:
    """The score of every record on `day`, read off the history as the warehouse view does."""
    covering = history.filter((pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day)))
    assert covering["record_id"].is_unique().all(), "two intervals cover one day"
    return dict(zip(covering["record_id"], covering["score"], strict=True))


def test_decay_steps_down_each_period_and_the_band_follows():
    d = definition(
        rules({"event": "email_open", "points": 8}), decay={"percent": 50, "every_months": 3}, thresholds={"medium": 5, "high": 8}
    )
    data = inputs(events((1, "email_open", "2026-02-15T10:00:00"), (1, "email_open", "2025-12-20T10:00:00")), contacts=[1, 2])
    assert intervals(d, data) == [
        (1, 8.0, "high", date(2026, 1, 1), date(2026, 2, 15)),  # the Dec event at full value
        (1, 16.0, "high", date(2026, 2, 15), date(2026, 3, 20)),  # plus the Feb event
        (1, 12.0, "high", date(2026, 3, 20), date(2026, 5, 15)),  # Dec event: one period
        (1, 8.0, "high", date(2026, 5, 15), date(2026, 6, 20)),  # Feb event: one period
        (1, 4.0, "low", date(2026, 6, 20), date(2026, 8, 15)),  # Dec event gone
        (1, 0.0, "low", date(2026, 8, 15), None),
        (2, 0.0, "low", date(2026, 1, 1), None),
    ]


def test_window_reset_and_limit_cut_the_intervals():
    d = definition(rules({"event": "form_submission", "points": 10, "within_days": 10, "limit_to": 15}))
    ev = events(
        (1, "form_submission", "2026-03-01T09:00:00"),
        (1, "form_submission", "2026-03-05T09:00:00"),
        (1, "form_submission", "2026-03-06T09:00:00"),
        (1, "form_submission", "2026-04-01T09:00:00"),
    )
    # the reset drops the events of 1 and 5 March from 6 March on; the one of 6 March (09:00) stays
    data = inputs(ev, resets=[("s", "contact", 1, "2026-03-06T08:00:00")])
    assert intervals(d, data) == [
        (1, 0.0, None, date(2026, 1, 1), date(2026, 3, 1)),
        (1, 10.0, None, date(2026, 3, 1), date(2026, 3, 5)),
        (1, 15.0, None, date(2026, 3, 5), date(2026, 3, 6)),  # 20, capped at 15
        (1, 10.0, None, date(2026, 3, 6), date(2026, 3, 16)),
        (1, 0.0, None, date(2026, 3, 16), date(2026, 4, 1)),
        (1, 10.0, None, date(2026, 4, 1), date(2026, 4, 11)),
        (1, 0.0, None, date(2026, 4, 11), None),
    ]


def test_an_observer_is_told_each_stage_and_its_rows_and_the_intervals_do_not_change():
    d = definition(rules({"event": "form_submission", "points": 10, "within_days": 10, "limit_to": 15}))
    data = inputs(events((1, "form_submission", "2026-03-01T09:00:00"), (2, "form_submission", "2026-03-05T09:00:00")), contacts=[1, 2])
    told: list[tuple[str, int]] = []
    observed = score_history([d], data, START, END, lambda stage, rows: told.append((stage, rows.height))).collect()
    assert observed.equals(score_history([d], data, START, END).collect())
    assert [stage for stage, _ in told] == ["unit deltas", "rule deltas", "member levels", "contact intervals"]
    # Each event starts and ends (leaves its 10-day window): two unit deltas per contact.
    assert dict(told)["unit deltas"] == 4
    assert dict(told)["contact intervals"] == observed.height == 6


def test_company_history_follows_its_members():
    d = definition(rules({"event": "email_open", "points": 10, "within_days": 30}), object="company", company={"aggregation": "max"})
    ev = events((1, "email_open", "2026-03-01T09:00:00"), (2, "email_open", "2026-03-20T09:00:00"))
    data = inputs(ev, contacts=[1, 2], companies=[100], associations=[(1, 100), (2, 100)])
    assert intervals(d, data) == [
        (100, 0.0, None, date(2026, 1, 1), date(2026, 3, 1)),
        (100, 10.0, None, date(2026, 3, 1), date(2026, 4, 19)),  # contact 1 leaves on 3-31, contact 2 on 4-19
        (100, 0.0, None, date(2026, 4, 19), None),
    ]


EVENT = st.tuples(st.integers(1, 4), st.sampled_from(EVENT_TYPES), st.integers(-400, 120), st.integers(0, 23), st.sampled_from(FORM_IDS))
RESET = st.tuples(st.integers(1, 4), st.integers(-300, 120), st.integers(0, 23))


def random_inputs(rows, resets, obj, links):
    stamp = [(c, t, f"{START + timedelta(days=d)}T{h:02d}:30:00") for c, t, d, h, _ in rows]
    reset_rows = [("p", obj, 100 if obj == "company" else c, f"{START + timedelta(days=d)}T{h:02d}:30:00") for c, d, h in resets]
    return inputs(
        events(*stamp, form_id=[f for *_, f in rows]), contacts=[1, 2, 3, 4], companies=[100, 200], associations=links, resets=reset_rows
    )


@given(st.data(), st.sampled_from(["contact", "company"]), st.lists(EVENT, max_size=30), st.lists(RESET, max_size=2))
def test_history_agrees_with_the_single_day_engine_on_every_day_checked(data, obj, rows, resets):
    d = data.draw(definitions(obj=obj, frequency=True))
    links = [(c, 100) for c in data.draw(st.lists(st.integers(1, 4), max_size=4, unique=True))] + [(4, 200)]
    frame = random_inputs(rows, resets, obj, links)
    start = START + timedelta(days=data.draw(st.integers(0, 60)))
    end = start + timedelta(days=data.draw(st.integers(0, 120)))
    history = score_history([d], frame, start, end).collect()
    days = data.draw(st.lists(st.integers(0, (end - start).days), min_size=1, max_size=4, unique=True))
    for offset in days:
        day = start + timedelta(days=offset)
        assert score_on(history, day) == scores(d, frame, day), f"day {day}"
    # consecutive intervals of a record differ, and the last one is open
    ordered = history.sort("record_id", "valid_from")
    assert ordered.group_by("record_id").agg(pl.col("valid_to").last().is_null())["valid_to"].all()
