"""Tiny hand-made partner tables for the dashboard tests."""

from __future__ import annotations

from datetime import date, datetime, timezone

import polars as pl

from transforms.index_catalog import parse_catalog

AS_OF = date(2026, 6, 30)
CATALOG = parse_catalog(
    {
        "active_window_days": 30,
        "min_actions": 1,
        "categories": [
            {"name": "marketing", "max_points": 3, "tools": {"email": 1, "forms": 1, "landing_pages": 1, "social": 0.5, "ads": 0.5, "campaigns": 1}},
            {"name": "sales", "max_points": 2, "tools": {"deals": 1, "sequences": 1, "meetings": 0.5, "quotes": 0.5}},
            {"name": "service", "max_points": 2, "tools": {"tickets": 1, "knowledge_base": 1, "feedback_surveys": 0.5}},
            {"name": "content", "max_points": 1, "tools": {"website_pages": 0.5, "blog": 0.5}},
            {"name": "operations", "max_points": 2, "tools": {"workflows": 1, "reports": 0.5, "custom_objects": 0.5, "data_sync": 1}},
        ],
    },
    "catalog.yaml",
)


def clients(*rows: dict) -> pl.LazyFrame:
    base = {"name": "C", "domain": "c.example", "country": "US", "currency": "USD", "relationship": "sold_and_managed",
            "managing_partners": 1, "associated_since": date(2025, 1, 1), "ended_at": None}
    return pl.DataFrame([{**base, **r} for r in rows], schema_overrides={"ended_at": pl.Date, "associated_since": pl.Date}).lazy()


def usage(*rows: tuple) -> pl.LazyFrame:
    """rows: (client_id, tool, days before AS_OF, actions)."""
    return pl.DataFrame(
        {"client_id": [r[0] for r in rows], "tool": [r[1] for r in rows],
         "activity_date": [date.fromordinal(AS_OF.toordinal() - r[2]) for r in rows], "actions": [r[3] for r in rows]},
        schema={"client_id": pl.Int64, "tool": pl.String, "activity_date": pl.Date, "actions": pl.Int64},
    ).lazy()


def subscriptions(*rows: dict) -> pl.LazyFrame:
    base = {"edition": "professional", "mrr": "100.00", "start_date": date(2025, 1, 1), "end_date": None, "billing_frequency": "monthly",
            "term_months": 12, "max_contacts": 1000, "email_limit": 10000}
    schema = {"subscription_id": pl.String, "client_id": pl.Int64, "product": pl.String, "edition": pl.String, "mrr": pl.String,
              "start_date": pl.Date, "end_date": pl.Date, "billing_frequency": pl.String, "term_months": pl.Int64,
              "max_contacts": pl.Int64, "email_limit": pl.Int64}
    frame = pl.DataFrame([{**base, "subscription_id": f"s{i}", **r} for i, r in enumerate(rows)], schema=schema)
    return frame.with_columns(pl.col("mrr").cast(pl.Decimal(18, 2))).lazy()


def fx(*rows: tuple) -> pl.LazyFrame:
    return pl.DataFrame({"currency": [r[0] for r in rows], "rate_date": [r[1] for r in rows], "usd_per_unit": [r[2] for r in rows]},
                        schema={"currency": pl.String, "rate_date": pl.Date, "usd_per_unit": pl.Float64}).lazy()


def ts(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
