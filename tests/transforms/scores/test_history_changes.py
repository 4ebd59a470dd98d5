"""Change rows of the stored score history, on tiny hand-checked frames."""

from datetime import date

import polars as pl

from transforms.scores.history_changes import CHANGE_SCHEMA, range_changes, state_diff, state_on

D = [date(2026, 1, n) for n in range(1, 11)]


def rows(*items: tuple) -> pl.LazyFrame:
    """items: (record_id, score, band, valid_from[, valid_to])."""
    frame = pl.DataFrame([("s", "contact", 1, r[0], r[1], r[2], r[3]) for r in items], schema=list(CHANGE_SCHEMA), orient="row").cast(
        CHANGE_SCHEMA
    )
    return frame.with_columns(pl.Series("valid_to", [r[4] if len(r) > 4 else None for r in items], dtype=pl.Date)).lazy()


def simple(frame: pl.LazyFrame) -> list[tuple]:
    return frame.select("record_id", "score", "band", "valid_from").sort("record_id", "valid_from").collect().rows()


def test_state_on_takes_each_records_last_change_and_drops_those_that_left():
    changes = rows((1, 5.0, "low", D[0]), (1, 9.0, "high", D[3]), (2, 1.0, "low", D[0]), (2, None, None, D[2]), (3, 4.0, None, D[5]))
    assert state_on(changes, D[2]).select("record_id", "score", "band").collect().rows() == [(1, 5.0, "low")]
    assert sorted(state_on(changes, D[6]).select("record_id", "score").collect().rows()) == [(1, 9.0), (3, 4.0)]


def test_state_diff_keeps_changes_and_appearances_and_marks_leavers():
    before = rows((1, 5.0, "low", D[0]), (2, 1.0, None, D[0]), (3, 2.0, None, D[0]))
    after = rows((1, 5.0, "low", D[4]), (2, 1.0, "low", D[4]), (4, 7.0, None, D[4]))
    assert simple(state_diff(before, after, ["s"], D[4])) == [(2, 1.0, "low", D[4]), (3, None, None, D[4]), (4, 7.0, None, D[4])]
    assert simple(state_diff(before, after, ["other"], D[4])) == []


def test_range_changes_drop_an_unchanged_first_day_and_keep_later_intervals():
    previous = rows((1, 5.0, None, D[0]))
    intervals = rows((1, 5.0, None, D[2], D[4]), (1, 6.0, None, D[4]), (2, 0.0, None, D[2]))
    assert simple(range_changes(previous, intervals, ["s"], D[2])) == [(1, 6.0, None, D[4]), (2, 0.0, None, D[2])]
