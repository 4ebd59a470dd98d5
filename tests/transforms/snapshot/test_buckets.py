"""Contact buckets: a stable hash, every bucket used, the count following the data size."""

from __future__ import annotations

import polars as pl

from transforms.snapshot.buckets import BUCKET_BYTES, PARQUET_EXPANSION, bucket_count, contact_bucket, contact_hash


def test_the_hash_is_the_same_everywhere():
    # Fixed values: a change here would move every stored contact to another bucket.
    frame = pl.DataFrame({"p": [1, 1, 2], "c": [1, 2, 3]})
    assert frame.select(contact_hash(pl.col("p"), pl.col("c"))).to_series().to_list() == [
        10451216379200822465,
        10905525725756348110,
        12918135221727111561,
    ]


def test_contacts_spread_over_every_bucket_and_null_ids_go_to_the_first():
    frame = pl.DataFrame({"p": [7] * 7000, "c": list(range(7000))})
    counts = frame.select(contact_bucket(pl.col("p"), pl.col("c"), 7)).to_series().value_counts()
    assert counts.height == 7 and counts["count"].min() > 850
    nulls = pl.DataFrame({"p": [None, 1], "c": [1, None]}, schema={"p": pl.Int64, "c": pl.Int64})
    assert nulls.select(contact_bucket(pl.col("p"), pl.col("c"), 7)).to_series().to_list() == [0, 0]


def test_the_count_follows_the_bytes():
    assert [bucket_count(n) for n in (0, 1, BUCKET_BYTES, BUCKET_BYTES + 1, 10 * BUCKET_BYTES)] == [1, 1, 1, 2, 10]
    assert bucket_count(0, BUCKET_BYTES // PARQUET_EXPANSION) == 1 and bucket_count(BUCKET_BYTES, BUCKET_BYTES) == 1 + PARQUET_EXPANSION


def test_workers_with_little_memory_get_smaller_buckets_and_large_limits_change_nothing():
    gib = 1024**3
    # 768 MiB a worker: buckets of 32 MiB of text, four times as many as by size alone.
    assert bucket_count(10 * BUCKET_BYTES, worker_memory=3 * gib // 4) == 40
    assert bucket_count(10 * BUCKET_BYTES, worker_memory=64 * gib) == bucket_count(10 * BUCKET_BYTES) == 10
    assert bucket_count(0, worker_memory=3 * gib // 4) == 1
