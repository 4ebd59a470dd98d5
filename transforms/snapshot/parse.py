"""Typing of raw snapshot columns (strings from CSV/NDJSON or typed Parquet) to the contract."""

from __future__ import annotations

import re

import polars as pl

from transforms.snapshot.contract import UPPER_CASE_COLUMNS, Column, Table

PARSE_COLUMN = "_parse_column"
PARSE_ERROR = "_parse_error"
# The field past a CSV header's last column: set when a row has more fields than the header.
EXTRA_FIELDS = "_extra_fields"

# Timestamps are normalised to "YYYY-MM-DDTHH:MM:SS[.f][+HH:MM]"; no offset means UTC.
_TS_WITH_OFFSET = "%Y-%m-%dT%H:%M:%S%.f%#z"
_TS_NAIVE = "%Y-%m-%dT%H:%M:%S%.f"
_TS_MINUTES = "%Y-%m-%dT%H:%M"  # CRM exports often drop the seconds ("2026-03-05 14:22")
_MONEY_TEXT = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Float32, pl.Float64)


def _text(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _parse_text(column: Column, table: str, text: pl.Expr) -> pl.Expr:
    kind = column.kind
    if kind in ("id", "int"):
        return text.str.to_integer(strict=False)
    if kind == "float":
        return text.cast(pl.Float64, strict=False)
    if kind == "money":
        return pl.when(text.str.contains(_MONEY_TEXT)).then(text).cast(pl.Decimal(18, 2), strict=False)
    if kind == "date":
        return text.str.to_date("%Y-%m-%d", strict=False)
    if kind == "ts":
        iso = text.str.replace(" ", "T").str.replace(r"[Zz]$", "+00:00")
        return pl.coalesce(
            iso.str.to_datetime(_TS_WITH_OFFSET, time_unit="us", time_zone="UTC", strict=False),
            iso.str.to_datetime(_TS_NAIVE, time_unit="us", strict=False).dt.replace_time_zone("UTC"),
            iso.str.to_datetime(_TS_MINUTES, time_unit="us", strict=False).dt.replace_time_zone("UTC"),
            iso.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        )
    if kind == "enum":
        return text.str.to_lowercase()
    if (table, column.name) in UPPER_CASE_COLUMNS:
        return text.str.to_uppercase()
    return text


def _parse_typed(column: Column, source: pl.DataType) -> pl.Expr | None:
    """Cast a typed (Parquet) column that is not already of the contract type; None: go through text."""
    col = pl.col(column.name)
    if column.kind in ("id", "int") and source in _NUMERIC:
        return pl.when(col.cast(pl.Float64) == col.cast(pl.Float64).round(0)).then(col).cast(pl.Int64, strict=False)
    if column.kind == "float" and source in _NUMERIC:
        return col.cast(pl.Float64)
    if column.kind == "money" and source in _NUMERIC:
        as_float = col.cast(pl.Float64)
        return pl.when((as_float * 100).round(0) == as_float * 100).then(col).cast(pl.Decimal(18, 2), strict=False)
    if column.kind == "money" and isinstance(source, pl.Decimal):
        return pl.when(col == col.cast(pl.Decimal(38, 2))).then(col).cast(pl.Decimal(18, 2), strict=False)
    if column.kind == "ts" and isinstance(source, pl.Datetime):
        typed = col if source.time_zone else col.dt.replace_time_zone("UTC")
        return typed.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if column.kind == "date" and isinstance(source, pl.Datetime):
        return col.dt.date()
    return None


# Added to every row of the lake; a source column of that name would shadow it.
SNAPSHOT_DATE = "snapshot_date"


def extra_name(header: str) -> str:
    """The name an extra (property) column is stored under: lower case, each run of characters other
    than letters, digits and `_` one `_`, none at either end ("First Name" -> first_name)."""
    return re.sub(r"\W+", "_", header.strip().lower()).strip("_")


def column_clash(columns: list[str], table: Table) -> str | None:
    """Why `columns` (a table's headers after mapping) cannot be stored side by side, or None. An
    extra column is stored under its `extra_name`, which may not be a contract column's name or
    `snapshot_date`, nor another extra column's; names starting with `_` are engage's."""
    fixed = {name.lower(): name for name in [*table.column_names, SNAPSHOT_DATE]}
    seen: dict[str, str] = {}
    for name in columns:
        if name in table.column_names:
            continue
        if name.startswith("_"):
            return f"column {name!r}: names starting with '_' are reserved for engage; rename it or map it in column_mappings.yaml"
        stored = extra_name(name)
        if not stored:
            return f"column {name!r} has no letter or digit to name it by; rename it or map it in column_mappings.yaml"
        if stored in fixed:
            return (
                f"column {name!r} clashes with engage's column {fixed[stored]!r} (extra columns are stored in lower "
                "case, words joined by '_'); rename it or map it in column_mappings.yaml"
            )
        if stored in seen:
            return f"columns {seen[stored]!r} and {name!r} would both be stored as {stored!r}; rename one"
        seen[stored] = name
    return None


def parse_table(raw: pl.LazyFrame, table: Table) -> pl.LazyFrame:
    """Return `raw` typed to `table`'s contract, with the first unparseable cell per row named in
    `_parse_column` / `_parse_error` (null when the row parsed); extra columns become strings."""
    # Lists and records (an NDJSON array, a Parquet list) are kept as their JSON text.
    nested = [name for name, dtype in raw.collect_schema().items() if dtype.is_nested()]
    raw = raw.with_columns(
        pl.struct(pl.col(name).alias("v")).struct.json_encode().str.slice(len('{"v":')).str.strip_suffix("}").alias(name) for name in nested
    )
    schema = raw.collect_schema()
    typed: list[pl.Expr] = []
    errors: list[pl.Expr] = []
    for column in table.columns:
        source = schema.get(column.name)
        if source is None:
            typed.append(pl.lit(None, dtype=column.dtype).alias(column.name))
            continue
        if source == column.dtype and column.kind not in ("enum", "str"):
            typed.append(pl.col(column.name))
            continue
        value = _parse_typed(column, source)
        if value is None:
            value = _parse_text(column, table.name, _text(column.name))
        value = value.cast(column.dtype, strict=False)
        typed.append(value.alias(column.name))
        if column.dtype == pl.String:
            # Text kept as text cannot fail: its value is null exactly when its text is.
            continue
        failed = pl.col(column.name).is_not_null() & _text(column.name).is_not_null() & value.is_null()
        shown = _text(column.name).str.slice(0, 80)
        errors.append(
            pl.when(failed).then(
                pl.struct(
                    pl.lit(column.name).alias("column"),
                    pl.concat_str(pl.lit(f"not a valid {column.kind}: '"), shown, pl.lit("'")).alias("reason"),
                )
            )
        )
    extras = [
        pl.col(name).cast(pl.String).alias(extra_name(name))
        for name in schema.names()
        if table.extra_columns and name not in table.column_names and not name.startswith("_")
    ]
    kept_internal = [pl.col(name) for name in schema.names() if name.startswith("_source")]
    if EXTRA_FIELDS in schema:
        ragged = pl.struct(pl.lit(None, dtype=pl.String).alias("column"), pl.lit("the row has more fields than the header").alias("reason"))
        errors.insert(0, pl.when(pl.col(EXTRA_FIELDS).is_not_null()).then(ragged))
    first_error = pl.coalesce(errors) if errors else pl.lit(None, dtype=pl.Struct({"column": pl.String, "reason": pl.String}))
    # The first error is worked out once, then split into its two columns.
    return raw.select(*typed, *extras, *kept_internal, first_error.alias("_first_error")).select(
        pl.exclude("_first_error"),
        pl.col("_first_error").struct.field("column").alias(PARSE_COLUMN),
        pl.col("_first_error").struct.field("reason").alias(PARSE_ERROR),
    )
