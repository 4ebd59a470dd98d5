"""The rules of a definition as a table, each named as people read it."""

from datetime import date

from transforms.scores.definition import parse_definition
from transforms.scores.rules import score_rules

DEFINITION = parse_definition(
    {
        "id": "s",
        "name": "S",
        "object": "contact",
        "score_limit": 100,
        "groups": [
            {"name": "Email", "rules": [{"event": "email_open", "points": 1, "within_days": 30, "limit_to": 5}]},
            {
                "name": "Funnel",
                "rules": [
                    {"event": "call", "points": 8, "filters": [{"property": "duration_seconds", "operator": "gte", "value": 300}]},
                    {
                        "event": "lifecycle_stage_change",
                        "points": 10,
                        "filters": [
                            {"property": "to_stage", "operator": "is_any_of", "values": ["lead", "customer"]},
                            {"property": "from_stage", "operator": "is_known"},
                        ],
                    },
                ],
            },
        ],
    },
    "s.yaml",
)


def test_each_rule_is_a_row_keyed_like_its_breakdown_rows_and_named_with_filters_and_window():
    rules = score_rules([DEFINITION], date(2026, 6, 30))
    assert rules.select("group_name", "rule_index", "event_type", "within_days", "limit_to").rows() == [
        ("Email", 0, "email_open", 30, 5),
        ("Funnel", 0, "call", None, None),
        ("Funnel", 1, "lifecycle_stage_change", None, None),
    ]
    assert rules["rule"].to_list() == [
        "email_open, last 30 days",
        "call where duration_seconds gte 300",
        "lifecycle_stage_change where to_stage is any of lead, customer and from_stage is known",
    ]
    assert rules["filters"].to_list()[0] is None and rules["as_of"].unique().to_list() == [date(2026, 6, 30)]
