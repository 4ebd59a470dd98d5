"""Pandera schemas of the partner dashboard outputs: platform index, opportunities, clients, renewals."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from transforms.common.bands import BANDS
from transforms.common.tables import column, described, table
from transforms.dashboard.platform_index import index_band
from transforms.dashboard.renewals import RENEWAL_STATUSES
from transforms.snapshot.contract import COMMUNICATION_OWNERS, CONTRACT_TYPES, RELATIONSHIPS

KINDS = ["cross_sell", "upsell", "adoption"]
AS_OF = column(pl.Date, "the day evaluated")
CLIENT = column(pl.Int64, "the client (hub id)")
COUNT = pa.Column(pl.Int64, checks=pa.Check.ge(0))
MONEY = pa.Column(pl.Float64, checks=pa.Check.ge(0))
INDEX = pa.Column(pl.Int64, checks=pa.Check.in_range(0, 10))
BAND = pa.Column(pl.String, checks=pa.Check.isin(list(BANDS)))
KIND = pa.Column(pl.String, checks=pa.Check.isin(KINDS))

PLATFORM_ENGAGEMENT_INDEX = table(
    "platform_engagement_index",
    "Per associated client and day: the 0-10 platform engagement index.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "index_score": described(INDEX, "sum of category points rounded half up, 0..10"),
        "band": described(BAND, "index zone: `low` 0-3, `medium` 4-6, `high` 7-10"),
        "tools_in_use": described(COUNT, "catalogued tools with enough actions in the window"),
    },
    ["as_of", "client_id"],
    [pa.Check(lambda d: d.lazyframe.select(pl.col("band") == index_band(pl.col("index_score"))), error="band does not match index_score")],
)

PLATFORM_ENGAGEMENT_BREAKDOWN = table(
    "platform_engagement_breakdown",
    "Per associated client, category and day (zero categories included): the index's breakdown.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "category": column(pl.String, "catalog category"),
        "points": column(pl.Float64, "sum of its tools in use, capped at max_points", pa.Check.ge(0)),
        "max_points": column(pl.Float64, "the category's cap", pa.Check.gt(0)),
        "tools_in_use": described(COUNT, "its tools in use"),
    },
    ["as_of", "client_id", "category"],
    [pa.Check(lambda d: d.lazyframe.select(pl.col("points") <= pl.col("max_points")), error="points above max_points")],
)

PLATFORM_UNCATALOGUED_TOOLS = table(
    "platform_uncatalogued_tools",
    "Tools in use that the catalog does not score, per client and day.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "tool": column(pl.String, "the tool's name as the usage data gives it"),
        "actions": described(COUNT, "its actions in the window"),
    },
    ["as_of", "client_id", "tool"],
)

CLIENT_OPPORTUNITIES = table(
    "client_opportunities",
    "Per associated client and day: cross-sell, upsell and adoption opportunities.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "opportunity": column(pl.String, "`<kind>:<product or category>`, e.g. `cross_sell:sales_hub`"),
        "kind": described(KIND, "`cross_sell` (hub not held), `upsell` (held at free/starter), `adoption` (hub held, category at 0)"),
        "product_or_category": column(pl.String, "the product or the index category"),
    },
    ["as_of", "client_id", "opportunity"],
)

CLIENT_BASE_OPPORTUNITIES = table(
    "client_base_opportunities",
    "'Opportunities in your client base': clients per opportunity and index band, per day.",
    {
        "as_of": AS_OF,
        "opportunity": column(pl.String, "as in client_opportunities"),
        "kind": described(KIND, "as in client_opportunities"),
        "band": described(BAND, "the clients' index band"),
        "clients": column(pl.Int64, "number of clients", pa.Check.ge(1)),
    },
    ["as_of", "opportunity", "band"],
)

CLIENTS_OVERVIEW = table(
    "clients_overview",
    "The dashboard's Clients table, per associated client and day.",
    {
        "as_of": AS_OF,
        "client_id": CLIENT,
        "name": column(pl.String, "client name"),
        "relationship": column(pl.String, "`sold`, `managed` or `sold_and_managed`", pa.Check.isin(list(RELATIONSHIPS))),
        "products_owned": column(pl.List(pl.String), "products of its active subscriptions, sorted"),
        "total_mrr": described(MONEY, "sum of active subscriptions' MRR, client currency"),
        "currency": column(pl.String, "the client's currency (ISO 4217)"),
        "total_mrr_usd": described(MONEY, "total_mrr in USD at the latest rate on or before as_of"),
        "index_score": described(INDEX, "its platform engagement index"),
        "band": described(BAND, "its index zone"),
        "upcoming_renewals": described(COUNT, "its contract changes upcoming at as_of"),
    },
    ["as_of", "client_id"],
)

UPCOMING_RENEWALS = table(
    "upcoming_renewals",
    "Contract changes starting within 120 days of as_of, for associated clients.",
    {
        "as_of": AS_OF,
        "change_id": column(pl.String, "the contract change"),
        "client_id": column(pl.Int64, "hub id (optional column of the dashboard)"),
        "client_name": column(pl.String, "client name (locked column)"),
        "contract_type": column(pl.String, "`renewal`, `contact_upgrade` or `email_overage` (locked)", pa.Check.isin(list(CONTRACT_TYPES))),
        "status": column(
            pl.String,
            "`cancellation_requested`, `confirmed`, `renewed` or `pending` at as_of (locked)",
            pa.Check.isin(list(RENEWAL_STATUSES)),
        ),
        "communication_owner": column(
            pl.String, "`hubspot` (default when unset) or `partner` (locked)", pa.Check.isin(list(COMMUNICATION_OWNERS))
        ),
        "primary_contact_email": column(pl.String, "who receives the change's details", nullable=True),
        "renewal_start_date": column(pl.Date, "when the change starts"),
        "renewal_deadline": column(pl.Date, "renewal_start_date - 45 days: last day to change terms (locked)"),
        "days_to_deadline": column(pl.Int64, "renewal_deadline - as_of; negative once passed", pa.Check.in_range(-45, 75)),
        "current_mrr": described(MONEY, "current MRR, client currency"),
        "estimated_new_mrr": described(MONEY, "estimated MRR after the change, client currency"),
        "mrr_change": column(pl.Float64, "estimated_new_mrr - current_mrr"),
        "currency": column(pl.String, "the client's currency"),
        "current_mrr_usd": described(MONEY, "current_mrr in USD at the latest rate on or before as_of"),
        "estimated_new_mrr_usd": described(MONEY, "estimated_new_mrr in USD, same rate"),
        "website": column(pl.String, "the client's domain", nullable=True),
        "max_contacts": column(pl.Int64, "from the client's main subscription (highest MRR)", nullable=True),
        "email_limit": column(pl.Int64, "from the main subscription", nullable=True),
        "billing_frequency": column(pl.String, "from the main subscription", nullable=True),
        "term_months": column(pl.Int64, "subscription term in months, from the main subscription", nullable=True),
    },
    ["as_of", "change_id"],
)

CLIENT_ALERTS = table(
    "client_alerts",
    "The Alerts section: one row per day.",
    {"as_of": AS_OF, "upcoming_renewal_decisions": described(COUNT, "upcoming changes still `pending` whose deadline has not passed")},
    ["as_of"],
)
