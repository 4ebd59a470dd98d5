"""Decay: whole periods take whole percents of an event's points, never below nothing."""

from __future__ import annotations

import polars as pl

from transforms.scores.decay import decay_factor, remaining_after, unit_remaining


def test_each_whole_period_takes_its_percent_down_to_zero():
    periods = pl.DataFrame({"k": [0, 1, 3, 4, 9]})
    assert periods.select(remaining_after(pl.col("k"), 25)).to_series().to_list() == [100, 75, 25, 0, 0]


def test_months_count_in_whole_periods_of_every_months():
    months = pl.DataFrame({"m": [0, 2, 3, 5, 6, 12]})
    out = months.select(decay_factor(pl.col("m"), pl.lit(10), pl.lit(3))).to_series().to_list()
    assert out == [100, 100, 90, 90, 80, 60]


def test_a_unit_without_decay_keeps_every_point():
    frame = pl.DataFrame({"months": [0, 40]})
    assert frame.select(unit_remaining({"decay_percent": 0, "decay_months": 1})).to_series().to_list() == [100]
    assert frame.select(unit_remaining({"decay_percent": 50, "decay_months": 12})).to_series().to_list() == [100, 0]
