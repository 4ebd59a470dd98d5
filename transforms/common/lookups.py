"""Array lookups: a small table's values picked by an integer column that numbers its rows.

Inside the engines units, rules, groups, members and records are numbered 0..n-1, so reading one of
their attributes is a gather by that number: on 10M rows 0.04 s, against 0.58 s for a join.
"""

from __future__ import annotations

import polars as pl


def gather(values: pl.Series, index: pl.Expr) -> pl.Expr:
    """The entries of `values` at the positions `index` (null where `index` is null)."""
    return pl.lit(values).gather(index)


def row_values(frame: pl.DataFrame, row: str, *columns: str) -> list[pl.Expr]:
    """`columns` of `frame` at the row numbered by column `row` (`member` or `record`, which number
    their tables' rows), each named after its column."""
    return [gather(frame[c], pl.col(row)).alias(c) for c in columns]


def lookup(column: pl.Expr, frame: pl.DataFrame, key: str, value: str) -> pl.Expr:
    """`value` of the row of `frame` whose `key` (an id numbering a small table from 0: unit, rule,
    group) equals `column`, null for a null id."""
    table = frame.select(key, value).unique(key).sort(key)
    if not table[key].equals(pl.Series(key, range(table.height), dtype=table.schema[key])):
        raise ValueError(f"lookup: {key} does not number its rows from 0")
    return gather(table[value], column)


def id_count(ids: pl.Series) -> int:
    """How many ids number a small table from 0: the largest plus one (0 for none)."""
    largest = ids.max()
    return int(largest) + 1 if isinstance(largest, int) else 0
