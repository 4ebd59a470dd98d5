"""The 0-10 platform engagement index per client, its per-category breakdown and uncatalogued tools."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from transforms.common.bands import band_of
from transforms.dashboard.catalog import IndexCatalog


def catalog_tools(catalog: IndexCatalog) -> pl.LazyFrame:
    """(category, tool, tool_cents, max_cents): every catalogued tool; points in hundredths."""
    return pl.LazyFrame(
        [
            {"category": c.name, "tool": tool, "tool_cents": round(points * 100), "max_cents": round(c.max_points * 100)}
            for c in catalog.categories
            for tool, points in c.tools.items()
        ],
        schema={"category": pl.String, "tool": pl.String, "tool_cents": pl.Int64, "max_cents": pl.Int64},
    )


def tools_in_use(tool_usage: pl.LazyFrame, clients: pl.LazyFrame, catalog: IndexCatalog, as_of: date) -> pl.LazyFrame:
    """(client_id, tool, actions): tools whose actions over the window ending with `as_of` reach min_actions,
    for the given (associated) clients."""
    start = as_of - timedelta(days=catalog.active_window_days - 1)
    return (
        tool_usage.filter(pl.col("activity_date").is_between(start, as_of))
        .join(clients.select("client_id"), on="client_id", how="semi")
        .group_by("client_id", "tool")
        .agg(pl.col("actions").sum())
        .filter(pl.col("actions") >= catalog.min_actions)
    )


def index_breakdown(in_use: pl.LazyFrame, clients: pl.LazyFrame, catalog: IndexCatalog, as_of: date) -> pl.LazyFrame:
    """platform_engagement_breakdown: per client and category (zero rows included) the points, capped at
    max_points, and how many of its tools are in use."""
    tools = catalog_tools(catalog)
    categories = tools.select("category", "max_cents").unique()
    scored = (
        in_use.join(tools, on="tool")
        .group_by("client_id", "category")
        .agg(pl.col("tool_cents").sum().alias("cents"), pl.len().cast(pl.Int64).alias("tools_in_use"))
    )
    return (
        clients.select("client_id")
        .join(categories, how="cross")
        .join(scored, on=["client_id", "category"], how="left")
        .select(
            pl.lit(as_of).alias("as_of"),
            "client_id",
            "category",
            (pl.min_horizontal(pl.col("cents").fill_null(0), pl.col("max_cents")) / 100).alias("points"),
            (pl.col("max_cents") / 100).alias("max_points"),
            pl.col("tools_in_use").fill_null(0),
        )
    )


# The index zones: low 0-3, medium 4-6, high 7-10.
INDEX_MEDIUM, INDEX_HIGH = 4, 7


def index_band(score: pl.Expr) -> pl.Expr:
    """Index zones: low 0-3, medium 4-6, high 7-10."""
    return band_of(score, INDEX_MEDIUM, INDEX_HIGH)


def engagement_index(breakdown: pl.LazyFrame) -> pl.LazyFrame:
    """platform_engagement_index: the sum of category points rounded half up to an integer, its band, and
    the number of catalogued tools in use."""
    return (
        breakdown.group_by("as_of", "client_id")
        .agg((pl.col("points") * 100).round(0).cast(pl.Int64).sum().alias("cents"), pl.col("tools_in_use").sum())
        .select("as_of", "client_id", ((pl.col("cents") + 50) // 100).cast(pl.Int64).alias("index_score"), "tools_in_use")
        .with_columns(index_band(pl.col("index_score")).alias("band"))
        .select("as_of", "client_id", "index_score", "band", "tools_in_use")
    )


def uncatalogued_tools(in_use: pl.LazyFrame, catalog: IndexCatalog, as_of: date) -> pl.LazyFrame:
    """platform_uncatalogued_tools: tools in use that the catalog does not score, per client."""
    return in_use.join(catalog_tools(catalog), on="tool", how="anti").select(pl.lit(as_of).alias("as_of"), "client_id", "tool", "actions")
