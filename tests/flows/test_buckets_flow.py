"""A run split into contact buckets publishes the warehouse a one-bucket run does: every table and
view, the score history included, row for row; each score table holds one part per bucket."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.io.paths import Paths
from flows.io.storage import publish, staging_dir
from flows.io.warehouse import ensure_catalog, published_days
from tests.conftest import BACKFILL_FIRST, SNAPSHOT_DAY, dump_warehouse


def _run(small_snapshot: Path, folder: Path, buckets: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    from flows.daily import backfill_flow, daily_flow

    monkeypatch.setenv("ENGAGE_BUCKETS", str(buckets))
    warehouse = folder / "warehouse.duckdb"
    backfill_flow(str(small_snapshot), BACKFILL_FIRST, SNAPSHOT_DAY, str(warehouse), every=20, history_only=True)
    daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(warehouse))
    return warehouse


def test_three_buckets_publish_the_rows_of_one(small_snapshot, tmp_path, monkeypatch, prefect_harness):
    one = _run(small_snapshot, tmp_path / "one", 1, monkeypatch)
    three = _run(small_snapshot, tmp_path / "three", 3, monkeypatch)
    assert dump_warehouse(three) == dump_warehouse(one)
    day = Paths.of(three).day(SNAPSHOT_DAY)
    assert sorted(p.name for p in (day / "engagement_scores").iterdir()) == [
        "bucket-0.parquet",
        "bucket-1.parquet",
        "bucket-2.parquet",
        "companies.parquet",
    ]
    assert [p.name for p in (day / "partner_tier").iterdir()] == ["all.parquet"]


def test_a_day_stored_as_one_file_per_table_moves_into_parts(tmp_path):
    from flows.io.warehouse import day_table_schemas

    paths = Paths.of(tmp_path / "warehouse.duckdb")
    flat = staging_dir(paths.day(SNAPSHOT_DAY))
    scores = pl.DataFrame(schema=day_table_schemas()["engagement_scores"])
    scores.write_parquet(flat / "engagement_scores.parquet")
    publish(flat, paths.day(SNAPSHOT_DAY))
    ensure_catalog(paths, day_table_schemas())
    assert published_days(paths) == [SNAPSHOT_DAY]
    assert [p.name for p in paths.day(SNAPSHOT_DAY).iterdir()] == ["engagement_scores"]
    assert pl.read_parquet(paths.day(SNAPSHOT_DAY) / "engagement_scores" / "all.parquet").schema == scores.schema
