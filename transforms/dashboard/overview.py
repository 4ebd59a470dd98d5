"""The dashboard's Clients table: products owned, relationship, usage and MRR per associated client."""

from __future__ import annotations

from datetime import date

import polars as pl

from transforms.common.fx import with_usd_rate


def clients_overview(
    clients: pl.LazyFrame, active: pl.LazyFrame, index: pl.LazyFrame, renewals: pl.LazyFrame, fx_rates: pl.LazyFrame, as_of: date
) -> pl.LazyFrame:
    """clients_overview at `as_of` for associated `clients`, with `usd_per_unit` (null when no rate: check it)."""
    owned = active.group_by("client_id").agg(
        pl.col("product").unique().sort().alias("products_owned"), pl.col("mrr").cast(pl.Float64).sum().round(2).alias("total_mrr")
    )
    renewing = renewals.group_by("client_id").agg(pl.len().cast(pl.Int64).alias("upcoming_renewals"))
    base = (
        clients.join(owned, on="client_id", how="left")
        .join(index.select("client_id", "index_score", "band"), on="client_id", how="left")
        .join(renewing, on="client_id", how="left")
        .with_columns(pl.lit(as_of).alias("fx_date"))
    )
    return with_usd_rate(base, fx_rates, "currency", "fx_date").select(
        pl.lit(as_of).alias("as_of"),
        "client_id",
        "name",
        "relationship",
        pl.col("products_owned").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.col("total_mrr").fill_null(0.0),
        "currency",
        (pl.col("total_mrr").fill_null(0.0) * pl.col("usd_per_unit")).round(2).alias("total_mrr_usd"),
        "index_score",
        "band",
        pl.col("upcoming_renewals").fill_null(0),
        "usd_per_unit",
    )
