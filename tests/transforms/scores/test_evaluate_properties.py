"""Invariants of the scoring engine on random definitions and events (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.strategies import EVENT_TYPES, FORM_IDS, definitions, fit_definitions
from tests.transforms.score_fixtures import AS_OF, inputs
from transforms.scores.evaluate import evaluate_scores

EVENT = st.tuples(st.integers(1, 4), st.sampled_from(EVENT_TYPES), st.integers(0, 500), st.sampled_from(FORM_IDS))


def frame(rows: list[tuple]) -> pl.LazyFrame:
    from tests.transforms.score_fixtures import events

    stamp = [(c, t, (AS_OF - timedelta(days=d)).isoformat() + "T12:00:00") for c, t, d, _ in rows]
    return events(*stamp, form_id=[f for *_, f in rows])


def run(definition, rows, **extra) -> tuple[dict[int, float], pl.DataFrame]:
    result = evaluate_scores([definition], inputs(frame(rows), contacts=[1, 2, 3, 4], **extra), AS_OF)
    scores = result.scores.collect()
    return dict(zip(scores["record_id"], scores["score"], strict=True)), result.breakdown.collect()


@given(definitions(frequency=True), st.lists(EVENT, max_size=40))
def test_score_is_within_zero_and_the_limit_and_the_breakdown_adds_up(definition, rows):
    scores, breakdown = run(definition, rows)
    assert set(scores) == {1, 2, 3, 4}
    assert all(0 <= s <= definition.score_limit for s in scores.values())
    shown = dict(breakdown.group_by("record_id").agg(pl.col("points").sum()).iter_rows())
    for record, score in scores.items():
        assert shown.get(record, 0.0) == pytest.approx(score, abs=1e-6)


@given(definitions(decay=False, limits=False), st.lists(EVENT, max_size=30), EVENT)
def test_adding_a_positive_points_event_never_lowers_a_score(definition, rows, extra):
    rules = [r for g in definition.groups for r in g.rules]
    lowest = {id(r): min(r.points.values()) if isinstance(r.points, dict) else r.points for r in rules}
    positive_types = [t for t in EVENT_TYPES if all(lowest[id(r)] > 0 for r in rules if r.event == t)]
    assume(positive_types)
    added = (extra[0], positive_types[0], extra[2], extra[3])
    before, _ = run(definition, rows)
    after, _ = run(definition, [*rows, added])
    assert all(after[r] >= before[r] for r in before)


@given(definitions(), st.lists(EVENT, max_size=30), st.integers(1, 4), st.integers(0, 500))
def test_a_reset_drops_every_earlier_event(definition, rows, contact, days_before):
    reset_at = (AS_OF - timedelta(days=days_before)).isoformat() + "T00:00:00"
    with_reset, _ = run(definition, rows, resets=[("p", "contact", contact, reset_at)])
    # events are at 12:00 and the reset at 00:00, so an event on the reset's own day comes after it
    cut = [r for r in rows if r[0] != contact or r[2] <= days_before]
    without_earlier, _ = run(definition, cut)
    assert with_reset == without_earlier


@given(st.data(), st.lists(EVENT, max_size=40))
def test_company_max_is_at_least_avg_which_is_at_least_min(data, rows):
    base = data.draw(definitions(obj="company"))
    links = [(c, 100) for c in data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4, unique=True))]
    out = {}
    for aggregation in ("max", "avg", "min"):
        definition = base.model_copy(update={"company": base.company.model_copy(update={"aggregation": aggregation})})
        scores, _ = run(definition, rows, companies=[100], associations=links)
        out[aggregation] = scores[100]
    assert out["max"] >= out["avg"] >= out["min"]


@given(definitions(), fit_definitions(), st.lists(EVENT, max_size=30))
def test_an_engagement_score_is_the_same_beside_a_fit_score(definition, fit, rows):
    alone = evaluate_scores([definition], inputs(frame(rows), contacts=[1, 2, 3, 4]), AS_OF)
    beside = evaluate_scores([fit, definition], inputs(frame(rows), contacts=[1, 2, 3, 4]), AS_OF)
    for part in ("scores", "breakdown", "distribution"):
        own = getattr(beside, part).filter(pl.col("score_id") == definition.id).collect()
        assert own.equals(getattr(alone, part).collect()), part
