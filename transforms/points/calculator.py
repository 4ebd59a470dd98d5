"""The points calculator: the pipeline's rates, multipliers, FX and rounding, for one prospective deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from transforms.common.fx import require_rates, with_usd_rate
from transforms.common.rounding import round_half_away
from transforms.points.points import client_markets
from transforms.points.program import Program

SoldType = Literal["sourced", "assisted"]


@dataclass(frozen=True)
class Terms:
    """What a quote depends on besides the amount: the client's market, the FX rate and the program."""

    currency: str
    country: str
    market_type: str
    multiplier: float
    usd_per_unit: float
    sold_rate: float
    managed_rate: float
    managing_partners: int  # you plus the others; 0 when you will not manage the client
    as_of: date
    rate_date: date | None = None  # the day of the rate used; None for USD

    @property
    def rate_age_days(self) -> int:
        """How many days before `as_of` the rate was published (0 for USD)."""
        return (self.as_of - self.rate_date).days if self.rate_date else 0


@dataclass(frozen=True)
class Quote:
    amount: float
    usd_amount: float
    sold_points: float
    managed_points: float

    @property
    def total_points(self) -> float:
        return round(self.sold_points + self.managed_points, 2)


@dataclass(frozen=True)
class Amounts:
    """Currency mode, points -> currency: the amounts (client currency) that earn the given points."""

    points: float
    sold_amount: float
    managed_amount: float | None


def _round2(value: float) -> float:
    return float(pl.select(round_half_away(pl.lit(value, dtype=pl.Float64))).item())


def terms(
    currency: str,
    country: str,
    sold_type: SoldType,
    manage: bool,
    other_partners: int,
    as_of: date,
    program: Program,
    markets: pl.LazyFrame,
    fx_rates: pl.LazyFrame,
) -> Terms:
    """Look up the market, the FX rate on or before `as_of` and the program version in force on `as_of`."""
    if other_partners < 0:
        raise ValueError("other partners must be 0 or more")
    currency, country = currency.strip().upper(), country.strip().upper()
    client = pl.LazyFrame({"client_id": [0], "country": [country], "currency": [currency], "fx_date": [as_of]})
    market = client_markets(client, markets).collect()["market_type"][0]
    rate = require_rates(with_usd_rate(client, fx_rates, "currency", "fx_date").collect(), "currency", "fx_date")["usd_per_unit"][0]
    published = fx_rates.filter((pl.col("currency") == currency) & (pl.col("rate_date") <= as_of)).select(pl.col("rate_date").max())
    rate_date = None if currency == "USD" else published.collect().item()
    version = program.version_on(as_of)
    rates = version.points_per_100_usd_mrr
    return Terms(
        currency=currency,
        country=country,
        market_type=market,
        multiplier=version.growth_market_multiplier if market == "growth" else 1.0,
        usd_per_unit=rate,
        sold_rate=rates.sourced if sold_type == "sourced" else rates.assisted,
        managed_rate=rates.managed,
        managing_partners=1 + other_partners if manage else 0,
        as_of=as_of,
        rate_date=rate_date,
    )


def to_points(amount: float, t: Terms) -> Quote:
    """Currency -> points: the sold and managed points of `amount` of monthly recurring revenue."""
    usd = amount * t.usd_per_unit
    sold = _round2(usd / 100 * t.sold_rate * t.multiplier)
    managed = _round2(usd / 100 * t.managed_rate * t.multiplier / t.managing_partners) if t.managing_partners else 0.0
    return Quote(amount=amount, usd_amount=_round2(usd), sold_points=sold, managed_points=managed)


def to_currency(points: float, t: Terms) -> Amounts:
    """Points -> currency: the MRR in the client's currency that earns `points` as sold points, and as
    managed points (your share) when you manage the client."""
    sold = _round2(points * 100 / (t.sold_rate * t.multiplier) / t.usd_per_unit)
    managed = (
        _round2(points * 100 * t.managing_partners / (t.managed_rate * t.multiplier) / t.usd_per_unit) if t.managing_partners else None
    )
    return Amounts(points=points, sold_amount=sold, managed_amount=managed)
