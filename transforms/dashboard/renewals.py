"""Upcoming contract changes (up to 120 days ahead) with deadlines and statuses, and the alerts count."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from transforms.common.fx import with_usd_rate

HORIZON_DAYS = 120
DEADLINE_DAYS = 45
AUTO_RENEW_DAYS = 44
# Every status an upcoming change can have, in the order the spec tests them (the first that holds wins).
RENEWAL_STATUSES = ("cancellation_requested", "confirmed", "renewed", "pending")
CANCELLATION_REQUESTED, CONFIRMED, RENEWED, PENDING = RENEWAL_STATUSES


def main_subscription(active: pl.LazyFrame) -> pl.LazyFrame:
    """Per client, the active subscription whose terms a renewal shows: the highest MRR (ties: lowest id)."""
    return (
        active.sort("client_id", pl.col("mrr"), "subscription_id", descending=[False, True, False])
        .group_by("client_id", maintain_order=True)
        .first()
        .select("client_id", "max_contacts", "email_limit", "billing_frequency", "term_months")
    )


def renewal_status(as_of: date) -> pl.Expr:
    """The first status that holds at `as_of` (timestamps count on their UTC day)."""

    def by_as_of(name: str) -> pl.Expr:
        return pl.col(name).is_not_null() & (pl.col(name).dt.date() <= as_of)

    contract = pl.col("contract_type")
    return (
        pl.when(by_as_of("cancellation_requested_at"))
        .then(pl.lit(CANCELLATION_REQUESTED))
        .when(contract.is_in(["contact_upgrade", "email_overage"]) & by_as_of("accepted_at"))
        .then(pl.lit(CONFIRMED))
        .when(
            (contract == "renewal") & (by_as_of("accepted_at") | (pl.col("renewal_start_date") - timedelta(days=AUTO_RENEW_DAYS) <= as_of))
        )
        .then(pl.lit(RENEWED))
        .otherwise(pl.lit(PENDING))
    )


def upcoming_renewals(
    changes: pl.LazyFrame, clients: pl.LazyFrame, active: pl.LazyFrame, fx_rates: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """upcoming_renewals at `as_of`, for associated `clients`, with `usd_per_unit` (null when no rate: check it)."""
    upcoming = changes.filter(pl.col("renewal_start_date").is_between(as_of, as_of + timedelta(days=HORIZON_DAYS))).join(
        clients.select("client_id", pl.col("name").alias("client_name"), "currency", pl.col("domain").alias("website")), on="client_id"
    )

    def money(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64)

    priced = with_usd_rate(upcoming.with_columns(pl.lit(as_of).alias("fx_date")), fx_rates, "currency", "fx_date")
    return priced.join(main_subscription(active), on="client_id", how="left").select(
        pl.lit(as_of).alias("as_of"),
        "change_id",
        "client_id",
        "client_name",
        "contract_type",
        renewal_status(as_of).alias("status"),
        pl.col("communication_owner").fill_null("hubspot"),
        "primary_contact_email",
        "renewal_start_date",
        (pl.col("renewal_start_date") - timedelta(days=DEADLINE_DAYS)).alias("renewal_deadline"),
        ((pl.col("renewal_start_date") - timedelta(days=DEADLINE_DAYS)) - pl.lit(as_of))
        .dt.total_days()
        .cast(pl.Int64)
        .alias("days_to_deadline"),
        money("current_mrr").alias("current_mrr"),
        money("estimated_new_mrr").alias("estimated_new_mrr"),
        (money("estimated_new_mrr") - money("current_mrr")).round(2).alias("mrr_change"),
        "currency",
        (money("current_mrr") * pl.col("usd_per_unit")).round(2).alias("current_mrr_usd"),
        (money("estimated_new_mrr") * pl.col("usd_per_unit")).round(2).alias("estimated_new_mrr_usd"),
        "website",
        "max_contacts",
        "email_limit",
        "billing_frequency",
        "term_months",
        "usd_per_unit",
    )


def client_alerts(renewals: pl.LazyFrame, as_of: date) -> pl.LazyFrame:
    """client_alerts: upcoming changes still pending whose deadline has not passed."""
    decisions = renewals.filter((pl.col("status") == PENDING) & (pl.col("days_to_deadline") >= 0)).select(pl.len().cast(pl.Int64))
    return decisions.select(pl.lit(as_of).alias("as_of"), pl.col("len").alias("upcoming_renewal_decisions"))
