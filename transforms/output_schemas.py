"""Pandera schemas of every computed table, and the check run on each before it is loaded."""

from __future__ import annotations

import polars as pl
import pandera.polars as pa
from pandera.errors import SchemaErrors

OUTPUT_SCHEMAS: dict[str, pa.DataFrameSchema] = {}


class OutputValidationError(ValueError):
    """A computed table broke its schema: the message lists the first failures."""


def register(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """Add `schema` to the registry under its name; return it."""
    OUTPUT_SCHEMAS[schema.name] = schema
    return schema


def polars_schema(name: str) -> dict[str, pl.DataType]:
    """Return the column types of the output table `name`."""
    return {column: spec.dtype.type for column, spec in OUTPUT_SCHEMAS[name].columns.items()}


def validate_output(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return `frame` with the registered column order once it passes its schema, values included."""
    return validate_with(OUTPUT_SCHEMAS[name], frame)


def validate_with(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame:
    """Return `frame` in the schema's column order once it passes `schema`, values included."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.head(10).select("column", "check", "failure_case", "index").to_dicts()
        raise OutputValidationError(f"{schema.name}: {exc.failure_cases.height} failure(s), first: {cases}") from exc
    return frame.select(list(schema.columns))
