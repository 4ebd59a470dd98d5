"""Scored units: a rule, or one value of its multi-value filter, numbered across definitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from tests.transforms.score_fixtures import definition, rules
from transforms.common.calendar import as_of_instant
from transforms.scores.filters import code_column, text_column
from transforms.scores.units import ALWAYS, definition_table, rule_units, unit_matches

FIRST = definition(
    rules(
        {"event": "email_open", "points": 2},
        {
            "event": "form_submission",
            "points": {"A": 5, "b": 3},
            "scoring": "individually",
            "limit_to": 10,
            "filters": [{"property": "form_id", "operator": "is_any_of", "values": ["A", "b"]}],
        },
        limit=40,
    ),
    decay={"percent": 25, "every_months": 3},
)
SECOND = definition(
    rules({"event": "page_view", "points": -1, "within_days": 30}), id="t", object="company", company={"aggregation": "max"}
)


def test_each_value_of_a_multi_value_rule_is_its_own_unit():
    units = rule_units([FIRST, SECOND])
    assert units.select("unit_id", "score_index", "rule_index", "value", "points", "limit_cents").rows() == [
        (0, 0, 0, None, 2, None),
        (1, 0, 1, "a", 5, 1000),
        (2, 0, 1, "b", 3, 1000),
        (3, 1, 0, None, -1, None),
    ]
    assert units["rule_id"].to_list() == [0, 1, 1, 2] and units["group_id"].to_list() == [0, 0, 0, 1]
    assert units["group_limit_cents"].to_list() == [4000, 4000, 4000, 10000]
    assert units["decay_percent"].to_list() == [25, 25, 25, 0]


def test_the_definition_table_carries_ids_objects_and_aggregations():
    table = definition_table([FIRST, SECOND]).collect()
    assert table.rows() == [(0, "s", "contact", "self", 10000), (1, "t", "company", "max", 10000)]


def test_unit_matches_filter_by_value_and_window():
    values = {"form_id": pl.DataFrame({text_column("form_id"): ["a", "b", "c", None]})}
    matches = unit_matches([FIRST, SECOND], {"form_id"}, as_of_instant(date(2026, 6, 30)), values)
    assert [u for u, _ in matches["form_submission"]] == [1, 2]
    assert matches["email_open"][0][1].meta.eq(ALWAYS)
    forms = pl.DataFrame({code_column("form_id"): [0, 1, 2, 3]})
    assert forms.select(matches["form_submission"][0][1]).to_series().to_list() == [True, False, False, False]
    views = pl.DataFrame({"occurred_at": [datetime(2026, 5, 31, 23, tzinfo=UTC), datetime(2026, 6, 1, 1, tzinfo=UTC)]})
    assert views.select(matches["page_view"][0][1]).to_series().to_list() == [False, True]
