"""Rounding as the specs state it."""

import polars as pl


def round_half_away(value: pl.Expr, decimals: int = 2) -> pl.Expr:
    """`value` rounded half away from zero; scaled first so float noise (1.005 stored as 1.00499...)
    does not decide the rounding."""
    scale = 10**decimals
    return ((value * scale).round(6).round(0, mode="half_away_from_zero") / scale).round(decimals)
