"""Every computed day table, registered in one place: its Pandera schema, its types, its check."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from transforms.common.tables import polars_types, validate_with
from transforms.dashboard.schemas import (
    CLIENT_ALERTS,
    CLIENT_BASE_OPPORTUNITIES,
    CLIENT_OPPORTUNITIES,
    CLIENTS_OVERVIEW,
    PLATFORM_ENGAGEMENT_BREAKDOWN,
    PLATFORM_ENGAGEMENT_INDEX,
    PLATFORM_UNCATALOGUED_TOOLS,
    UPCOMING_RENEWALS,
)
from transforms.points.schemas import PARTNER_POINTS_BY_CLIENT, PARTNER_POINTS_HISTORY, PARTNER_TIER
from transforms.scores.schemas import (
    ENGAGEMENT_SCORE_BREAKDOWN,
    ENGAGEMENT_SCORE_DISTRIBUTION,
    ENGAGEMENT_SCORE_RULES,
    ENGAGEMENT_SCORES,
)

DAY_TABLES = (
    ENGAGEMENT_SCORES,
    ENGAGEMENT_SCORE_BREAKDOWN,
    ENGAGEMENT_SCORE_DISTRIBUTION,
    ENGAGEMENT_SCORE_RULES,
    PLATFORM_ENGAGEMENT_INDEX,
    PLATFORM_ENGAGEMENT_BREAKDOWN,
    PLATFORM_UNCATALOGUED_TOOLS,
    CLIENT_OPPORTUNITIES,
    CLIENT_BASE_OPPORTUNITIES,
    CLIENTS_OVERVIEW,
    UPCOMING_RENEWALS,
    CLIENT_ALERTS,
    PARTNER_POINTS_BY_CLIENT,
    PARTNER_POINTS_HISTORY,
    PARTNER_TIER,
)
OUTPUT_SCHEMAS: dict[str, pa.DataFrameSchema] = {schema.name: schema for schema in DAY_TABLES}


def polars_schema(name: str) -> pl.Schema:
    """Return the column types of the output table `name`."""
    return polars_types(OUTPUT_SCHEMAS[name])


def validate_output(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Return `frame` with the registered column order once it passes its schema, values included."""
    return validate_with(OUTPUT_SCHEMAS[name], frame)
