"""Table schemas: columns carry their meaning, and a check reports every failure at once."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pytest

from transforms.common.tables import OutputValidationError, column, described, polars_types, table, validate_with

COUNT = pa.Column(pl.Int64, checks=pa.Check.ge(0))
SCHEMA = table(
    "things",
    "Things per day.",
    {"day": column(pl.Date, "the day"), "n": described(COUNT, "how many"), "label": column(pl.String, "a label", nullable=True)},
    unique=["day"],
)


def test_columns_keep_their_types_checks_and_descriptions():
    assert polars_types(SCHEMA) == pl.Schema({"day": pl.Date(), "n": pl.Int64(), "label": pl.String()})
    assert [c.description for c in SCHEMA.columns.values()] == ["the day", "how many", "a label"]
    assert [str(c) for c in SCHEMA.columns["n"].checks] == [str(c) for c in COUNT.checks]
    assert SCHEMA.description == "Things per day."


def test_validation_orders_columns_and_reports_failures():
    from datetime import date

    good = pl.DataFrame({"label": ["a"], "n": [1], "day": [date(2026, 1, 1)]})
    assert validate_with(SCHEMA, good).columns == ["day", "n", "label"]
    bad = pl.DataFrame({"day": [date(2026, 1, 1)] * 2, "n": [-1, 2], "label": [None, "b"]})
    with pytest.raises(OutputValidationError, match="things: 3 failure"):
        validate_with(SCHEMA, bad)
