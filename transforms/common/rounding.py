"""Rounding as the specs state it."""

import polars as pl


def round_half_away(value: pl.Expr, decimals: int = 2) -> pl.Expr:
    """`value` rounded half away from zero; scaled first so float noise (1.005 stored as 1.00499...)
    does not decide the rounding."""
    scale = 10**decimals
    rounded: pl.Expr = ((value * scale).round(6).round(0, mode="half_away_from_zero") / scale).round(decimals)
    return rounded


def divide_rounded(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator rounded half away from zero, in integers (both >= 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)
