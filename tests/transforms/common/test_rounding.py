"""Rounding as the specs state it: half away from zero, in decimals and in integers."""

from __future__ import annotations

import polars as pl

from transforms.common.rounding import divide_rounded, round_half_away


def test_half_away_from_zero_even_where_floats_fall_short():
    values = pl.DataFrame({"v": [1.005, 2.675, -1.005, 0.125, 246.912]})
    assert values.select(round_half_away(pl.col("v")))["v"].to_list() == [1.01, 2.68, -1.01, 0.13, 246.91]
    assert values.select(round_half_away(pl.col("v"), 1))["v"].to_list() == [1.0, 2.7, -1.0, 0.1, 246.9]


def test_integer_division_rounds_halves_up():
    frame = pl.DataFrame({"n": [5, 7, 4, 0], "d": [2, 2, 3, 3]})
    assert frame.select(divide_rounded(pl.col("n"), pl.col("d"))).to_series().to_list() == [3, 4, 1, 0]
