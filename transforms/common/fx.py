"""Amounts in US dollars at the latest `fx_rates` row on or before a reference date."""

from __future__ import annotations

import polars as pl


class MissingFxRate(ValueError):
    """No rate on or before the reference date: names the currency and the date."""


def with_usd_rate(frame: pl.LazyFrame, fx_rates: pl.LazyFrame, currency: str, on: str) -> pl.LazyFrame:
    """`frame` plus `usd_per_unit`: for each row, the latest rate of its `currency` on or before its `on`
    date (1 for USD; null when there is none, see `require_rates`).

    Distinct (currency, date) pairs are few, so each is matched against its currency's rates and the
    latest kept; an as-of join would need a global sort that Polars does not keep under collect_all."""
    pairs = frame.select(currency, on).unique()
    latest = (
        pairs.join(fx_rates.select(pl.col("currency").alias(currency), "rate_date", "usd_per_unit"), on=currency)
        .filter(pl.col("rate_date") <= pl.col(on))
        .group_by(currency, on)
        .agg(pl.col("usd_per_unit").sort_by("rate_date").last())
    )
    return frame.join(latest, on=[currency, on], how="left", maintain_order="left").with_columns(
        pl.when(pl.col(currency) == "USD").then(1.0).otherwise(pl.col("usd_per_unit")).alias("usd_per_unit")
    )


def require_rates(frame: pl.DataFrame, currency: str, on: str) -> pl.DataFrame:
    """`frame` itself when every row has a rate; otherwise MissingFxRate naming the first currency and date."""
    missing = frame.filter(pl.col("usd_per_unit").is_null()).select(currency, on).unique().sort(currency, on)
    if missing.height:
        first = missing.row(0, named=True)
        others = f" (and {missing.height - 1} more currency/date pairs)" if missing.height > 1 else ""
        raise MissingFxRate(f"no fx_rates row for {first[currency]} on or before {first[on]}{others}")
    return frame
