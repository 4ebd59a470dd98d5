"""Sold and managed partner points, the per-client breakdown, the per-deal history and the tier at a date."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import polars as pl

from transforms.common.calendar import add_months
from transforms.common.fx import with_usd_rate
from transforms.common.rounding import round_half_away
from transforms.points.program import Program

MANAGING = ["managed", "sold_and_managed"]


def client_markets(clients: pl.LazyFrame, markets: pl.LazyFrame) -> pl.LazyFrame:
    """(client_id, market_type): `growth` where `markets` lists the client's country as growth, else `standard`."""
    growth = markets.filter(pl.col("market_type") == "growth").select("country", pl.lit("growth").alias("market_type"))
    return clients.join(growth, on="country", how="left").select("client_id", pl.col("market_type").fill_null("standard"))


def _multiplier() -> pl.Expr:
    return pl.when(pl.col("market_type") == "growth").then(pl.col("growth_multiplier")).otherwise(1.0)


def deal_points(
    deals: pl.LazyFrame, clients: pl.LazyFrame, markets: pl.LazyFrame, fx_rates: pl.LazyFrame, program: Program, as_of: date
) -> pl.LazyFrame:
    """partner_points_history: every deal closed on or before `as_of` by an associated client, its USD MRR at
    the close date, its points under the program version in force on that date, and its active period
    [active_from, active_until). Carries `currency` and `usd_per_unit` (null when no rate: check it)."""
    versions = program.versions_frame()
    priced = with_usd_rate(
        deals.filter(pl.col("closed_on") <= as_of).join(clients.select("client_id", "currency"), on="client_id"),
        fx_rates,
        "currency",
        "closed_on",
    )
    usd = pl.col("mrr").cast(pl.Float64) * pl.col("usd_per_unit")
    rate = pl.when(pl.col("sold_type") == "sourced").then(pl.col("rate_sourced")).otherwise(pl.col("rate_assisted"))
    return (
        priced.join(client_markets(clients, markets), on="client_id")
        .join_where(versions, pl.col("closed_on") >= pl.col("version_from"), pl.col("closed_on") < pl.col("version_to"))
        .select(
            pl.lit(as_of).alias("as_of"),
            "client_id",
            "deal_id",
            "deal_type",
            "closed_on",
            "sold_type",
            "market_type",
            round_half_away(usd).alias("usd_mrr"),
            round_half_away(usd / 100 * rate * _multiplier()).alias("points"),
            pl.col("closed_on").alias("active_from"),
            pl.col("closed_on").dt.offset_by(pl.format("{}mo", pl.col("active_months"))).alias("active_until"),
            "currency",
            "usd_per_unit",
        )
    )


def managed_points(
    clients: pl.LazyFrame, active: pl.LazyFrame, markets: pl.LazyFrame, fx_rates: pl.LazyFrame, program: Program, as_of: date
) -> pl.LazyFrame:
    """(client_id, managed_points): for managed clients, active subscription MRR in USD at `as_of` / 100 x the
    managed rate x the market multiplier / managing partners, under the version in force on `as_of`.
    Carries `currency`, `fx_date` and `usd_per_unit` (null when no rate: check it)."""
    version = program.version_on(as_of)
    mrr = active.group_by("client_id").agg(pl.col("mrr").cast(pl.Float64).sum())
    managed = (
        clients.filter(pl.col("relationship").is_in(MANAGING))
        .join(mrr, on="client_id", how="left")
        .join(client_markets(clients, markets), on="client_id")
        .with_columns(pl.lit(as_of).alias("fx_date"), pl.lit(version.growth_market_multiplier).alias("growth_multiplier"))
    )
    return with_usd_rate(managed, fx_rates, "currency", "fx_date").select(
        "client_id",
        "currency",
        "fx_date",
        round_half_away(
            pl.col("mrr").fill_null(0.0)
            * pl.col("usd_per_unit")
            / 100
            * version.points_per_100_usd_mrr.managed
            * _multiplier()
            / pl.col("managing_partners")
        ).alias("managed_points"),
        "usd_per_unit",
    )


def points_by_client(
    clients: pl.LazyFrame, markets: pl.LazyFrame, history: pl.LazyFrame, managed: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """partner_points_by_client: per associated client, active sold points (sourced, assisted), managed points,
    active points (sold + managed) and expired points (deals whose active period ended on or before `as_of`)."""
    active = (pl.col("active_from") <= as_of) & (pl.col("active_until") > as_of)
    sold = history.group_by("client_id").agg(
        pl.col("points").filter(active).sum().alias("sold_points"),
        pl.col("points").filter(active & (pl.col("sold_type") == "sourced")).sum().alias("sourced_points"),
        pl.col("points").filter(active & (pl.col("sold_type") == "assisted")).sum().alias("assisted_points"),
        pl.col("points").filter(pl.col("active_until") <= as_of).sum().alias("expired_points"),
    )
    points = ["sold_points", "sourced_points", "assisted_points", "managed_points", "expired_points"]
    return (
        clients.select("client_id", pl.col("name").alias("client_name"))
        .join(client_markets(clients, markets), on="client_id")
        .join(sold, on="client_id", how="left")
        .join(managed.select("client_id", "managed_points"), on="client_id", how="left")
        .with_columns(pl.col(points).fill_null(0.0).round(2))
        .select(
            pl.lit(as_of).alias("as_of"),
            "client_id",
            "client_name",
            "market_type",
            "sold_points",
            "sourced_points",
            "assisted_points",
            "managed_points",
            (pl.col("sold_points") + pl.col("managed_points")).round(2).alias("active_points"),
            "expired_points",
        )
    )


def partner_tier(by_client: pl.LazyFrame, history: pl.LazyFrame, index: pl.LazyFrame, program: Program, as_of: date) -> pl.LazyFrame:
    """partner_tier: one row for `as_of` with the points totals, the tier reached (null below the first),
    what the next tier still needs, the margin above the current tier's minima, the active sold points
    expiring within `expiring_soon_months`, the median tools in use over associated clients and certification."""
    version = program.version_on(as_of)
    tiers = version.tiers
    soon = add_months(as_of, version.expiring_soon_months)
    expiring = history.filter(
        (pl.col("active_from") <= as_of) & (pl.col("active_until") > as_of) & (pl.col("active_until") <= soon)
    ).select(pl.col("points").sum().round(2).alias("expiring_soon"))
    totals = by_client.select(
        pl.col("sold_points").sum().round(2), pl.col("sourced_points").sum().round(2), pl.col("managed_points").sum().round(2)
    ).with_columns((pl.col("sold_points") + pl.col("managed_points")).round(2).alias("total_points"))
    median = index.select(pl.col("tools_in_use").cast(pl.Float64).median().alias("median_tools_in_use"))
    total, sourced = pl.col("total_points"), pl.col("sourced_points")
    reached = pl.lit(None, dtype=pl.String)
    for tier in tiers:  # ascending, so a later (higher) tier that is met wins
        met = (total >= tier.min_total) & (sourced >= tier.min_sourced)
        if tier.requires_certification and not program.certified:
            met = pl.lit(False)
        reached = pl.when(met).then(pl.lit(tier.name)).otherwise(reached)
    following = {lower.name: upper for lower, upper in pairwise(tiers)}

    def lookup(key: pl.Expr, table: dict[str, float], default: float | None) -> pl.Expr:
        return key.replace_strict(table, default=default, return_dtype=pl.Float64)

    next_tier = (
        pl.when(pl.col("tier").is_null())
        .then(pl.lit(tiers[0].name))
        .otherwise(pl.col("tier").replace_strict({k: v.name for k, v in following.items()}, default=None, return_dtype=pl.String))
    )

    def minimum(tier: str, field: str) -> pl.Expr:
        """The `field` minimum of the tier named in column `tier`."""
        return lookup(pl.col(tier), {t.name: getattr(t, field) for t in tiers}, None)

    return (
        pl.concat([totals, expiring, median], how="horizontal")
        .with_columns(reached.alias("tier"))
        .with_columns(next_tier.alias("next_tier"))
        .select(
            pl.lit(as_of).alias("as_of"),
            "tier",
            "total_points",
            "sold_points",
            "sourced_points",
            "managed_points",
            "next_tier",
            (minimum("next_tier", "min_total") - total).clip(lower_bound=0).round(2).alias("missing_total"),
            (minimum("next_tier", "min_sourced") - sourced).clip(lower_bound=0).round(2).alias("missing_sourced"),
            (total - minimum("tier", "min_total")).round(2).alias("keep_margin_total"),
            (sourced - minimum("tier", "min_sourced")).round(2).alias("keep_margin_sourced"),
            pl.col("expiring_soon").fill_null(0.0),
            "median_tools_in_use",
            pl.lit(program.certified).alias("certified"),
        )
    )
