"""The evaluation steps of engagement-scores.md, on hand-checked frames (as_of 2026-06-30)."""

from datetime import UTC

import polars as pl
import pytest

from tests.transforms.score_fixtures import AS_OF, definition, events, inputs, rules, scores
from transforms.scores.evaluate import evaluate_scores

FORM = "form_submission"


def forms(*form_ids: str, contact: int = 1) -> pl.LazyFrame:
    return events(*[(contact, FORM, "2026-06-01T10:00:00")] * len(form_ids), form_id=list(form_ids))


# --- worked examples of the spec -------------------------------------------------------------


def test_limit_to_caps_five_submissions_at_two():
    d = definition(rules({"event": FORM, "points": 1, "limit_to": 2}))
    assert scores(d, inputs(forms(*["a"] * 5))) == {1: 2.0}


def test_individually_scores_each_value_with_its_own_points():
    d = definition(
        rules(
            {
                "event": FORM,
                "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["contact_us", "newsletter"]}],
                "scoring": "individually",
                "points": {"contact_us": 5, "newsletter": 2},
            }
        )
    )
    assert scores(d, inputs(forms("contact_us", "newsletter"))) == {1: 7.0}


@pytest.mark.parametrize(
    ("submitted", "expected"), [(("contact_us", "newsletter"), 5.0), (("contact_us", "contact_us", "newsletter"), 10.0)]
)
def test_together_meets_the_criterion_once_through_the_strongest_value(submitted, expected):
    d = definition(
        rules(
            {
                "event": FORM,
                "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["contact_us", "newsletter"]}],
                "points": 5,
            }
        )
    )
    assert scores(d, inputs(forms(*submitted))) == {1: expected}


def test_group_limit_then_a_negative_group():
    d = definition(
        [
            {"name": "Up", "limit": 40, "rules": [{"event": "email_open", "points": 11}]},
            {"name": "Down", "rules": [{"event": "email_bounce", "points": -20}]},
        ]
    )
    ev = events(*[(1, "email_open", "2026-06-01")] * 5, (1, "email_bounce", "2026-06-02"))
    assert scores(d, inputs(ev)) == {1: 20.0}


def test_linear_decay_by_whole_periods():
    d = definition(rules({"event": "email_open", "points": 8}), decay={"percent": 50, "every_months": 3})
    assert scores(d, inputs(events((1, "email_open", "2026-02-15T12:00:00")))) == {1: 4.0}
    assert scores(d, inputs(events((1, "email_open", "2025-12-20T12:00:00")))) == {1: 0.0}


def test_negative_total_clamps_to_zero():
    d = definition(rules({"event": "email_bounce", "points": -12}))
    assert scores(d, inputs(events((1, "email_bounce", "2026-06-01")))) == {1: 0.0}


# --- each step -------------------------------------------------------------------------------


def test_scope_include_and_exclude_lists_and_no_row_out_of_scope():
    d = definition(rules({"event": "email_open", "points": 1}), records={"include_lists": ["a", "b"], "exclude_lists": ["internal"]})
    ev = events(*[(contact, "email_open", "2026-06-01") for contact in (1, 3, 4, 9)])
    data = inputs(
        ev,
        contacts=[1, 2, 3, 4],
        lists=[("a", "contact", 1), ("b", "contact", 2), ("b", "contact", 3), ("internal", "contact", 3), ("a", "company", 4)],
    )
    assert scores(d, data) == {1: 1.0, 2: 0.0}
    # The events of contacts out of scope (excluded, not listed, unknown) leave no breakdown row either.
    assert evaluate_scores([d], data, AS_OF).breakdown.collect()["record_id"].to_list() == [1]


def test_events_after_as_of_do_not_count_and_as_of_is_the_end_of_the_day():
    d = definition(rules({"event": "email_open", "points": 1}))
    ev = events((1, "email_open", "2026-06-30T23:59:59"), (1, "email_open", "2026-07-01T00:00:00"))
    assert scores(d, inputs(ev)) == {1: 1.0}


def test_within_days_counts_the_n_calendar_days_ending_with_as_of():
    d = definition(rules({"event": "email_open", "points": 1, "within_days": 30}))
    ev = events(
        (1, "email_open", "2026-05-31T23:59:59"), (1, "email_open", "2026-06-01T00:00:00"), (1, "email_open", "2026-06-30T12:00:00")
    )
    assert scores(d, inputs(ev)) == {1: 2.0}


def test_only_the_latest_reset_on_or_before_as_of_counts_and_only_later_events_stay():
    d = definition(rules({"event": "email_open", "points": 1}), id="mql")
    ev = events(*[(1, "email_open", day) for day in ("2026-03-01", "2026-04-01T10:00:00", "2026-05-01", "2026-06-15")])
    data = inputs(
        ev,
        resets=[
            ("mql", "contact", 1, "2026-02-01"),
            ("mql", "contact", 1, "2026-04-01T10:00:00"),
            ("mql", "contact", 1, "2026-07-05"),
            ("other", "contact", 1, "2026-06-29"),
        ],
    )
    assert scores(d, data) == {1: 2.0}


@pytest.mark.parametrize(
    ("operator", "operand", "expected"),
    [
        ("equals", {"value": "Contact_Us "}, 1),
        ("not_equals", {"value": "contact_us"}, 3),  # null passes
        ("is_any_of", {"values": ["contact_us", "demo"]}, 1),  # together: one value's sum
        ("is_none_of", {"values": ["contact_us", "demo"]}, 2),  # 'ebook' and null
        ("contains", {"value": "CONTACT"}, 1),
        ("not_contains", {"values": ["contact", "demo"]}, 2),
        ("starts_with", {"values": ["de", "eb"]}, 1),  # together, as above
        ("ends_with", {"value": "_us"}, 1),
        ("is_known", {}, 3),
        ("is_unknown", {}, 1),
    ],
)
def test_string_operators_and_the_null_rules(operator, operand, expected):
    d = definition(rules({"event": FORM, "points": 1, "filters": [{"property": "form_id", "operator": operator, **operand}]}))
    ev = events(*[(1, FORM, "2026-06-01")] * 4, form_id=[" contact_us", "demo", "ebook", None])
    assert scores(d, inputs(ev)) == {1: float(expected)}


@pytest.mark.parametrize(("operator", "value", "expected"), [("gt", 30, 2), ("gte", 30, 3), ("lt", 30, 1), ("lte", 30, 2)])
def test_numeric_operators_read_numbers_and_fail_on_text(operator, value, expected):
    d = definition(
        rules({"event": "call", "points": 1, "filters": [{"property": "duration_seconds", "operator": operator, "value": value}]})
    )
    ev = events(*[(1, "call", "2026-06-01")] * 6, duration_seconds=["10", "30", "45.5", "600", "long", None])
    assert scores(d, inputs(ev)) == {1: float(expected)}


def test_a_property_the_events_lack_is_null_everywhere_and_warned_once():
    d = definition(
        rules(
            {"event": FORM, "points": 1, "filters": [{"property": "nope", "operator": "is_unknown"}]},
            {"event": FORM, "points": 1, "filters": [{"property": "nope", "operator": "equals", "value": "x"}]},
        )
    )
    result = evaluate_scores([d], inputs(forms("a")), AS_OF)
    assert result.scores.collect()["score"].to_list() == [1.0]
    assert result.warnings == ["s: events have no property 'nope'; it is unknown on every event"]


def test_limit_to_applies_to_negative_sums_too():
    d = definition(rules({"event": "email_bounce", "points": -3, "limit_to": 5}, {"event": "email_open", "points": 10}))
    ev = events(*[(1, "email_bounce", "2026-06-01")] * 3, (1, "email_open", "2026-06-01"))
    assert scores(d, inputs(ev)) == {1: 5.0}


def test_individually_applies_limit_to_per_value_and_together_after_choosing():
    multi = {"property": "form_id", "operator": "is_any_of", "values": ["a", "b"]}
    individually = definition(rules({"event": FORM, "filters": [multi], "scoring": "individually", "points": 3, "limit_to": 4}))
    together = definition(rules({"event": FORM, "filters": [multi], "points": 3, "limit_to": 4}))
    data = inputs(forms("a", "a", "b", "b", "b"))
    assert scores(individually, data) == {1: 8.0}
    assert scores(together, data) == {1: 4.0}


def test_an_event_matching_several_values_counts_for_each():
    d = definition(
        rules(
            {
                "event": "page_view",
                "filters": [{"property": "page_url", "operator": "contains", "values": ["pricing", "plans"]}],
                "scoring": "individually",
                "points": {"pricing": 2, "plans": 3},
            }
        )
    )
    ev = events((1, "page_view", "2026-06-01"), page_url=["/pricing-plans"])
    assert scores(d, inputs(ev)) == {1: 5.0}


def test_together_ties_go_to_the_first_listed_value():
    d = definition(rules({"event": FORM, "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["b", "a"]}], "points": 2}))
    result = evaluate_scores([d], inputs(forms("a", "b")), AS_OF)
    assert result.breakdown.filter(pl.col("component") == "rule").collect()["value"].to_list() == ["b"]


def test_decay_period_boundary_clamps_the_day_and_keeps_the_time():
    d = definition(rules({"event": "email_open", "points": 10}), decay={"percent": 10, "every_months": 1})
    # 2026-05-31 10:00 + 1 month = 2026-06-30 10:00 <= as_of (end of day): one period.
    assert scores(d, inputs(events((1, "email_open", "2026-05-31T10:00:00")))) == {1: 9.0}
    # As of 2026-06-30 09:00, the same event has not completed its first period yet.
    from datetime import datetime

    at_nine = datetime(2026, 6, 30, 9, tzinfo=UTC)
    assert scores(d, inputs(events((1, "email_open", "2026-05-31T10:00:00"))), as_of=at_nine) == {1: 10.0}


def test_decay_set_on_one_group_leaves_the_others():
    d = definition(
        [
            {"name": "Decays", "decay": {"percent": 25, "every_months": 1}, "rules": [{"event": "email_open", "points": 4}]},
            {"name": "Stays", "rules": [{"event": "email_click", "points": 4}]},
        ]
    )
    ev = events((1, "email_open", "2026-04-15"), (1, "email_click", "2026-04-15"))
    assert scores(d, inputs(ev)) == {1: 2.0 + 4.0}


def test_breakdown_adds_up_to_the_score_and_names_the_clamps():
    d = definition(
        [
            {
                "name": "Email",
                "limit": 10,
                "rules": [{"event": "email_open", "points": 4, "limit_to": 12}, {"event": "email_click", "points": 3}],
            },
            {"name": "Forms", "rules": [{"event": FORM, "points": 50}]},
        ]
    )
    ev = events(
        *[(1, "email_open", "2026-06-01")] * 4, (1, "email_click", "2026-06-01"), *[(1, FORM, "2026-06-01")] * 2, form_id=[None] * 7
    )
    result = evaluate_scores([d], inputs(ev), AS_OF)
    breakdown = result.breakdown.collect()
    assert breakdown["points"].sum() == pytest.approx(result.scores.collect()["score"][0]) == 100.0
    assert sorted(breakdown["component"].to_list()) == ["group_limit", "limit_to", "rule", "rule", "rule", "score_limit"]
    opens = breakdown.filter((pl.col("component") == "rule") & (pl.col("group_name") == "Email") & (pl.col("rule_index") == 0)).row(
        0, named=True
    )
    assert (opens["events"], opens["points"]) == (4, 16.0)


def test_many_definitions_are_scored_in_one_evaluation():
    a = definition(rules({"event": "email_open", "points": 1}), id="a")
    b = definition(rules({"event": "email_open", "points": 2}), id="b")
    out = evaluate_scores([a, b], inputs(events((1, "email_open", "2026-06-01"))), AS_OF).scores.collect()
    assert sorted(out.select("score_id", "score").rows()) == [("a", 1.0), ("b", 2.0)]
