"""Bands: `low`, `medium` and `high`, cut by two thresholds (a score from `medium` up is medium, from
`high` up is high). Engagement scores, the platform engagement index and their charts share them."""

from __future__ import annotations

import polars as pl

BANDS = ("low", "medium", "high")


def band_of(score: pl.Expr, medium: float | pl.Expr, high: float | pl.Expr) -> pl.Expr:
    """`high` where score >= high, else `medium` where score >= medium, else `low`."""
    return pl.when(score >= high).then(pl.lit("high")).when(score >= medium).then(pl.lit("medium")).otherwise(pl.lit("low"))
