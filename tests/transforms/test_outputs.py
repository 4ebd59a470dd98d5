"""Every day table is registered once, with its types and its check."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms.common.tables import OutputValidationError
from transforms.outputs import DAY_TABLES, OUTPUT_SCHEMAS, polars_schema, validate_output


def test_each_day_table_is_registered_under_its_name_with_an_as_of_column():
    assert len(OUTPUT_SCHEMAS) == len(DAY_TABLES) == 15
    for name, schema in OUTPUT_SCHEMAS.items():
        assert schema.name == name and polars_schema(name)["as_of"] == pl.Date()


def test_validate_output_returns_the_registered_column_order_or_says_what_failed():
    frame = pl.DataFrame({"upcoming_renewal_decisions": [2], "as_of": [date(2026, 6, 30)]})
    assert validate_output("client_alerts", frame).columns == ["as_of", "upcoming_renewal_decisions"]
    with pytest.raises(OutputValidationError, match="client_alerts"):
        validate_output("client_alerts", frame.with_columns(pl.lit(-1).alias("upcoming_renewal_decisions")))
