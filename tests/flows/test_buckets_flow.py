"""A run split into contact buckets publishes the warehouse a one-bucket run does: every table and
view, the score history included, row for row; each score table holds one part per bucket, the
history one per bucket and company slice."""

from __future__ import annotations

import polars as pl

from flows.io.paths import Paths
from flows.io.storage import publish, staging_dir
from flows.io.warehouse import ensure_catalog, published_days
from tests.conftest import SNAPSHOT_DAY, dump_warehouse, load_ten_days


def test_five_buckets_publish_the_rows_of_one(small_snapshot, one_bucket_load, tmp_path, monkeypatch, prefect_harness):
    monkeypatch.setenv("ENGAGE_BUCKETS", "5")
    five = load_ten_days(small_snapshot, tmp_path / "warehouse.duckdb")
    assert dump_warehouse(five) == dump_warehouse(one_bucket_load)
    paths = Paths.of(five)
    day = paths.day(SNAPSHOT_DAY)
    buckets = [f"bucket-{b}" for b in range(5)]
    # The companies in two slices, each merged and stored on its own, in the day and in the history.
    slices = ["companies-0", "companies-1"]
    assert sorted(p.name for p in (day / "engagement_scores").iterdir()) == [f"{name}.parquet" for name in [*buckets, *slices]]
    assert sorted(p.name for p in paths.history.iterdir() if p.is_dir()) == ["_schema", *buckets, *slices]
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
