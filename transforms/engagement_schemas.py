"""Pandera schemas of the engagement score outputs."""

import polars as pl
import pandera.polars as pa

from transforms.output_schemas import register

BANDS = ["low", "medium", "high"]
OBJECTS = ["contact", "company"]
COMPONENTS = ["rule", "limit_to", "group_limit", "score_limit", "rounding", "company_limit"]
RECORD = {
    "score_id": pa.Column(pl.String, checks=pa.Check.str_matches(r"^[a-z0-9_]+$")),
    "object_type": pa.Column(pl.String, checks=pa.Check.isin(OBJECTS)),
    "portal_id": pa.Column(pl.Int64),
    "record_id": pa.Column(pl.Int64),
    "as_of": pa.Column(pl.Date),
}

ENGAGEMENT_SCORES = register(
    pa.DataFrameSchema(
        {
            **RECORD,
            "score": pa.Column(pl.Float64, checks=[pa.Check.in_range(0, 500)]),
            "band": pa.Column(pl.String, checks=pa.Check.isin(BANDS), nullable=True),
        },
        unique=["score_id", "object_type", "portal_id", "record_id", "as_of"],
        name="engagement_scores",
        strict=True,
    )
)

ENGAGEMENT_SCORE_BREAKDOWN = register(
    pa.DataFrameSchema(
        {
            **RECORD,
            "group_name": pa.Column(pl.String, nullable=True),
            "rule_index": pa.Column(pl.Int32, checks=pa.Check.ge(0), nullable=True),
            "value": pa.Column(pl.String, nullable=True),
            "component": pa.Column(pl.String, checks=pa.Check.isin(COMPONENTS)),
            "events": pa.Column(pl.Int64, checks=pa.Check.ge(0)),
            "points": pa.Column(pl.Float64, checks=pa.Check(lambda d: d.lazyframe.select(pl.col(d.key).is_finite()), error="finite")),
        },
        unique=["score_id", "object_type", "portal_id", "record_id", "as_of", "group_name", "rule_index", "value", "component"],
        name="engagement_score_breakdown",
        strict=True,
    )
)

ENGAGEMENT_SCORE_DISTRIBUTION = register(
    pa.DataFrameSchema(
        {
            "score_id": RECORD["score_id"],
            "as_of": pa.Column(pl.Date),
            "bucket_low": pa.Column(pl.Float64, checks=pa.Check.ge(0)),
            "bucket_high": pa.Column(pl.Float64, checks=pa.Check.le(500)),
            "band": pa.Column(pl.String, checks=pa.Check.isin(BANDS), nullable=True),
            "records": pa.Column(pl.Int64, checks=pa.Check.ge(0)),
        },
        unique=["score_id", "as_of", "bucket_low", "band"],
        name="engagement_score_distribution",
        strict=True,
    )
)

# Not a day table: stored as change rows (transforms/history_changes.py), checked before they are.
ENGAGEMENT_SCORE_HISTORY = pa.DataFrameSchema(
    {
        **{k: v for k, v in RECORD.items() if k != "as_of"},
        "score": ENGAGEMENT_SCORES.columns["score"],
        "band": ENGAGEMENT_SCORES.columns["band"],
        "valid_from": pa.Column(pl.Date),
        "valid_to": pa.Column(pl.Date, nullable=True),
    },
    unique=["score_id", "object_type", "portal_id", "record_id", "valid_from"],
    checks=pa.Check(
        lambda d: d.lazyframe.select(pl.col("valid_to").is_null() | (pl.col("valid_to") > pl.col("valid_from"))),
        error="valid_to is after valid_from",
    ),
    name="engagement_score_history",
    strict=True,
)
