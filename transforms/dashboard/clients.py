"""Which clients and subscriptions count at an as-of date (shared by the partner dashboard marts)."""

from __future__ import annotations

from datetime import date

import polars as pl


def associated_clients(clients: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """Clients associated at `as_of`: associated_since <= as_of and ended_at null or later than as_of."""
    return clients.filter((pl.col("associated_since") <= as_of) & (pl.col("ended_at").is_null() | (pl.col("ended_at") > as_of)))


def active_subscriptions(subscriptions: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """Subscriptions active at `as_of`: start_date <= as_of and end_date null or later than as_of."""
    return subscriptions.filter((pl.col("start_date") <= as_of) & (pl.col("end_date").is_null() | (pl.col("end_date") > as_of)))
