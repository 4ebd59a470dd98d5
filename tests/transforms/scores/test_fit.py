"""Fit scores on hand-checked frames: rules on the record's own columns and its primary company's,
groups and limits, the breakdown, a missing property, and what a fit definition may not hold."""

from dataclasses import replace

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import FORM_IDS, fit_definitions
from tests.transforms.score_fixtures import AS_OF, events, inputs
from transforms.scores.definition import DefinitionError, parse_definition
from transforms.scores.evaluate import evaluate_scores
from transforms.scores.fit import primary_companies

CONTACTS = pl.DataFrame(
    {"portal_id": [1, 1, 1], "contact_id": [1, 2, 3], "job_title": ["VP Sales", "Intern", None], "country": ["NO", "US", "no"]}
)
COMPANIES = pl.DataFrame({"portal_id": [1, 1], "company_id": [10, 11], "industry": ["Software", "retail"], "employees": ["250", "5"]})
# Contact 1: primary is 10 (labelled); contact 2: its only company, 11; contact 3: two, none primary.
ASSOCIATIONS = [(1, 10, "Primary"), (1, 11), (2, 11), (3, 10), (3, 11)]


def _inputs():
    base = inputs(events(), contacts=CONTACTS, associations=ASSOCIATIONS)
    return replace(base, companies=COMPANIES.lazy())


CONTACT_FIT = parse_definition(
    {
        "id": "lead_fit",
        "name": "Lead fit",
        "type": "fit",
        "object": "contact",
        "score_limit": 100,
        "thresholds": {"medium": 20, "high": 40},
        "groups": [
            {
                "name": "Role",
                "limit": 25,
                "rules": [
                    {"filters": [{"property": "job_title", "operator": "contains", "value": "vp"}], "points": 20},
                    {"filters": [{"property": "job_title", "operator": "contains", "value": "intern"}], "points": -10},
                ],
            },
            {
                "name": "Company",
                "rules": [
                    {"filters": [{"property": "company.industry", "operator": "is_any_of", "values": ["software", "saas"]}], "points": 15},
                    {"filters": [{"property": "company.employees", "operator": "gte", "value": 100}], "points": 10},
                ],
            },
            {"name": "Place", "rules": [{"filters": [{"property": "country", "operator": "equals", "value": "no"}], "points": 5}]},
        ],
    },
    "lead_fit.yaml",
)


def _result(definitions):
    result = evaluate_scores(definitions, _inputs(), AS_OF)
    scores, breakdown = pl.collect_all([result.scores, result.breakdown])
    return result, scores, breakdown


def test_the_primary_company_is_the_labelled_one_else_the_only_one():
    primary = primary_companies(_inputs().associations).collect().sort("contact_id")
    assert primary.select("contact_id", "company_id").rows() == [(1, 10), (2, 11)]


def test_a_contact_fit_score_adds_its_rules_within_the_group_limit_and_clamps_at_zero():
    _, scores, breakdown = _result([CONTACT_FIT])
    # 1: VP 20 + software 15 + 250 employees 10 + Norway 5 = 50 (high); 2: intern -10, clamped to 0;
    # 3: no title, no primary company (two, none labelled), Norway ("no" matches without case) = 5.
    assert scores.sort("record_id").select("record_id", "score", "band").rows() == [(1, 50.0, "high"), (2, 0.0, "low"), (3, 5.0, "low")]
    rows = breakdown.filter(pl.col("record_id") == 2).select("group_name", "rule_index", "component", "events", "points").rows()
    assert rows == [("Role", 1, "rule", 1, -10.0), (None, None, "score_limit", 0, 10.0)]
    assert breakdown.group_by("record_id").agg(pl.col("points").sum()).sort("record_id")["points"].to_list() == [50.0, 0.0, 5.0]


def test_a_group_limit_caps_the_roles_points():
    data = CONTACT_FIT.model_dump(exclude_none=True)
    data["groups"][0]["limit"] = 15
    capped = parse_definition(data, "capped.yaml")
    _, scores, breakdown = _result([capped])
    assert scores.filter(pl.col("record_id") == 1)["score"].item() == 45.0
    limit = breakdown.filter((pl.col("record_id") == 1) & (pl.col("component") == "group_limit"))
    assert limit.select("group_name", "points").rows() == [("Role", -5.0)]


def test_a_company_fit_score_reads_the_company_and_a_missing_property_is_one_warning():
    company_fit = parse_definition(
        {
            "id": "account_fit",
            "name": "Account fit",
            "type": "fit",
            "object": "company",
            "score_limit": 100,
            "groups": [
                {
                    "name": "Firmographics",
                    "rules": [
                        {"filters": [{"property": "industry", "operator": "equals", "value": "software"}], "points": 30},
                        {"filters": [{"property": "employees", "operator": "gte", "value": 100}], "points": 20},
                        {"filters": [{"property": "annual_revenue", "operator": "gte", "value": 1000000}], "points": 40},
                    ],
                }
            ],
        },
        "account_fit.yaml",
    )
    result, scores, _ = _result([company_fit])
    assert scores.sort("record_id").select("object_type", "record_id", "score").rows() == [("company", 10, 50.0), ("company", 11, 0.0)]
    assert result.warnings == ["account_fit: company records have no property 'annual_revenue'; it is unknown on every record"]


def test_fit_and_engagement_definitions_score_side_by_side_in_the_order_given():
    engagement = parse_definition(
        {
            "id": "opens",
            "name": "Opens",
            "object": "contact",
            "score_limit": 100,
            "groups": [{"name": "G", "rules": [{"event": "email_open", "points": 3}]}],
        },
        "opens.yaml",
    )
    result = evaluate_scores([CONTACT_FIT, engagement], _inputs(), AS_OF)
    scores = result.scores.collect()
    assert scores.group_by("score_id", maintain_order=True).len().rows() == [("opens", 3), ("lead_fit", 3)]
    distribution = result.distribution.collect()
    assert distribution.filter(pl.col("band").is_null()).group_by("score_id").agg(pl.col("records").sum()).sort("score_id").rows() == [
        ("lead_fit", 3),
        ("opens", 3),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decay": {"percent": 10, "every_months": 1}}, "a fit score has no decay"),
        (
            {"groups": [{"name": "G", "rules": [{"event": "call", "filters": [{"property": "x", "operator": "is_known"}], "points": 5}]}]},
            "a fit rule has no event",
        ),
        (
            {"groups": [{"name": "G", "rules": [{"filters": [{"property": "x", "operator": "is_known"}], "points": 5, "within_days": 3}]}]},
            "a fit rule has no within_days",
        ),
        ({"groups": [{"name": "G", "rules": [{"points": 5}]}]}, "a fit rule needs at least one filter"),
        ({"type": "engagement"}, "an engagement rule needs `event`"),
    ],
)
def test_what_only_events_have_is_refused_in_a_fit_definition_naming_where(change, message):
    data = {**CONTACT_FIT.model_dump(exclude_none=True, exclude_defaults=True), "type": "fit", **change}
    with pytest.raises(DefinitionError, match=message) as error:
        parse_definition(data, "scores/fit.yaml")
    assert "scores/fit.yaml" in str(error.value)


def test_a_fit_score_holds_on_every_day_of_a_history_from_one_snapshot():
    from datetime import timedelta

    from transforms.scores.history import score_history

    start = AS_OF - timedelta(days=9)
    history = score_history([CONTACT_FIT], _inputs(), start, AS_OF).collect()
    assert history.sort("record_id").select("record_id", "score", "valid_from", "valid_to").rows() == [
        (1, 50.0, start, None),
        (2, 0.0, start, None),
        (3, 5.0, start, None),
    ]


def _matches(spec: dict, value: str | None) -> bool:
    """What a filter of `tests.strategies.filters` says of one record's `form_id` (the spec's null rules)."""
    operator = spec["operator"]
    if operator == "is_unknown":
        return value is None
    if operator == "not_equals":
        return value != spec["value"]
    if value is None:
        return False
    return value in spec["values"] if operator == "is_any_of" else value == spec["value"]


def _expected(definition, value: str | None) -> float:
    """The fit score of a record with `form_id` = `value`, rule by rule, group by group (a group
    without a limit is capped at the score limit, as in an engagement score)."""
    total = 0
    for group in definition.groups:
        points = sum(rule.points for rule in group.rules if all(_matches(f.model_dump(exclude_none=True), value) for f in rule.filters))
        total += min(points, group.limit or definition.score_limit)
    return float(min(max(total, 0), definition.score_limit))


@given(definition=fit_definitions(), values=st.lists(st.sampled_from(FORM_IDS), min_size=1, max_size=6))
def test_a_fit_score_is_its_rules_clamped_within_zero_and_the_limit_and_its_breakdown_adds_up(definition, values):
    contacts = pl.DataFrame(
        {"portal_id": [1] * len(values), "contact_id": list(range(1, len(values) + 1)), "form_id": values},
        schema={"portal_id": pl.Int64, "contact_id": pl.Int64, "form_id": pl.String},
    )
    result = evaluate_scores([definition], inputs(events(), contacts=contacts), AS_OF)
    scores, breakdown = pl.collect_all([result.scores, result.breakdown])
    got = dict(scores.select("record_id", "score").iter_rows())
    assert got == {i + 1: _expected(definition, v) for i, v in enumerate(values)}
    assert all(0 <= score <= definition.score_limit for score in got.values())
    summed = dict(breakdown.group_by("record_id").agg(pl.col("points").sum()).iter_rows())
    assert {k: round(summed.get(k, 0.0), 6) for k in got} == got
