"""Invariants of the scoring engine on random definitions and events (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.transforms.score_fixtures import AS_OF, UTC, inputs
from transforms.engagement_score import evaluate_scores
from transforms.score_definition import parse_definition

EVENT_TYPES = ["email_open", "form_submission", "page_view"]
FORM_IDS = ["a", "b", "c", None]


@st.composite
def filters(draw) -> list[dict]:
    kind = draw(st.sampled_from(["none", "any", "equals", "not_equals", "unknown"]))
    if kind == "none":
        return []
    if kind == "any":
        return [{"property": "form_id", "operator": "is_any_of", "values": draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True))}]
    if kind == "unknown":
        return [{"property": "form_id", "operator": "is_unknown"}]
    return [{"property": "form_id", "operator": kind, "value": draw(st.sampled_from("abc"))}]


@st.composite
def rule(draw, signs: st.SearchStrategy[int], windows: bool, limits: bool) -> dict:
    fs = draw(filters())
    out = {"event": draw(st.sampled_from(EVENT_TYPES)), "points": draw(signs) * draw(st.integers(1, 30)), "filters": fs}
    if fs and fs[0]["operator"] == "is_any_of" and len(fs[0]["values"]) > 1 and draw(st.booleans()):
        out["scoring"] = "individually"
    if windows and draw(st.booleans()):
        out["within_days"] = draw(st.integers(1, 400))
    if limits and draw(st.booleans()):
        out["limit_to"] = draw(st.integers(1, 50))
    return out


@st.composite
def definitions(draw, obj: str = "contact", decay: bool = True, limits: bool = True, signs=st.sampled_from([-1, 1, 1])) -> object:
    use_decay = decay and draw(st.booleans())
    groups = []
    for g in range(draw(st.integers(1, 3))):
        group = {"name": f"g{g}", "rules": draw(st.lists(rule(signs, windows=not use_decay, limits=limits), min_size=1, max_size=4))}
        if limits and draw(st.booleans()):
            group["limit"] = draw(st.integers(1, 100))
        groups.append(group)
    data = {"id": "p", "name": "P", "object": obj, "score_limit": 100 * draw(st.integers(1, 5)), "groups": groups}
    if use_decay:
        data["decay"] = {"percent": draw(st.integers(1, 100)), "every_months": draw(st.sampled_from([1, 3, 6, 12]))}
    if obj == "company":
        data["company"] = {"aggregation": draw(st.sampled_from(["sum", "avg", "min", "max"]))}
    return parse_definition(data, "property.yaml")


EVENT = st.tuples(st.integers(1, 4), st.sampled_from(EVENT_TYPES), st.integers(0, 500), st.sampled_from(FORM_IDS))


def frame(rows: list[tuple]) -> pl.LazyFrame:
    from tests.transforms.score_fixtures import events

    stamp = [(c, t, (AS_OF - timedelta(days=d)).isoformat() + "T12:00:00") for c, t, d, _ in rows]
    return events(*stamp, form_id=[f for *_, f in rows])


def run(definition, rows, **extra) -> tuple[dict[int, float], pl.DataFrame]:
    result = evaluate_scores([definition], inputs(frame(rows), contacts=[1, 2, 3, 4], **extra), AS_OF)
    scores = result.scores.collect()
    return dict(zip(scores["record_id"], scores["score"])), result.breakdown.collect()


@given(definitions(), st.lists(EVENT, max_size=40))
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
    if not positive_types:
        return
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
