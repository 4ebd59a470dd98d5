"""Every load-time rule of a score definition, each error naming file, path and reason."""

import copy
import re

import pytest

from transforms.scores.definition import DefinitionError, parse_definition

BASE = {
    "id": "mql",
    "name": "MQL",
    "object": "contact",
    "score_limit": 100,
    "groups": [{"name": "G", "rules": [{"event": "form_submission", "points": 5}]}],
}


def _with(path: str, value):
    data = copy.deepcopy(BASE)
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    return data


def test_a_valid_definition_loads():
    d = parse_definition(BASE, "mql.yaml")
    assert d.status == "active" and d.groups[0].rules[0].scoring == "together"


@pytest.mark.parametrize(
    ("data", "where", "reason"),
    [
        (_with("score_limit", 150), "score_limit", "multiple of 100"),
        (_with("score_limit", 600), "score_limit", "less than or equal to 500"),
        (_with("id", "Bad-Id"), "id", "should match pattern"),
        (_with("thresholds", {"medium": 70, "high": 40}), "thresholds", "medium must be below high"),
        (_with("thresholds", {"medium": 40, "high": 170}), "(top)", "thresholds.high must be at most score_limit"),
        (_with("thresholds", {"medium": 0, "high": 40}), "thresholds.medium", "greater than 0"),
        (_with("groups.0.limit", 0), "groups[0].limit", "greater than or equal to 1"),
        (_with("groups.0.limit", 101), "(top)", "groups[0].limit must be at most score_limit"),
        (_with("groups.0.rules.0.points", 0), "groups[0].rules[0].points", "non-zero"),
        (_with("groups.0.rules.0.colour", "red"), "groups[0].rules[0].colour", "Extra inputs are not permitted"),
        (_with("groups.0.decay", {"percent": 0, "every_months": 3}), "groups[0].decay.percent", "greater than or equal to 1"),
        (_with("groups.0.decay", {"percent": 10, "every_months": 2}), "groups[0].decay.every_months", "Input should be 1, 3, 6 or 12"),
        (
            _with("groups.0.rules.0.filters", [{"property": "form_id", "operator": "between", "value": "a"}]),
            "groups[0].rules[0].filters[0].operator",
            "Input should be",
        ),
        (
            _with("groups.0.rules.0.filters", [{"property": "form_id", "operator": "gt", "value": "ten"}]),
            "groups[0].rules[0].filters[0]",
            "numeric value",
        ),
        (
            _with("groups.0.rules.0.filters", [{"property": "form_id", "operator": "is_any_of", "value": "a"}]),
            "groups[0].rules[0].filters[0]",
            "takes a list",
        ),
        (
            _with("groups.0.rules.0.filters", [{"property": "form_id", "operator": "is_known", "value": "a"}]),
            "groups[0].rules[0].filters[0]",
            "takes no value",
        ),
        (_with("groups.0.rules.0.scoring", "individually"), "groups[0].rules[0]", "needs exactly one filter with several values"),
        (_with("object", "deal"), "object", "Input should be 'contact' or 'company'"),
        (_with("status", "paused"), "status", "Input should be"),
        (_with("company", {"aggregation": "sum"}), "(top)", "only for object: company"),
    ],
)
def test_each_rule_is_checked_with_file_path_and_reason(data, where, reason):
    with pytest.raises(DefinitionError) as err:
        parse_definition(data, "scores/mql.yaml")
    message = str(err.value)
    assert message.startswith("scores/mql.yaml: ")
    assert any(line.startswith(f"scores/mql.yaml: {where}: ") and reason in line for line in message.splitlines()), message


def test_decay_and_within_days_in_one_group_are_rejected_even_when_decay_is_global():
    data = _with("groups.0.rules.0.within_days", 30)
    data["decay"] = {"percent": 25, "every_months": 3}
    with pytest.raises(DefinitionError, match=re.escape("groups[0] has decay and a rule with within_days")):
        parse_definition(data, "x.yaml")


def test_a_points_map_must_name_every_value():
    rule = {
        "event": "form_submission",
        "scoring": "individually",
        "points": {"a": 1},
        "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["a", "b"]}],
    }
    with pytest.raises(DefinitionError, match=re.escape("missing ['b']")):
        parse_definition(_with("groups.0.rules", [rule]), "x.yaml")


def test_a_points_map_needs_individually():
    rule = {
        "event": "form_submission",
        "points": {"a": 1, "b": 2},
        "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["a", "b"]}],
    }
    with pytest.raises(DefinitionError, match="needs scoring: individually"):
        parse_definition(_with("groups.0.rules", [rule]), "x.yaml")


def test_not_a_mapping():
    with pytest.raises(DefinitionError, match=re.escape("x.yaml: (top): a definition is a mapping")):
        parse_definition(["a"], "x.yaml")


def test_rule_events_a_snapshot_does_not_hold_are_named_per_definition():
    from transforms.scores.definition import unmatched_events

    typo = parse_definition(
        _with("groups.0.rules", [{"event": "email_opne", "points": 5}, {"event": "form_submission", "points": 1}]), "t.yaml"
    )
    typo = typo.model_copy(update={"id": "typo"})
    fine = parse_definition(BASE, "mql.yaml")
    assert unmatched_events([typo, fine], {"form_submission", "email_open"}) == {"typo": ["email_opne"]}
    assert unmatched_events([fine], set()) == {"mql": ["form_submission"]}
