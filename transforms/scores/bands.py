"""The band of each score by its own definition's thresholds."""

from __future__ import annotations

import polars as pl

from transforms.common.bands import band_of
from transforms.scores.definition import ScoreDefinition


def score_band(score: pl.Expr, definitions: list[ScoreDefinition]) -> pl.Expr:
    """`high` / `medium` / `low` by the definition's thresholds; null without thresholds (needs `score_index`)."""
    expr = pl.lit(None, dtype=pl.String)
    for index, d in enumerate(definitions):
        if d.thresholds is None:
            continue
        expr = pl.when(pl.col("score_index") == index).then(band_of(score, d.thresholds.medium, d.thresholds.high)).otherwise(expr)
    return expr
