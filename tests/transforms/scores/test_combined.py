"""Combined scores on hand-checked frames: the sum of a fit and an engagement part within the limit,
the matrix label at the band boundaries, the breakdown, the history, and what a definition needs."""

from dataclasses import replace
from datetime import timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import definitions, fit_definitions
from tests.transforms.score_fixtures import AS_OF, events, inputs
from tests.transforms.scores.test_evaluate_properties import EVENT, frame
from transforms.scores.combined import ENGAGEMENT_DIGITS, FIT_LETTERS
from transforms.scores.definition import DefinitionError, parse_definition
from transforms.scores.evaluate import evaluate_scores
from transforms.scores.history import score_history

MATRIX = {
    "id": "lead_matrix",
    "name": "Lead matrix",
    "type": "combined",
    "object": "contact",
    "score_limit": 100,
    "thresholds": {"medium": 40, "high": 70},
    "fit": {
        "thresholds": {"medium": 20, "high": 40},
        "groups": [
            {
                "name": "Role",
                "rules": [
                    {"filters": [{"property": "job_title", "operator": "contains", "value": "vp"}], "points": 50},
                    {"filters": [{"property": "country", "operator": "equals", "value": "no"}], "points": 20},
                ],
            }
        ],
    },
    "engagement": {
        "thresholds": {"medium": 10, "high": 30},
        "groups": [{"name": "Email", "rules": [{"event": "email_open", "points": 10}]}],
    },
}
CONTACTS = pl.DataFrame(
    {"portal_id": [1, 1, 1, 1], "contact_id": [1, 2, 3, 4], "job_title": ["VP", "Intern", "VP", None], "country": ["US", "US", "US", "NO"]}
)


def _opens(*counts: int, days_ago: int = 1) -> list[tuple]:
    day = (AS_OF - timedelta(days=days_ago)).isoformat()
    return [(contact, "email_open", f"{day}T10:00:00") for contact, n in enumerate(counts, start=1) for _ in range(n)]


def _data(rows: list[tuple]):
    return replace(inputs(events(*rows), contacts=CONTACTS), contacts=CONTACTS.lazy())


def test_the_parts_are_summed_within_the_limit_and_the_matrix_names_both_bands_at_their_boundaries():
    definition = parse_definition(MATRIX, "lead_matrix.yaml")
    result = evaluate_scores([definition], _data(_opens(4, 2, 10, 1)), AS_OF)
    scores = result.scores.collect().sort("record_id")
    assert scores.select("record_id", "fit_score", "engagement_score", "score", "band", "matrix").rows() == [
        (1, 50.0, 40.0, 90.0, "high", "A1"),
        (2, 0.0, 20.0, 20.0, "low", "C2"),
        (3, 50.0, 100.0, 100.0, "high", "A1"),  # 150 clamped to the combined limit
        (4, 20.0, 10.0, 30.0, "low", "B2"),  # both parts exactly at their medium threshold
    ]
    breakdown = result.breakdown.collect()
    summed = dict(breakdown.group_by("record_id").agg(pl.col("points").sum().round(6)).iter_rows())
    assert summed == dict(scores.select("record_id", "score").iter_rows())
    clamp = breakdown.filter((pl.col("record_id") == 3) & pl.col("group_name").is_null())
    assert clamp.select("component", "points").rows() == [("score_limit", -50.0)]
    assert set(breakdown["group_name"].drop_nulls()) == {"fit: Role", "engagement: Email"}
    # One distribution of the combined score, none of its parts.
    assert set(result.distribution.collect()["score_id"]) == {"lead_matrix"}


def test_the_letters_and_digits_go_from_the_best_band_to_the_worst():
    assert [FIT_LETTERS[b] + ENGAGEMENT_DIGITS[b] for b in ("high", "medium", "low")] == ["A1", "B2", "C3"]


def test_the_history_of_a_combined_score_sums_its_parts_on_every_day_either_changes():
    definition = parse_definition(MATRIX, "lead_matrix.yaml")
    rows = [(2, "email_open", (AS_OF - timedelta(days=d)).isoformat() + "T10:00:00") for d in (6, 3)]
    start = AS_OF - timedelta(days=9)
    history = score_history([definition], _data(rows), start, AS_OF).collect()
    contact = history.filter(pl.col("record_id") == 2).select("score_id", "score", "valid_from").rows()
    assert contact == [
        ("lead_matrix", 0.0, start),
        ("lead_matrix", 10.0, AS_OF - timedelta(days=6)),
        ("lead_matrix", 20.0, AS_OF - timedelta(days=3)),
    ]
    for day in (AS_OF - timedelta(days=4), AS_OF):
        alone = evaluate_scores([definition], _data(rows), day).scores.collect()
        expected = alone.filter(pl.col("record_id") == 2)["score"].item()
        current = history.filter((pl.col("record_id") == 2) & (pl.col("valid_from") <= day)).sort("valid_from")["score"].to_list()[-1]
        assert current == expected, day


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"engagement": None}, "a combined score has a `fit` and an `engagement` part"),
        ({"groups": [{"name": "G", "rules": [{"event": "x", "points": 1}]}]}, "no groups or decay of its own"),
        ({"fit": {**MATRIX["fit"], "groups": [{"name": "R", "rules": [{"event": "call", "points": 1}]}]}}, "fit: "),
        ({"fit": {"groups": MATRIX["fit"]["groups"]}}, "thresholds"),
    ],
)
def test_a_combined_definition_needs_both_parts_with_their_bands(change, message):
    data = {**MATRIX, **change}
    with pytest.raises(DefinitionError, match=message):
        parse_definition({k: v for k, v in data.items() if v is not None}, "lead_matrix.yaml")


def test_a_part_outside_a_combined_score_is_refused():
    data = {**MATRIX, "type": "fit", "groups": MATRIX["fit"]["groups"]}
    with pytest.raises(DefinitionError, match="are for `type: combined`"):
        parse_definition(data, "x.yaml")


@given(fit=fit_definitions(), engagement=definitions(decay=False, frequency=True), rows=st.lists(EVENT, max_size=30), data=st.data())
def test_a_combined_score_is_its_parts_summed_within_the_limit(fit, engagement, rows, data):
    # A part's limit is at most the combined score's: drawn from the parts up, so no input is thrown away.
    limit = min(500, max(fit.score_limit, engagement.score_limit) + 100 * data.draw(st.integers(0, 2)))
    part = {"thresholds": {"medium": 10, "high": 50}}
    definition = parse_definition(
        {
            "id": "m",
            "name": "M",
            "type": "combined",
            "object": "contact",
            "score_limit": limit,
            "fit": {**part, "score_limit": fit.score_limit, "groups": [g.model_dump(exclude_none=True) for g in fit.groups]},
            "engagement": {
                **part,
                "score_limit": engagement.score_limit,
                "groups": [g.model_dump(exclude_none=True) for g in engagement.groups],
            },
        },
        "m.yaml",
    )
    contacts = pl.DataFrame({"portal_id": [1] * 4, "contact_id": [1, 2, 3, 4], "form_id": ["a", "b", None, "c"]})
    data_in = replace(inputs(frame(rows), contacts=contacts), contacts=contacts.lazy())
    alone = evaluate_scores(list(definition.parts), data_in, AS_OF).scores.collect()
    combined = evaluate_scores([definition], data_in, AS_OF).scores.collect()
    by_part = {(r["score_id"].rsplit("__", 1)[1], r["record_id"]): r["score"] for r in alone.iter_rows(named=True)}
    for row in combined.iter_rows(named=True):
        fit_score, engagement_score = by_part[("fit", row["record_id"])], by_part[("engagement", row["record_id"])]
        assert (row["fit_score"], row["engagement_score"]) == (fit_score, engagement_score)
        assert row["score"] == round(min(max(fit_score + engagement_score, 0), limit), 2)
        assert 0 <= row["score"] <= limit and row["matrix"][0] in "ABC" and row["matrix"][1] in "123"
