"""Plain-text charts for the terminal."""

from __future__ import annotations

import polars as pl

BAR = "█"


def histogram(distribution: pl.DataFrame, width: int = 40) -> str:
    """The buckets of one definition's distribution as bars, then its band counts."""
    buckets = distribution.filter(pl.col("band").is_null()).sort("bucket_low")
    peak = max(buckets["records"].max() or 0, 1)
    lines = []
    for row in buckets.iter_rows(named=True):
        closing = "]" if row["bucket_high"] == buckets["bucket_high"].max() else ")"
        bar = BAR * round(width * row["records"] / peak)
        lines.append(f"[{row['bucket_low']:>6g}, {row['bucket_high']:>6g}{closing} {bar} {row['records']}")
    bands = distribution.filter(pl.col("band").is_not_null())
    if bands.height:
        lines.append("bands: " + ", ".join(f"{r['band']} {r['records']}" for r in bands.iter_rows(named=True)))
    return "\n".join(lines)
