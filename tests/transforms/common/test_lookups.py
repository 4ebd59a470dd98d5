"""Array lookups by an integer that numbers a small table's rows."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.common.lookups import gather, id_count, lookup, row_values


def test_lookup_reads_the_row_an_id_numbers_and_null_for_a_null_id():
    units = pl.DataFrame({"unit_id": [2, 0, 1], "points": [30, 10, 20]})
    frame = pl.DataFrame({"u": [1, 2, None, 0]})
    assert frame.select(lookup(pl.col("u"), units, "unit_id", "points")).to_series().to_list() == [20, 30, None, 10]


def test_lookup_refuses_ids_that_do_not_number_rows_from_zero():
    with pytest.raises(ValueError, match="does not number its rows from 0"):
        lookup(pl.col("u"), pl.DataFrame({"unit_id": [1, 2], "points": [1, 2]}), "unit_id", "points")


def test_row_values_and_gather_pick_rows_by_position():
    records = pl.DataFrame({"portal_id": [7, 8], "record_id": [70, 80]})
    picked = pl.DataFrame({"record": [1, 1, 0]}).select(row_values(records, "record", "portal_id", "record_id"))
    assert picked.rows() == [(8, 80), (8, 80), (7, 70)]
    assert pl.select(gather(pl.Series([5, 6]), pl.lit(1))).to_series().to_list() == [6]


def test_id_count_is_the_largest_id_plus_one():
    assert id_count(pl.Series([0, 3, 1])) == 4
    assert id_count(pl.Series([], dtype=pl.Int64)) == 0
