"""How a table's Pandera schema is written (each column with its description beside it) and checked."""

from __future__ import annotations

from collections.abc import Sequence

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors


class OutputValidationError(ValueError):
    """A computed table broke its schema: the message lists the first failures."""


def column(
    dtype: pl.DataType | type[pl.DataType], description: str, checks: pa.Check | list[pa.Check] | None = None, nullable: bool = False
) -> pa.Column:
    """A schema column with its meaning for the data dictionary and the warehouse comments."""
    return pa.Column(dtype, checks=checks, nullable=nullable, description=description)


def described(base: pa.Column, description: str) -> pa.Column:
    """`base` (a shared column kind: money, a count) with this table's meaning of it."""
    return pa.Column(base.dtype.type, checks=base.checks, nullable=base.nullable, description=description)


def table(
    name: str, description: str, columns: dict[str, pa.Column], unique: Sequence[str], checks: list[pa.Check] | None = None
) -> pa.DataFrameSchema:
    """A strict table schema: exactly these columns, one row per `unique` key."""
    return pa.DataFrameSchema(columns, unique=list(unique), name=name, description=description, strict=True, checks=checks or [])


def polars_types(schema: pa.DataFrameSchema) -> pl.Schema:
    """The column types of `schema`, in its column order."""
    return pl.Schema({name: spec.dtype.type for name, spec in schema.columns.items()})


def validate_with(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pl.DataFrame:
    """Return `frame` in the schema's column order once it passes `schema`, values included."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.head(10).select("column", "check", "failure_case", "index").to_dicts()
        raise OutputValidationError(f"{schema.name}: {exc.failure_cases.height} failure(s), first: {cases}") from exc
    return frame.select(list(schema.columns))
