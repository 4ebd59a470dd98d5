"""Pandera schemas of the partner points outputs."""

import polars as pl
import pandera.polars as pa

from transforms.contract import DEAL_TYPES, MARKET_TYPES, SOLD_TYPES
from transforms.output_schemas import register

POINTS = pa.Column(pl.Float64, checks=pa.Check.ge(0))
MARKET = pa.Column(pl.String, checks=pa.Check.isin(list(MARKET_TYPES)))

PARTNER_POINTS_BY_CLIENT = register(
    pa.DataFrameSchema(
        {
            "as_of": pa.Column(pl.Date), "client_id": pa.Column(pl.Int64), "client_name": pa.Column(pl.String), "market_type": MARKET,
            "sold_points": POINTS, "sourced_points": POINTS, "assisted_points": POINTS, "managed_points": POINTS,
            "active_points": POINTS, "expired_points": POINTS,
        },
        unique=["as_of", "client_id"],
        name="partner_points_by_client",
        strict=True,
        checks=[pa.Check(lambda d: d.lazyframe.select(
            ((pl.col("sourced_points") + pl.col("assisted_points") - pl.col("sold_points")).abs() < 0.011)
            & ((pl.col("sold_points") + pl.col("managed_points") - pl.col("active_points")).abs() < 0.011)
        ), error="sold = sourced + assisted and active = sold + managed")],
    )
)

PARTNER_POINTS_HISTORY = register(
    pa.DataFrameSchema(
        {
            "as_of": pa.Column(pl.Date), "client_id": pa.Column(pl.Int64), "deal_id": pa.Column(pl.String),
            "deal_type": pa.Column(pl.String, checks=pa.Check.isin(list(DEAL_TYPES))), "closed_on": pa.Column(pl.Date),
            "sold_type": pa.Column(pl.String, checks=pa.Check.isin(list(SOLD_TYPES))), "market_type": MARKET,
            "usd_mrr": POINTS, "points": POINTS, "active_from": pa.Column(pl.Date), "active_until": pa.Column(pl.Date),
        },
        unique=["as_of", "deal_id"],
        name="partner_points_history",
        strict=True,
        checks=[pa.Check(lambda d: d.lazyframe.select(pl.col("active_until") > pl.col("active_from")), error="active period is empty")],
    )
)

PARTNER_TIER = register(
    pa.DataFrameSchema(
        {
            "as_of": pa.Column(pl.Date), "tier": pa.Column(pl.String, nullable=True), "total_points": POINTS, "sold_points": POINTS,
            "sourced_points": POINTS, "managed_points": POINTS, "next_tier": pa.Column(pl.String, nullable=True),
            "missing_total": pa.Column(pl.Float64, checks=pa.Check.ge(0), nullable=True),
            "missing_sourced": pa.Column(pl.Float64, checks=pa.Check.ge(0), nullable=True),
            "keep_margin_total": pa.Column(pl.Float64, nullable=True), "keep_margin_sourced": pa.Column(pl.Float64, nullable=True),
            "expiring_soon": POINTS, "median_tools_in_use": pa.Column(pl.Float64, nullable=True), "certified": pa.Column(pl.Boolean),
        },
        unique=["as_of"],
        name="partner_tier",
        strict=True,
    )
)
