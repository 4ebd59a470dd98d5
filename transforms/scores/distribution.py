"""The score distribution: records per tenth of the score range, and per band."""

from __future__ import annotations

import polars as pl

from transforms.scores.definition import ScoreDefinition


def score_distribution(scores: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """Per definition: record counts in 10 equal buckets over [0, score_limit] (the last one closed),
    then one row per band (its score range and count) when the definition has thresholds."""
    frames = []
    for index, d in enumerate(definitions):
        width = d.score_limit / 10
        buckets = pl.LazyFrame({"bucket": list(range(10))}).with_columns(
            (pl.col("bucket") * width).alias("bucket_low"), ((pl.col("bucket") + 1) * width).alias("bucket_high")
        )
        own = scores.filter(pl.col("score_index") == index)
        counted = (
            own.select(pl.min_horizontal((pl.col("score") / width).floor().cast(pl.Int64), pl.lit(9)).alias("bucket"))
            .group_by("bucket")
            .agg(pl.len().alias("records"))
        )
        frames.append(
            buckets.join(counted, on="bucket", how="left", maintain_order="left").select(
                pl.lit(d.id).alias("score_id"),
                "bucket_low",
                "bucket_high",
                pl.lit(None, dtype=pl.String).alias("band"),
                pl.col("records").fill_null(0).cast(pl.Int64),
            )
        )
        if d.thresholds:
            bands = pl.LazyFrame(
                {
                    "band": ["low", "medium", "high"],
                    "bucket_low": [0.0, float(d.thresholds.medium), float(d.thresholds.high)],
                    "bucket_high": [float(d.thresholds.medium), float(d.thresholds.high), float(d.score_limit)],
                }
            )
            counted_bands = own.group_by("band").agg(pl.len().alias("records"))
            frames.append(
                bands.join(counted_bands, on="band", how="left", maintain_order="left").select(
                    pl.lit(d.id).alias("score_id"), "bucket_low", "bucket_high", "band", pl.col("records").fill_null(0).cast(pl.Int64)
                )
            )
    return pl.concat(frames)
