"""USD amounts at the latest rate on or before a date; a missing rate is an error naming it."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.transforms.partner_fixtures import fx
from transforms.common.fx import MissingFxRate, require_rates, with_usd_rate


def test_the_latest_rate_on_or_before_the_date_and_one_for_usd():
    rates = fx(("EUR", date(2026, 1, 1), 1.1), ("EUR", date(2026, 3, 1), 1.2))
    rows = pl.LazyFrame(
        {"currency": ["EUR", "EUR", "EUR", "USD"], "day": [date(2026, 2, 28), date(2026, 3, 1), date(2025, 12, 31), date(2020, 1, 1)]}
    )
    out = with_usd_rate(rows, rates, "currency", "day").collect()
    assert out["usd_per_unit"].to_list() == [1.1, 1.2, None, 1.0]


def test_require_rates_names_the_first_missing_currency_and_date():
    frame = pl.DataFrame({"currency": ["NOK", "EUR"], "day": [date(2026, 1, 2), date(2026, 1, 1)], "usd_per_unit": [None, None]})
    with pytest.raises(MissingFxRate, match="no fx_rates row for EUR on or before 2026-01-01 \\(and 1 more currency/date pairs\\)"):
        require_rates(frame, "currency", "day")
    complete = frame.with_columns(pl.lit(1.0).alias("usd_per_unit"))
    assert require_rates(complete, "currency", "day") is complete
