"""Pandera schemas of the partner points outputs."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from transforms.common.tables import column, described, table
from transforms.snapshot.contract import DEAL_TYPES, MARKET_TYPES, SOLD_TYPES

AS_OF = column(pl.Date, "the day evaluated")
CLIENT = column(pl.Int64, "the client (hub id)")
POINTS = pa.Column(pl.Float64, checks=pa.Check.ge(0))
MARKET = column(pl.String, "`growth` or `standard` (the client's country in markets)", pa.Check.isin(list(MARKET_TYPES)))

PARTNER_POINTS_BY_CLIENT = table(
    "partner_points_by_client",
    "The points breakdown: per associated client and day.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "client_name": column(pl.String, "client name"),
        "market_type": MARKET,
        "sold_points": described(POINTS, "active sold points (sourced + assisted)"),
        "sourced_points": described(POINTS, "active sourced points"),
        "assisted_points": described(POINTS, "active assisted points"),
        "managed_points": described(POINTS, "managed points at as_of (split over managing partners)"),
        "active_points": described(POINTS, "sold_points + managed_points"),
        "expired_points": described(POINTS, "sold points of deals whose active period ended on or before as_of"),
    },
    ["as_of", "client_id"],
    [
        pa.Check(
            lambda d: d.lazyframe.select(
                ((pl.col("sourced_points") + pl.col("assisted_points") - pl.col("sold_points")).abs() < 0.011)
                & ((pl.col("sold_points") + pl.col("managed_points") - pl.col("active_points")).abs() < 0.011)
            ),
            error="sold = sourced + assisted and active = sold + managed",
        )
    ],
)

PARTNER_POINTS_HISTORY = table(
    "partner_points_history",
    "Per deal closed on or before as_of by an associated client: its sold points and active period.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "deal_id": column(pl.String, "the deal"),
        "deal_type": column(pl.String, "`new_client`, `upgrade` or `cross_sell`", pa.Check.isin(list(DEAL_TYPES))),
        "closed_on": column(pl.Date, "close date (FX and program version are those of this date)"),
        "sold_type": column(pl.String, "`sourced` or `assisted`", pa.Check.isin(list(SOLD_TYPES))),
        "market_type": MARKET,
        "usd_mrr": described(POINTS, "the deal's MRR in USD at the close date, to the cent"),
        "points": described(POINTS, "sold points, 2 decimals (half away from zero)"),
        "active_from": column(pl.Date, "the close date"),
        "active_until": column(pl.Date, "first day the points are expired (closed_on + active months)"),
    },
    ["as_of", "deal_id"],
    [pa.Check(lambda d: d.lazyframe.select(pl.col("active_until") > pl.col("active_from")), error="active period is empty")],
)

PARTNER_TIER = table(
    "partner_tier",
    "The partner's tier per day: 'progress over time' is a query over as_of.",
    {
        "as_of": AS_OF,
        "tier": column(pl.String, "highest tier whose minima (and certification) are met; null below the first", nullable=True),
        "total_points": described(POINTS, "sold_points + managed_points"),
        "sold_points": described(POINTS, "active sold points"),
        "sourced_points": described(POINTS, "active sourced points"),
        "managed_points": described(POINTS, "managed points"),
        "next_tier": column(pl.String, "the tier above (the first tier when none is reached); null at the top", nullable=True),
        "missing_total": column(
            pl.Float64, "total points the next tier still needs (0 when met); null at the top", pa.Check.ge(0), nullable=True
        ),
        "missing_sourced": column(pl.Float64, "sourced points the next tier still needs; null at the top", pa.Check.ge(0), nullable=True),
        "keep_margin_total": column(pl.Float64, "total_points - the current tier's min_total; null without a tier", nullable=True),
        "keep_margin_sourced": column(pl.Float64, "sourced_points - the current tier's min_sourced; null without a tier", nullable=True),
        "expiring_soon": described(POINTS, "active sold points expiring within expiring_soon_months"),
        "median_tools_in_use": column(pl.Float64, "median tools in use over associated clients", nullable=True),
        "certified": column(pl.Boolean, "the program file's certification flag"),
    },
    ["as_of"],
)
