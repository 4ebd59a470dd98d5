"""Tiny hand-made partner tables for the dashboard tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from transforms.common.fx import require_rates
from transforms.dashboard.catalog import parse_catalog
from transforms.dashboard.clients import associated_clients
from transforms.points.points import deal_points
from transforms.points.program import parse_program

AS_OF = date(2026, 6, 30)
CATALOG = parse_catalog(
    {
        "active_window_days": 30,
        "min_actions": 1,
        "categories": [
            {
                "name": "marketing",
                "max_points": 3,
                "tools": {"email": 1, "forms": 1, "landing_pages": 1, "social": 0.5, "ads": 0.5, "campaigns": 1},
            },
            {"name": "sales", "max_points": 2, "tools": {"deals": 1, "sequences": 1, "meetings": 0.5, "quotes": 0.5}},
            {"name": "service", "max_points": 2, "tools": {"tickets": 1, "knowledge_base": 1, "feedback_surveys": 0.5}},
            {"name": "content", "max_points": 1, "tools": {"website_pages": 0.5, "blog": 0.5}},
            {"name": "operations", "max_points": 2, "tools": {"workflows": 1, "reports": 0.5, "custom_objects": 0.5, "data_sync": 1}},
        ],
    },
    "catalog.yaml",
)


def clients(*rows: dict) -> pl.LazyFrame:
    base = {
        "name": "C",
        "domain": "c.example",
        "country": "US",
        "currency": "USD",
        "relationship": "sold_and_managed",
        "managing_partners": 1,
        "associated_since": date(2025, 1, 1),
        "ended_at": None,
    }
    return pl.DataFrame([{**base, **r} for r in rows], schema_overrides={"ended_at": pl.Date, "associated_since": pl.Date}).lazy()


def usage(*rows: tuple) -> pl.LazyFrame:
    """rows: (client_id, tool, days before AS_OF, actions)."""
    return pl.DataFrame(
        {
            "client_id": [r[0] for r in rows],
            "tool": [r[1] for r in rows],
            "activity_date": [date.fromordinal(AS_OF.toordinal() - r[2]) for r in rows],
            "actions": [r[3] for r in rows],
        },
        schema={"client_id": pl.Int64, "tool": pl.String, "activity_date": pl.Date, "actions": pl.Int64},
    ).lazy()


def subscriptions(*rows: dict) -> pl.LazyFrame:
    base = {
        "edition": "professional",
        "mrr": "100.00",
        "start_date": date(2025, 1, 1),
        "end_date": None,
        "billing_frequency": "monthly",
        "term_months": 12,
        "max_contacts": 1000,
        "email_limit": 10000,
    }
    schema = {
        "subscription_id": pl.String,
        "client_id": pl.Int64,
        "product": pl.String,
        "edition": pl.String,
        "mrr": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "billing_frequency": pl.String,
        "term_months": pl.Int64,
        "max_contacts": pl.Int64,
        "email_limit": pl.Int64,
    }
    frame = pl.DataFrame([{**base, "subscription_id": f"s{i}", **r} for i, r in enumerate(rows)], schema=schema)
    return frame.with_columns(pl.col("mrr").cast(pl.Decimal(18, 2))).lazy()


def fx(*rows: tuple) -> pl.LazyFrame:
    return pl.DataFrame(
        {"currency": [r[0] for r in rows], "rate_date": [r[1] for r in rows], "usd_per_unit": [r[2] for r in rows]},
        schema={"currency": pl.String, "rate_date": pl.Date, "usd_per_unit": pl.Float64},
    ).lazy()


def ts(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


# --- partner points: a program, markets, rates, clients and deals ---------------------------

TIERS = [
    {"name": "gold", "min_total": 100, "min_sourced": 20},
    {"name": "platinum", "min_total": 400, "min_sourced": 80},
    {"name": "elite", "min_total": 1000, "min_sourced": 100, "requires_certification": True},
]


def version(day: str, sourced=5, assisted=3, managed=1, growth=2, months=12, tiers=TIERS) -> dict:
    return {
        "effective_from": day,
        "points_per_100_usd_mrr": {"sourced": sourced, "assisted": assisted, "managed": managed},
        "growth_market_multiplier": growth,
        "sold_points_active_months": months,
        "expiring_soon_months": 3,
        "tiers": tiers,
    }


PROGRAM = parse_program({"versions": [version("2024-02-27")], "certified": True}, "program.yaml")
MARKETS = pl.LazyFrame({"country": ["IN", "FR"], "market_type": ["growth", "standard"], "multiplier": [2.0, 1.0]})
RATES = fx(("EUR", date(2025, 1, 1), 2.0), ("EUR", date(2026, 3, 1), 4.0))
CLIENTS = clients(
    {"client_id": 1, "country": "FR", "currency": "EUR", "relationship": "sold"},
    {"client_id": 2, "country": "IN", "currency": "USD", "relationship": "sold_and_managed", "managing_partners": 3},
    {"client_id": 3, "country": "BR", "currency": "USD", "relationship": "managed"},  # BR not in markets: standard
)


def deals(*rows: tuple) -> pl.LazyFrame:
    """rows: (deal_id, client_id, sold_type, closed_on, mrr text)."""
    return (
        pl.DataFrame(
            {
                "deal_id": [r[0] for r in rows],
                "client_id": [r[1] for r in rows],
                "deal_type": ["new_client"] * len(rows),
                "sold_type": [r[2] for r in rows],
                "closed_on": [r[3] for r in rows],
                "mrr": [r[4] for r in rows],
            },
            schema_overrides={"closed_on": pl.Date},
        )
        .with_columns(pl.col("mrr").cast(pl.Decimal(18, 2)))
        .lazy()
    )


def history(rows, as_of, program=PROGRAM, rates=RATES) -> pl.DataFrame:
    out = deal_points(deals(*rows), associated_clients(CLIENTS, as_of), MARKETS, rates, program, as_of).collect()
    return require_rates(out, "currency", "closed_on")
