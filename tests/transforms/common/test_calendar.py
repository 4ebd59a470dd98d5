"""Calendar months: clamped month shifts, whole months between days and instants, the as-of instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from transforms.common.calendar import add_months, as_of_instant, days_between, month_shift, months_between, whole_months


def test_event_months_by_day_lookup_agrees_with_the_calendar_formula():
    from datetime import date, datetime, timedelta

    from transforms.common.calendar import as_of_instant, event_months, whole_months

    stamps = [datetime(2026, 6, 30, tzinfo=UTC) - timedelta(hours=7 * i) for i in range(0, 3000)]
    stamps += [datetime(1901, 1, 31, 5, tzinfo=UTC), datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)]
    frame = pl.DataFrame({"t": stamps}, schema={"t": pl.Datetime("us", "UTC")})
    for as_of in (as_of_instant(date(2026, 6, 30)), as_of_instant(date(2026, 2, 28)), datetime(2026, 5, 31, 8, 30, tzinfo=UTC)):
        earlier = frame.filter(pl.col("t") <= as_of)
        out = earlier.select(event_months(pl.col("t"), as_of).alias("lookup"), whole_months(pl.col("t"), as_of).alias("formula"))
        recent = out.filter(pl.col("formula") < 1200)
        assert recent["lookup"].to_list() == recent["formula"].to_list(), as_of
        assert (out.filter(pl.col("formula") >= 1200)["lookup"] >= 1200).all()  # a century or more: fully decayed either way


def test_month_shift_clamps_to_the_month_end_and_months_between_inverts_it():
    frame = pl.DataFrame({"day": [date(2026, 1, 31), date(2025, 11, 30), date(2026, 2, 28)]})
    shifted = frame.select(month_shift(pl.col("day"), pl.lit(1, dtype=pl.Int64)).alias("d"))["d"].to_list()
    assert shifted == [date(2026, 2, 28), date(2025, 12, 30), date(2026, 3, 28)]
    later = frame.select(months_between(pl.col("day"), pl.lit(date(2026, 2, 27))).alias("m"))["m"].to_list()
    assert later == [0, 2, -1]


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 6, 30), 12) == date(2027, 6, 30)


def test_whole_months_count_the_clock_on_the_day_of_month_itself():
    as_of = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    frame = pl.DataFrame(
        {"t": [datetime(2026, 5, 15, 11, 59, tzinfo=UTC), datetime(2026, 5, 15, 12, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)]}
    )
    # May 15 11:59 + 1 month is before as_of; 12:01 is after it; Mar 31 + 2 months clamps to May 31.
    assert frame.select(whole_months(pl.col("t"), as_of)).to_series().to_list() == [1, 0, 2]


def test_the_as_of_instant_is_the_end_of_the_day_in_utc():
    assert as_of_instant(date(2026, 6, 30)) == datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    assert as_of_instant(datetime(2026, 6, 30, 8)) == datetime(2026, 6, 30, 8, tzinfo=UTC)


def test_days_between_includes_both_ends_and_is_empty_when_reversed():
    assert days_between(date(2026, 2, 27), date(2026, 3, 1)) == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    assert days_between(date(2026, 3, 1), date(2026, 3, 1)) == [date(2026, 3, 1)]
    assert days_between(date(2026, 3, 2), date(2026, 3, 1)) == []
