"""Rule filters: operators on trimmed lower-case text, numbers read from text, and the null rules."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.scores.definition import Filter
from transforms.scores.filters import all_filters, code_column, filter_expr, missing_properties, normalized_text, text_column

PAGES = pl.DataFrame({"page": ["  /Pricing ", "/blog/a", "", None, "/PRICING/eu"]})


def matches(spec: dict, frame: pl.DataFrame = PAGES) -> list[bool]:
    return frame.select(filter_expr(Filter(**spec), set(frame.columns))).to_series().to_list()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"operator": "equals", "value": "/pricing"}, [True, False, False, False, False]),
        ({"operator": "not_equals", "value": "/pricing"}, [False, True, True, True, True]),
        ({"operator": "starts_with", "values": ["/pricing", "/blog"]}, [True, True, False, False, True]),
        ({"operator": "contains", "value": "eu"}, [False, False, False, False, True]),
        ({"operator": "not_contains", "value": "eu"}, [True, True, True, True, False]),
        ({"operator": "is_known"}, [True, True, False, False, True]),
        ({"operator": "is_unknown"}, [False, False, True, True, False]),
        ({"operator": "is_none_of", "values": ["/pricing", "/blog/a"]}, [False, False, True, True, True]),
    ],
)
def test_text_operators_and_null_rules(spec, expected):
    assert matches({"property": "page", **spec}) == expected


def test_numbers_are_read_from_text_and_text_never_matches():
    sizes = pl.DataFrame({"size": ["10", " 30.5", "many", None]})
    assert matches({"property": "size", "operator": "gt", "value": 20}, sizes) == [False, True, False, False]
    assert matches({"property": "size", "operator": "lte", "value": 10}, sizes) == [True, False, False, False]


def test_a_missing_property_is_unknown_everywhere():
    spec = Filter(property="form_id", operator="is_unknown")
    assert PAGES.with_columns(filter_expr(spec, set(PAGES.columns)).alias("m"))["m"].to_list() == [True] * 5
    assert missing_properties([spec], set(PAGES.columns)) == ["form_id"]


def test_codes_look_up_a_filter_evaluated_once_per_distinct_value():
    values = {"page": pl.DataFrame({"page": ["/pricing", "/blog/a", None]}).select(normalized_text("page"))}
    coded = pl.DataFrame({code_column("page"): [1, 0, 2, 0]})
    spec = Filter(property="page", operator="equals", value="/pricing")
    assert coded.select(filter_expr(spec, {"page"}, values=values)).to_series().to_list() == [False, True, False, True]
    assert text_column("page") in values["page"].columns


def test_all_filters_and_narrowing_to_one_value():
    both = [Filter(property="page", operator="is_any_of", values=["/pricing", "/blog/a"]), Filter(property="page", operator="is_known")]
    narrowed = PAGES.select(all_filters(both, {"page"}, (both[0], ["/blog/a"]))).to_series().to_list()
    assert narrowed == [False, True, False, False, False]
    assert PAGES.with_columns(all_filters([], {"page"}).alias("m"))["m"].to_list() == [True] * 5
