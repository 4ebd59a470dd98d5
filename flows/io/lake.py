"""The lake: validated snapshot tables, one partition per table and snapshot date; contact-keyed
tables in one file per contact bucket (`part-<bucket>.parquet`, absent when the bucket is empty)."""

from __future__ import annotations

import json
from datetime import date
from typing import TypeVar

import polars as pl

from flows.io.paths import SNAPSHOT_PREFIX, Paths, dated_folders
from transforms.common.sorting import sorted_by
from transforms.snapshot.buckets import BUCKETED_TABLES
from transforms.snapshot.contract import TABLES

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def lake_schema(table: str) -> pl.Schema:
    """The column types of a lake table: the contract's and the snapshot date."""
    return pl.Schema({**TABLES[table].schema(), "snapshot_date": pl.Date()})


def lake_table(paths: Paths, table: str, snapshot_date: date, bucket: int | None = None) -> pl.LazyFrame:
    """Return the validated rows of `table` as ingested for `snapshot_date`: of contact bucket
    `bucket` alone when given and the table is split into buckets."""
    folder = paths.lake_partition(table, snapshot_date) / "data"
    if bucket is not None and table in BUCKETED_TABLES:
        files = [folder / f"part-{bucket}.parquet"]
    else:
        files = sorted(folder.glob("part-*.parquet"))
    files = [path for path in files if path.exists()]
    # A list of files, never a pattern: the warehouse's own path may hold `*?[`.
    return pl.scan_parquet(files, glob=False) if files else pl.LazyFrame(schema=lake_schema(table))


def lake_buckets(paths: Paths, snapshot_date: date) -> int:
    """How many contact buckets the snapshot of `snapshot_date` was split into (its manifest's)."""
    manifest = paths.lake_manifest(snapshot_date)
    if not manifest.exists():
        return 1
    return max([int(table.get("buckets", 1)) for table in json.loads(manifest.read_text())], default=1)


def snapshot_dates(paths: Paths, table: str) -> list[date]:
    """The snapshot dates the lake holds `table` for, ascending."""
    return dated_folders(paths.lake / table, SNAPSHOT_PREFIX)


def stored_order(frame: FrameT, table_name: str) -> FrameT:
    """`frame` in the order the lake stores `table_name`: its contract's `cluster_by`, if any."""
    cluster = TABLES[table_name].cluster_by
    if not cluster:
        return frame
    return sorted_by(frame, cluster) if isinstance(frame, pl.DataFrame) else frame.sort(cluster)
