"""The lake: validated snapshot tables, one partition per table and snapshot date."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import polars as pl

from flows.io.paths import SNAPSHOT_PREFIX, Paths, dated_folders
from transforms.snapshot.contract import TABLES

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def lake_table(paths: Paths, table: str, snapshot_date: date) -> pl.LazyFrame:
    """Return the validated rows of `table` as ingested for `snapshot_date`."""
    return pl.scan_parquet(paths.lake_partition(table, snapshot_date) / "data" / "*.parquet")


def snapshot_dates(paths: Paths, table: str) -> list[date]:
    """The snapshot dates the lake holds `table` for, ascending."""
    return dated_folders(paths.lake / table, SNAPSHOT_PREFIX)


def stored_order(frame: FrameT, table_name: str) -> FrameT:
    """`frame` in the order the lake stores `table_name`: its contract's `cluster_by`, if any."""
    cluster = TABLES[table_name].cluster_by
    return frame.sort(cluster) if cluster else frame
