"""Step 9 of engagement-scores.md: company scores from associated contacts."""

import polars as pl
import pytest

from tests.transforms.score_fixtures import AS_OF, events, inputs, scores
from transforms.scores.definition import parse_definition
from transforms.scores.evaluate import evaluate_scores


def company_def(aggregation="sum", **company) -> object:
    return parse_definition(
        {
            "id": "co",
            "name": "Co",
            "object": "company",
            "score_limit": 100,
            "company": {"aggregation": aggregation, **company},
            "groups": [{"name": "G", "rules": [{"event": "email_open", "points": 10}]}],
        },
        "co.yaml",
    )


# contact 1: 3 opens (30), contact 2: 1 open (10), contact 3: none (0); all at company 100
EV = events(*[(1, "email_open", "2026-06-01")] * 3, (2, "email_open", "2026-06-02"))
LINKS = [(1, 100, "primary"), (2, 100, "billing"), (3, 100, None), (1, 200, "primary")]


@pytest.mark.parametrize(("aggregation", "expected"), [("sum", 40.0), ("avg", 13.33), ("min", 0.0), ("max", 30.0)])
def test_aggregations_over_every_qualifying_contact_zeros_included(aggregation, expected):
    data = inputs(EV, contacts=[1, 2, 3], companies=[100, 200, 300], associations=LINKS)
    assert scores(company_def(aggregation), data) == {100: expected, 200: 30.0, 300: 0.0}


def test_avg_rounds_half_away_from_zero():
    d = parse_definition(
        {
            "id": "co",
            "name": "Co",
            "object": "company",
            "score_limit": 100,
            "company": {"aggregation": "avg"},
            "decay": {"percent": 99, "every_months": 1},
            "groups": [{"name": "G", "rules": [{"event": "email_open", "points": 1}]}],
        },
        "co.yaml",
    )
    data = inputs(events((1, "email_open", "2026-05-15")), contacts=[1, 2], companies=[100], associations=[(1, 100), (2, 100)])
    assert scores(d, data) == {100: 0.01}  # (0.01 + 0) / 2 = 0.005 -> 0.01


def test_association_labels_restrict_the_contacts():
    data = inputs(EV, contacts=[1, 2, 3], companies=[100], associations=LINKS)
    assert scores(company_def("sum", association_labels=["billing"]), data) == {100: 10.0}


def test_contact_filters_use_contact_columns():
    contacts = pl.DataFrame({"portal_id": [1, 1, 1], "contact_id": [1, 2, 3], "lifecycle_stage": ["customer", "Lead", None]})
    data = inputs(EV, contacts=contacts, companies=[100], associations=LINKS)
    d = company_def("sum", contact_filters=[{"property": "lifecycle_stage", "operator": "not_equals", "value": "customer"}])
    assert scores(d, data) == {100: 10.0}


def test_company_lists_decide_which_companies_are_scored():
    data = inputs(
        EV, contacts=[1, 2, 3], companies=[100, 200], associations=LINKS, lists=[("target", "company", 200), ("target", "contact", 100)]
    )
    d = parse_definition(
        {
            "id": "co",
            "name": "Co",
            "object": "company",
            "score_limit": 100,
            "records": {"include_lists": ["target"]},
            "groups": [{"name": "G", "rules": [{"event": "email_open", "points": 10}]}],
        },
        "co.yaml",
    )
    assert scores(d, data) == {200: 30.0}


def test_company_resets_drop_every_contacts_earlier_events_and_contact_resets_do_not_apply():
    ev = events((1, "email_open", "2026-05-01"), (2, "email_open", "2026-05-01"), (2, "email_open", "2026-06-20"))
    data = inputs(
        ev,
        contacts=[1, 2],
        companies=[100],
        associations=[(1, 100), (2, 100)],
        resets=[("co", "company", 100, "2026-06-01"), ("co", "contact", 2, "2026-06-25")],
    )
    assert scores(company_def("sum"), data) == {100: 10.0}


def test_company_breakdown_adds_up_for_every_aggregation():
    data = inputs(EV, contacts=[1, 2, 3], companies=[100], associations=LINKS)
    for aggregation in ("sum", "avg", "min", "max"):
        result = evaluate_scores([company_def(aggregation)], data, AS_OF)
        score = result.scores.collect()["score"][0]
        assert result.breakdown.collect()["points"].sum() == pytest.approx(score), aggregation


def test_company_clamp_row_is_distinct_from_its_members_clamps():
    d = parse_definition(
        {
            "id": "co",
            "name": "Co",
            "object": "company",
            "score_limit": 100,
            "groups": [
                {"name": "A", "rules": [{"event": "email_open", "points": 80}]},
                {"name": "B", "rules": [{"event": "email_click", "points": 80}]},
            ],
        },
        "co.yaml",
    )
    # contact 1: 80 + 80 = 160 -> 100 (its score_limit); contact 2: 80; company: 180 -> 100
    ev = events((1, "email_open", "2026-06-01"), (1, "email_click", "2026-06-01"), (2, "email_open", "2026-06-01"))
    result = evaluate_scores([d], inputs(ev, contacts=[1, 2], companies=[100], associations=[(1, 100), (2, 100)]), AS_OF)
    rows = result.breakdown.collect()
    assert dict(rows.group_by("component").agg(pl.col("points").sum()).iter_rows()) == {
        "rule": 240.0,
        "score_limit": -60.0,
        "company_limit": -80.0,
    }
    assert result.scores.collect()["score"].to_list() == [100.0]
