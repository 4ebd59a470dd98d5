"""The lake: validated snapshot tables, one partition per table and snapshot date; contact-keyed
tables in one file per contact bucket (`part-<bucket>.parquet`, absent when the bucket is empty)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import TypeVar

import polars as pl

from flows.io.paths import SNAPSHOT_PREFIX, Paths, dated_folders
from flows.io.storage import VERSIONS, publish, replace_link, staging_dir, write_text
from transforms.common.sorting import sorted_by
from transforms.snapshot.buckets import BUCKETED_TABLES
from transforms.snapshot.contract import INGEST_ORDER, TABLES

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def lake_schema(table: str) -> pl.Schema:
    """The column types of a lake table: the contract's and the snapshot date."""
    return pl.Schema({**TABLES[table].schema(), "snapshot_date": pl.Date()})


def lake_files(paths: Paths, table: str, snapshot_date: date, bucket: int | None = None) -> list[Path]:
    """The part files of `table` as ingested for `snapshot_date` (of contact bucket `bucket` alone
    when given and the table is split into buckets), those that exist."""
    folder = paths.lake_data(table, snapshot_date)
    if bucket is not None and table in BUCKETED_TABLES:
        files = [folder / f"part-{bucket}.parquet"]
    else:
        files = sorted(folder.glob("part-*.parquet"))
    return [path for path in files if path.exists()]


def lake_table(paths: Paths, table: str, snapshot_date: date, bucket: int | None = None) -> pl.LazyFrame:
    """Return the validated rows of `table` as ingested for `snapshot_date`: of contact bucket
    `bucket` alone when given and the table is split into buckets."""
    files = lake_files(paths, table, snapshot_date, bucket)
    # A list of files, never a pattern: the warehouse's own path may hold `*?[`.
    return pl.scan_parquet(files, glob=False) if files else pl.LazyFrame(schema=lake_schema(table))


def _link(link: Path, target: Path) -> None:
    """Make `link` a relative link to `target`, replacing what it was in one step."""
    if link.is_symlink() and os.readlink(link) == os.path.relpath(target, link.parent):
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    previous = link.resolve() if link.is_symlink() else None
    replace_link(link, target)
    # A version from before snapshots were published whole (`<table>/.versions/...`) is no longer read.
    if previous is not None and previous.parent.parent.name == VERSIONS and previous.parents[2] == link.parent:
        shutil.rmtree(previous.parent, ignore_errors=True)


def publish_snapshot(
    paths: Paths, snapshot_date: date, staged: Path, manifest: list[dict[str, object]], inputs: dict[str, object] | None = None
) -> None:
    """Swap the ingest staged in `staged` (`<table>/part-*.parquet`, `_quarantine/`) in as the lake's
    snapshot of `snapshot_date`, every table, the quarantine, the manifest and the `inputs` that
    decided them in one atomic step: a crash before it leaves the previous snapshot whole, never new
    contacts beside old events."""
    link = paths.lake_snapshot(snapshot_date)
    link.parent.mkdir(parents=True, exist_ok=True)
    version = staging_dir(link)
    for table in INGEST_ORDER:
        (version / table).mkdir()
        (staged / table).rename(version / table / "data")
    (version / "_quarantine").mkdir()
    (staged / "_quarantine").rename(version / "_quarantine" / "tables")
    write_text(json.dumps(manifest, indent=2), version / "manifest.json")
    if inputs is not None:
        write_text(json.dumps(inputs, indent=2), version / "inputs.json")
    # The tables' own links point into the snapshot's link, so they change with it.
    for table in INGEST_ORDER:
        _link(paths.lake_partition(table, snapshot_date), link / table)
    _link(paths.quarantine_partition(snapshot_date), link / "_quarantine")
    publish(version, link)


def lake_buckets(paths: Paths, snapshot_date: date) -> int:
    """How many contact buckets the snapshot of `snapshot_date` was split into (its manifest's)."""
    manifest = paths.lake_manifest(snapshot_date)
    if not manifest.exists():
        # Where the manifest was kept before a snapshot was published whole.
        manifest = paths.lake / "_manifests" / f"{SNAPSHOT_PREFIX}{snapshot_date.isoformat()}.json"
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
