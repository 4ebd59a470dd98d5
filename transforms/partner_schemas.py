"""Pandera schemas of the partner dashboard outputs: platform index, opportunities, clients, renewals."""

import polars as pl
import pandera.polars as pa

from transforms.contract import COMMUNICATION_OWNERS, CONTRACT_TYPES, RELATIONSHIPS
from transforms.output_schemas import register

BANDS = ["low", "medium", "high"]
KINDS = ["cross_sell", "upsell", "adoption"]
STATUSES = ["cancellation_requested", "confirmed", "renewed", "pending"]
AS_OF = pa.Column(pl.Date)
CLIENT = pa.Column(pl.Int64)
COUNT = pa.Column(pl.Int64, checks=pa.Check.ge(0))
MONEY = pa.Column(pl.Float64, checks=pa.Check.ge(0))
INDEX = pa.Column(pl.Int64, checks=pa.Check.in_range(0, 10))


def _schema(name: str, columns: dict, unique: list[str], checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    return register(pa.DataFrameSchema(columns, unique=unique, name=name, strict=True, checks=checks or []))


PLATFORM_ENGAGEMENT_INDEX = _schema(
    "platform_engagement_index",
    {"as_of": AS_OF, "client_id": CLIENT, "index_score": INDEX, "band": pa.Column(pl.String, checks=pa.Check.isin(BANDS)), "tools_in_use": COUNT},
    ["as_of", "client_id"],
    [pa.Check(lambda d: d.lazyframe.select(
        pl.col("band") == pl.when(pl.col("index_score") >= 7).then(pl.lit("high")).when(pl.col("index_score") >= 4).then(pl.lit("medium")).otherwise(pl.lit("low"))
    ), error="band does not match index_score")],
)

PLATFORM_ENGAGEMENT_BREAKDOWN = _schema(
    "platform_engagement_breakdown",
    {"as_of": AS_OF, "client_id": CLIENT, "category": pa.Column(pl.String), "points": pa.Column(pl.Float64, checks=pa.Check.ge(0)),
     "max_points": pa.Column(pl.Float64, checks=pa.Check.gt(0)), "tools_in_use": COUNT},
    ["as_of", "client_id", "category"],
    [pa.Check(lambda d: d.lazyframe.select(pl.col("points") <= pl.col("max_points")), error="points above max_points")],
)

PLATFORM_UNCATALOGUED_TOOLS = _schema(
    "platform_uncatalogued_tools",
    {"as_of": AS_OF, "client_id": CLIENT, "tool": pa.Column(pl.String), "actions": COUNT},
    ["as_of", "client_id", "tool"],
)

CLIENT_OPPORTUNITIES = _schema(
    "client_opportunities",
    {"as_of": AS_OF, "client_id": CLIENT, "opportunity": pa.Column(pl.String), "kind": pa.Column(pl.String, checks=pa.Check.isin(KINDS)),
     "product_or_category": pa.Column(pl.String)},
    ["as_of", "client_id", "opportunity"],
)

CLIENT_BASE_OPPORTUNITIES = _schema(
    "client_base_opportunities",
    {"as_of": AS_OF, "opportunity": pa.Column(pl.String), "kind": pa.Column(pl.String, checks=pa.Check.isin(KINDS)),
     "band": pa.Column(pl.String, checks=pa.Check.isin(BANDS)), "clients": pa.Column(pl.Int64, checks=pa.Check.ge(1))},
    ["as_of", "opportunity", "band"],
)

CLIENTS_OVERVIEW = _schema(
    "clients_overview",
    {"as_of": AS_OF, "client_id": CLIENT, "name": pa.Column(pl.String), "relationship": pa.Column(pl.String, checks=pa.Check.isin(list(RELATIONSHIPS))),
     "products_owned": pa.Column(pl.List(pl.String)), "total_mrr": MONEY, "currency": pa.Column(pl.String), "total_mrr_usd": MONEY,
     "index_score": INDEX, "band": pa.Column(pl.String, checks=pa.Check.isin(BANDS)), "upcoming_renewals": COUNT},
    ["as_of", "client_id"],
)

UPCOMING_RENEWALS = _schema(
    "upcoming_renewals",
    {
        "as_of": AS_OF, "change_id": pa.Column(pl.String), "client_id": CLIENT, "client_name": pa.Column(pl.String),
        "contract_type": pa.Column(pl.String, checks=pa.Check.isin(list(CONTRACT_TYPES))),
        "status": pa.Column(pl.String, checks=pa.Check.isin(STATUSES)),
        "communication_owner": pa.Column(pl.String, checks=pa.Check.isin(list(COMMUNICATION_OWNERS))),
        "primary_contact_email": pa.Column(pl.String, nullable=True),
        "renewal_start_date": pa.Column(pl.Date), "renewal_deadline": pa.Column(pl.Date),
        "days_to_deadline": pa.Column(pl.Int64, checks=pa.Check.in_range(-45, 75)),
        "current_mrr": MONEY, "estimated_new_mrr": MONEY, "mrr_change": pa.Column(pl.Float64), "currency": pa.Column(pl.String),
        "current_mrr_usd": MONEY, "estimated_new_mrr_usd": MONEY, "website": pa.Column(pl.String, nullable=True),
        "max_contacts": pa.Column(pl.Int64, nullable=True), "email_limit": pa.Column(pl.Int64, nullable=True),
        "billing_frequency": pa.Column(pl.String, nullable=True), "term_months": pa.Column(pl.Int64, nullable=True),
    },
    ["as_of", "change_id"],
)

CLIENT_ALERTS = _schema("client_alerts", {"as_of": AS_OF, "upcoming_renewal_decisions": COUNT}, ["as_of"])
