"""Cross-sell, upsell and adoption opportunities per client, and their counts in the client base."""

from __future__ import annotations

from datetime import date

import polars as pl

from transforms.dashboard.catalog import HUBS, IndexCatalog


def client_opportunities(
    clients: pl.LazyFrame, active: pl.LazyFrame, breakdown: pl.LazyFrame, catalog: IndexCatalog, as_of: date
) -> pl.LazyFrame:
    """client_opportunities: `cross_sell:<hub>` for each hub not held, `upsell:<product>` for each product held
    at free or starter, `adoption:<category>` for each category at 0 points although a matching hub is held."""
    held = active.join(clients.select("client_id"), on="client_id", how="semi").select("client_id", "product", "edition")
    cross_sell = (
        clients.select("client_id")
        .join(pl.LazyFrame({"product": list(HUBS)}), how="cross")
        .join(held, on=["client_id", "product"], how="anti")
        .select("client_id", pl.lit("cross_sell").alias("kind"), pl.col("product").alias("product_or_category"))
    )
    upsell = (
        held.filter(pl.col("edition").is_in(["free", "starter"]))
        .select("client_id", pl.lit("upsell").alias("kind"), pl.col("product").alias("product_or_category"))
        .unique()
    )
    category_hubs = pl.LazyFrame(
        [{"category": c.name, "product": hub} for c in catalog.categories for hub in c.adoption_hubs],
        schema={"category": pl.String, "product": pl.String},
    )
    adoption = (
        breakdown.filter(pl.col("points") == 0)
        .join(category_hubs, on="category")
        .join(held, on=["client_id", "product"], how="semi")
        .select("client_id", pl.lit("adoption").alias("kind"), pl.col("category").alias("product_or_category"))
        .unique()
    )
    return pl.concat([cross_sell, upsell, adoption]).select(
        pl.lit(as_of).alias("as_of"),
        "client_id",
        pl.concat_str("kind", pl.lit(":"), "product_or_category").alias("opportunity"),
        "kind",
        "product_or_category",
    )


def opportunity_counts(opportunities: pl.LazyFrame, index: pl.LazyFrame) -> pl.LazyFrame:
    """client_base_opportunities: "opportunities in your client base", clients per opportunity and band."""
    return (
        opportunities.join(index.select("client_id", "band"), on="client_id")
        .group_by("as_of", "opportunity", "kind", "band")
        .agg(pl.len().cast(pl.Int64).alias("clients"))
    )
