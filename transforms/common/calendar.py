"""Calendar arithmetic: the as-of instant and whole calendar months, for dates and for columns.

"n months after a day" always clamps the day of month to the month's last day (Jan 31 + 1 month is
Feb 28 or 29); "whole months between" is the largest n such that the earlier day moved n months
is on or before the later one. Decay periods, windows and points expiry all count months this way.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from transforms.common.lookups import gather

# Events older than this many days count as this old: a century decays any event to nothing.
MONTHS_LOOKBACK_DAYS = 36_600
_DAY_US = 86_400_000_000


def as_of_instant(as_of: date | datetime) -> datetime:
    """The instant a score is evaluated at: the end of the as-of day (UTC), or the timestamp given."""
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    return datetime.combine(as_of, time.max, tzinfo=UTC)


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included, ascending."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def add_months(day: date, months: int) -> date:
    """`day` moved forward by calendar months, the day clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_shift(day: pl.Expr, months: pl.Expr) -> pl.Expr:
    """`add_months` for a column of dates: the date `months` months after `day`, clamped."""
    index = day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1 + months
    first = pl.date(index // 12, index % 12 + 1, 1)
    return pl.date(index // 12, index % 12 + 1, pl.min_horizontal(day.dt.day(), first.dt.month_end().dt.day()))


def _month_overshoot(day: pl.Expr, later: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(calendar months from `day` to `later` by year and month alone, `day`'s day of month clamped to
    `later`'s month)."""
    months = (later.dt.year().cast(pl.Int64) - day.dt.year().cast(pl.Int64)) * 12 + (
        later.dt.month().cast(pl.Int64) - day.dt.month().cast(pl.Int64)
    )
    return months, pl.min_horizontal(day.dt.day(), later.dt.month_end().dt.day())


def months_between(day: pl.Expr, later: pl.Expr) -> pl.Expr:
    """The largest n such that `day` moved forward n months (clamped) is on or before `later` (dates)."""
    months, clamped = _month_overshoot(day, later)
    return months - (clamped > later.dt.day()).cast(pl.Int64)


def whole_months(occurred_at: pl.Expr, as_of: datetime) -> pl.Expr:
    """`months_between` for timestamps: on the day of month itself, the time of day decides."""
    months, clamped = _month_overshoot(occurred_at, pl.lit(as_of))
    as_of_clock = ((as_of.hour * 60 + as_of.minute) * 60 + as_of.second) * 1_000_000 + as_of.microsecond
    clock = occurred_at.dt.epoch("us") % _DAY_US
    overshoots = (clamped > as_of.day) | ((clamped == as_of.day) & (clock > as_of_clock))
    return (months - overshoots.cast(pl.Int64)).cast(pl.Int32)


def event_months(occurred_at: pl.Expr, as_of: datetime) -> pl.Expr:
    """`whole_months` for many events at once. At the end of a day (the usual as_of) only the event's
    day matters, so the answer for each day of the past century is computed once and looked up by the
    event's day: integer work per event instead of calendar fields."""
    if as_of.time() != time.max:
        return whole_months(occurred_at, as_of)  # mid-day: the event's clock matters too
    last = as_of.date()
    first = last - timedelta(days=MONTHS_LOOKBACK_DAYS)
    days = pl.DataFrame({"day": pl.date_range(first, last, eager=True)})
    by_day = days.select(whole_months(pl.col("day").cast(pl.Datetime("us", "UTC")), as_of)).to_series()
    index = (occurred_at.dt.epoch("us") // _DAY_US - (first - date(1970, 1, 1)).days).clip(0, MONTHS_LOOKBACK_DAYS)
    return gather(by_day, index)
