"""Split a parsed snapshot table into kept rows and quarantined rows with their reasons."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from transforms.snapshot.checks import DUPLICATE_KEY, references_schema, snapshot_schema
from transforms.snapshot.contract import ForeignKey, Table
from transforms.snapshot.parse import PARSE_COLUMN, PARSE_ERROR

ROW = "_row"
# The file a row was read from (its row within it is `_source_row`).
SOURCE_FILE = "_source_file"
QUARANTINE_SCHEMA = pl.Schema(
    {
        "table_name": pl.String,
        "source_file": pl.String,
        "source_row": pl.Int64,
        "record_key": pl.String,
        "column_name": pl.String,
        "reason": pl.String,
        "row_json": pl.String,
    }
)


FAILURE_SCHEMA = pl.Schema({ROW: pl.Int64(), "column_name": pl.String(), "reason": pl.String()})


@dataclass(frozen=True)
class Validated:
    kept: pl.DataFrame
    quarantine: pl.DataFrame

    @property
    def rows_quarantined(self) -> int:
        return self.quarantine.select(pl.struct("source_file", "source_row").n_unique()).item() if self.quarantine.height else 0


def _reasons(failure_cases: pl.DataFrame) -> pl.DataFrame:
    """(row, column, reason) per failed check."""
    return failure_cases.filter(pl.col("index").is_not_null()).select(
        pl.col("index").cast(pl.Int64).alias(ROW),
        pl.col("column").alias("column_name"),
        pl.when(pl.col("check") == "not_nullable").then(pl.lit("null in a non-nullable column")).otherwise(pl.col("check")).alias("reason"),
    )


def _schema_failures(typed: pl.DataFrame, schema: pa.DataFrameSchema, table: Table) -> pl.DataFrame:
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as exc:
        dtype_failures = exc.failure_cases.filter(pl.col("index").is_null() & (pl.col("schema_context") == "Column"))
        if dtype_failures.height:
            raise ValueError(f"{table.name}: columns of the wrong type after parsing: {dtype_failures.to_dicts()}") from exc
        return _reasons(exc.failure_cases)
    return pl.DataFrame(schema=FAILURE_SCHEMA)


def _numbered_failures(rows: pl.DataFrame, schema: pa.DataFrameSchema, table: Table) -> pl.DataFrame:
    """(ROW, column_name, reason) of `rows` (numbered by ROW) that `schema` refuses."""
    failures = _schema_failures(rows.drop(ROW, *[c for c in rows.columns if c.startswith("_")]), schema, table)
    # Pandera reports positions within the rows it saw; map them back to row numbers.
    return failures.with_columns(rows[ROW].gather(failures[ROW]).alias(ROW)).cast(FAILURE_SCHEMA)


def row_failures(
    frame: pl.DataFrame, table: Table, parents: dict[str, pl.DataFrame], references: tuple[ForeignKey, ...] | None = None
) -> pl.DataFrame:
    """(ROW, column_name, reason) of the rows of `frame` (parsed rows numbered by ROW) that fail to
    parse, fail a value check or reference a missing parent (only through `references`, when given):
    every check but key uniqueness, which needs all the table's rows (`duplicate_keys`)."""
    parse_failures = frame.filter(pl.col(PARSE_ERROR).is_not_null()).select(
        ROW, pl.col(PARSE_COLUMN).alias("column_name"), pl.col(PARSE_ERROR).alias("reason")
    )
    schema = snapshot_schema(table, parents, unique=False, references=references)
    schema_failures = _numbered_failures(frame.filter(pl.col(PARSE_ERROR).is_null()), schema, table)
    return pl.concat([parse_failures.cast(FAILURE_SCHEMA), schema_failures])


def reference_failures(
    rows: pl.DataFrame, table: Table, references: tuple[ForeignKey, ...], parents: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """(ROW, column_name, reason) of `rows` (parsed rows numbered by ROW) whose `references` find no
    row among `parents`."""
    return _numbered_failures(rows, references_schema(table, references, parents), table)


def duplicate_keys(rows: pl.LazyFrame, table: Table) -> pl.LazyFrame:
    """(ROW, column_name, reason) of both (every) copies of each key that more than one of `rows`
    (ROW and the key columns of every row that parsed) holds."""
    key = list(table.key)
    repeated = rows.group_by(key).agg(pl.len().alias("_copies")).filter(pl.col("_copies") > 1)
    return rows.join(repeated, on=key, how="semi", nulls_equal=True).select(
        ROW, pl.lit(", ".join(key)).alias("column_name"), pl.lit(f"{DUPLICATE_KEY} ({', '.join(key)})").alias("reason")
    )


def quarantine_rows(failures: pl.DataFrame, rejected: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The quarantine lines of `failures` (ROW, column_name, reason), one per reason, with the source
    file, row, key and whole row of each from `rejected` (failing rows numbered by ROW; failures of
    rows not in it are left to the call that holds them)."""
    data_columns = [c for c in rejected.columns if not c.startswith("_")]
    described = rejected.select(
        ROW,
        pl.col(SOURCE_FILE).cast(pl.String).alias("source_file"),
        pl.col("_source_row").cast(pl.Int64).alias("source_row"),
        pl.struct([pl.col(c).cast(pl.String) for c in table.key]).struct.json_encode().alias("record_key"),
        pl.struct([pl.col(c).cast(pl.String) for c in data_columns]).struct.json_encode().alias("row_json"),
    )
    return (
        failures.join(described, on=ROW, how="inner")
        .select(pl.lit(table.name).alias("table_name"), *[c for c in QUARANTINE_SCHEMA if c != "table_name"])
        .sort("source_file", "source_row", "column_name", "reason")
        .cast(QUARANTINE_SCHEMA)
    )


def validate_table(parsed: pl.DataFrame, table: Table, parents: dict[str, pl.DataFrame]) -> Validated:
    """Return the rows of `parsed` that meet the contract and the others, one quarantine row per reason."""
    frame = parsed.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    duplicates = duplicate_keys(frame.lazy().filter(pl.col(PARSE_ERROR).is_null()).select(ROW, *table.key), table).collect()
    failures = pl.concat([row_failures(frame, table, parents), duplicates.cast(FAILURE_SCHEMA)])
    bad = failures.get_column(ROW).unique().implode()
    data_columns = [c for c in frame.columns if not c.startswith("_")]
    quarantine = quarantine_rows(failures, frame.filter(pl.col(ROW).is_in(bad)), table)
    kept = frame.filter(~pl.col(ROW).is_in(bad)).select(data_columns)
    return Validated(kept=kept, quarantine=quarantine)
