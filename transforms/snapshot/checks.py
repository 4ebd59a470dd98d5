"""Pandera schemas of the snapshot tables, generated from the data contract."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from transforms.snapshot.contract import EARLIEST_DAY, LATEST_DAY, Column, ForeignKey, Table

DUPLICATE_KEY = "duplicate key"


def _present(keys: pl.LazyFrame, columns: list[str], frame: pl.LazyFrame, on: list[str]) -> pl.LazyFrame:
    """One boolean column: does each row of `frame` find its `on` values among `keys` (each key once:
    the kept keys of a validated parent table)?"""
    # The parent keys the rows name are found first, by a semi join that hashes the rows' keys, not
    # the parent's: checking 500k rows against 10M contacts so held 130 MiB instead of 1.2 GiB.
    renamed = keys.select([pl.col(p).alias(c) for p, c in zip(columns, on, strict=True)])
    found = renamed.join(frame.select(on), on=on, how="semi", nulls_equal=False).with_columns(_found=pl.lit(True))
    return frame.join(found, on=on, how="left", maintain_order="left", nulls_equal=False).select(pl.col("_found").fill_null(False))


def _foreign_key_check(fk: ForeignKey, parents: dict[str, pl.DataFrame]) -> pa.Check:
    on = list(fk.columns)
    if fk.parent_by is None:
        keys = parents[fk.parent].lazy()
        error = f"dangling reference: no {fk.parent} row with this ({', '.join(fk.parent_columns)})"

        def check(data: pa.PolarsData) -> pl.LazyFrame:
            return _present(keys, list(fk.parent_columns), data.lazyframe, on)

        return pa.Check(check, error=error)

    selector, choices = fk.parent_by
    union = pl.concat(
        [
            parents[parent].lazy().select(pl.lit(value).alias(selector), pl.col("portal_id"), pl.col(id_column).alias("record_id"))
            for value, parent, id_column in choices
        ]
    )
    names = " / ".join(parent for _, parent, _ in choices)

    def check_polymorphic(data: pa.PolarsData) -> pl.LazyFrame:
        return _present(union, [selector, *on], data.lazyframe, [selector, *on])

    return pa.Check(check_polymorphic, error=f"dangling reference: no {names} row with this record_id")


def _column_checks(column: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if column.enum:
        checks.append(pa.Check.isin(list(column.enum), error=f"not one of {', '.join(column.enum)}"))
    if column.ge is not None:
        checks.append(pa.Check.ge(column.ge, error=f"must be >= {column.ge:g}"))
    if column.gt is not None:
        checks.append(pa.Check.gt(column.gt, error=f"must be > {column.gt:g}"))
    if column.le is not None:
        checks.append(pa.Check.le(column.le, error=f"must be <= {column.le:g}"))
    if column.kind in ("ts", "date"):
        checks.append(
            pa.Check(
                lambda d: d.lazyframe.select(pl.col(d.key).cast(pl.Date).is_between(EARLIEST_DAY, LATEST_DAY)),
                error=f"not between {EARLIEST_DAY} and {LATEST_DAY}",
            )
        )
    if column.pattern is not None:
        checks.append(pa.Check.str_matches(column.pattern, error=f"does not match {column.pattern}"))
    if column.kind == "float":
        checks.append(pa.Check(lambda d: d.lazyframe.select(pl.col(d.key).is_finite()), error="not a finite number"))
    return checks


def snapshot_schema(
    table: Table,
    parents: dict[str, pl.DataFrame] | None = None,
    unique: bool = True,
    references: tuple[ForeignKey, ...] | None = None,
) -> pa.DataFrameSchema:
    """Return the Pandera schema of `table`; with `parents` (kept parent keys) it checks the foreign
    keys (those of `references` only, when given: the others are checked elsewhere); without
    `unique` it leaves key uniqueness to a pass over every row of the table."""
    columns: dict[str, pa.Column] = {}
    fk_checks: dict[str, list[pa.Check]] = {}
    for fk in (table.foreign_keys if references is None else references) if parents is not None else ():
        fk_checks.setdefault(fk.columns[-1], []).append(_foreign_key_check(fk, parents or {}))
    for column in table.columns:
        columns[column.name] = pa.Column(
            column.dtype,
            checks=_column_checks(column) + fk_checks.get(column.name, []),
            nullable=column.nullable,
        )
    return pa.DataFrameSchema(columns, unique=list(table.key) if unique else None, name=table.name, strict=False)


def references_schema(table: Table, references: tuple[ForeignKey, ...], parents: dict[str, pl.DataFrame]) -> pa.DataFrameSchema:
    """Return a Pandera schema that checks only `references` (foreign keys of `table`) against `parents`."""
    columns = {
        fk.columns[-1]: pa.Column(table.column(fk.columns[-1]).dtype, checks=[_foreign_key_check(fk, parents)], nullable=True)
        for fk in references
    }
    return pa.DataFrameSchema(columns, name=table.name, strict=False)
