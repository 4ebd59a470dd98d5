"""Bands: low below `medium`, medium from `medium`, high from `high`."""

from __future__ import annotations

import polars as pl

from transforms.common.bands import BANDS, band_of


def test_bands_start_at_their_thresholds():
    scores = pl.DataFrame({"s": [0.0, 3.99, 4.0, 6.99, 7.0, 10.0]})
    assert scores.select(band_of(pl.col("s"), 4, 7)).to_series().to_list() == ["low", "low", "medium", "medium", "high", "high"]


def test_thresholds_may_be_columns_and_the_bands_read_low_to_high():
    frame = pl.DataFrame({"s": [5.0, 5.0], "m": [5.0, 6.0], "h": [9.0, 9.0]})
    assert frame.select(band_of(pl.col("s"), pl.col("m"), pl.col("h"))).to_series().to_list() == ["medium", "low"]
    assert BANDS == ("low", "medium", "high")
