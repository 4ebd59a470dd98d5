"""Decay: the hundredths of an event's points that remain after whole decay periods."""

from __future__ import annotations

from typing import Any

import polars as pl


def remaining_after(periods: pl.Expr, percent: pl.Expr | int) -> pl.Expr:
    """Hundredths of an event's points that remain after `periods` whole decay periods: max(0, 100 - k * percent)."""
    return pl.max_horizontal(pl.lit(0, dtype=pl.Int64), 100 - periods * percent)


def decay_factor(months: pl.Expr, percent: pl.Expr, every_months: pl.Expr) -> pl.Expr:
    """Hundredths of an event's points that remain after `months` whole months."""
    return remaining_after(months // every_months, percent)


def unit_remaining(unit: dict[str, Any]) -> pl.Expr:
    """Hundredths of an event's points the unit still counts at as_of (decay by whole periods)."""
    return (
        decay_factor(pl.col("months"), pl.lit(unit["decay_percent"]), pl.lit(unit["decay_months"]))
        if unit["decay_percent"]
        else pl.lit(100, dtype=pl.Int64)
    )
