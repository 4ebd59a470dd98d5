"""Pandera schemas of the engagement score outputs, the score history and the definitions registry."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from transforms.common.bands import BANDS
from transforms.common.tables import column, table

OBJECTS = ["contact", "company"]
COMPONENTS = ["rule", "limit_to", "group_limit", "score_limit", "rounding", "company_limit"]
SCORE_ID = column(pl.String, "the definition's id (its file's `id`)", pa.Check.str_matches(r"^[a-z0-9_]+$"))
AS_OF = column(pl.Date, "the day evaluated (scores at the end of that day, UTC)")
RECORD = {
    "score_id": SCORE_ID,
    "object_type": column(pl.String, "`contact` or `company`", pa.Check.isin(OBJECTS)),
    "portal_id": column(pl.Int64, "the CRM portal the record belongs to"),
    "record_id": column(pl.Int64, "the contact id or company id"),
}
SCORE = column(pl.Float64, "0..score_limit, 2 decimals (half away from zero)", pa.Check.in_range(0, 500))
FINITE = pa.Check(lambda d: d.lazyframe.select(pl.col(d.key).is_finite()), error="finite")

ENGAGEMENT_SCORES = table(
    "engagement_scores",
    "One row per definition, record in scope and day: the score and its band. Only computed days have rows:"
    " `computed_days()` lists them, and `engagement_scores_on(day)` stops with that list for a day never computed.",
    {
        **RECORD,
        "as_of": AS_OF,
        "score": SCORE,
        "band": column(
            pl.String,
            "`high` / `medium` / `low` by the definition's thresholds; null without thresholds",
            pa.Check.isin(list(BANDS)),
            nullable=True,
        ),
        "fit_score": column(
            pl.Float64,
            "a combined score's fit part (its own limit and bands); null for other scores",
            pa.Check.in_range(0, 500),
            nullable=True,
        ),
        "engagement_score": column(
            pl.Float64, "a combined score's engagement part; null for other scores", pa.Check.in_range(0, 500), nullable=True
        ),
        "matrix": column(
            pl.String,
            "a combined score's label: fit band A/B/C (high/medium/low) then engagement band 1/2/3, A1 best; null for other scores",
            pa.Check.str_matches(r"^[ABC][123]$"),
            nullable=True,
        ),
    },
    unique=["score_id", "object_type", "portal_id", "record_id", "as_of"],
)

ENGAGEMENT_SCORE_BREAKDOWN = table(
    "engagement_score_breakdown",
    "What 'test a record' shows: per record and day, rows that add up exactly to the score.",
    {
        **RECORD,
        "as_of": AS_OF,
        "group_name": column(pl.String, "the rule's group; null for a score-level row", nullable=True),
        "rule_index": column(
            pl.Int32, "position of the rule in its group (0-based); null for a group or score-level row", pa.Check.ge(0), nullable=True
        ),
        "value": column(pl.String, "the filter value scored (multi-value rules); null otherwise", nullable=True),
        "component": column(
            pl.String,
            "`rule` (points before clamps), `limit_to`, `group_limit`, `score_limit`, `company_limit`, `rounding`",
            pa.Check.isin(COMPONENTS),
        ),
        "events": column(
            pl.Int64, "eligible matching events behind a `rule` row (a fit rule: 1, the record matched); 0 for clamp rows", pa.Check.ge(0)
        ),
        "points": column(pl.Float64, "points of the row; clamp rows are negative adjustments", FINITE),
    },
    unique=["score_id", "object_type", "portal_id", "record_id", "as_of", "group_name", "rule_index", "value", "component"],
)

ENGAGEMENT_SCORE_RULES = table(
    "engagement_score_rules",
    "Per definition and day, each rule in force: what the `rule` rows of the breakdown count, named.",
    {
        "score_id": SCORE_ID,
        "as_of": AS_OF,
        "group_name": column(pl.String, "the rule's group (as in the breakdown)"),
        "rule_index": column(pl.Int32, "position of the rule in its group (0-based, as in the breakdown)", pa.Check.ge(0)),
        "event_type": column(
            pl.String, "the event type the rule counts; null for a fit rule (it reads the record's properties)", nullable=True
        ),
        "filters": column(pl.String, "its filters as people read them (`meeting_outcome equals completed`); null without", nullable=True),
        "within_days": column(pl.Int64, "the window in days: only events of the last N days count; null without", nullable=True),
        "limit_to": column(pl.Int64, "at most this many events count; null without", nullable=True),
        "rule": column(
            pl.String,
            "event type, filters and window in one line (`call where duration_seconds gte 300, last 60 days`); a fit rule's filters",
        ),
    },
    unique=["score_id", "as_of", "group_name", "rule_index"],
)

ENGAGEMENT_SCORE_DISTRIBUTION = table(
    "engagement_score_distribution",
    "Per definition and day: records in 10 equal buckets over [0, score_limit], then one row per band.",
    {
        "score_id": SCORE_ID,
        "as_of": AS_OF,
        "bucket_low": column(pl.Float64, "lower bound (inclusive) of the bucket, or of the band's score range", pa.Check.ge(0)),
        "bucket_high": column(pl.Float64, "upper bound (exclusive; the last bucket includes score_limit)", pa.Check.le(500)),
        "band": column(pl.String, "null for a bucket row; the band for a band row", pa.Check.isin(list(BANDS)), nullable=True),
        "records": column(pl.Int64, "records in the bucket or band", pa.Check.ge(0)),
    },
    unique=["score_id", "as_of", "bucket_low", "band"],
)

# Not a day table: stored as change rows (transforms/scores/history_changes.py), checked before they are.
ENGAGEMENT_SCORE_HISTORY = table(
    "engagement_score_history",
    "One row per record and stretch of days over which its score and band stay the same; the score on day D "
    "is the row with valid_from <= D < valid_to (or valid_to null). Filled in one pass by backfills and "
    "extended by each daily run with the records whose score changed.",
    {
        **RECORD,
        "score": column(pl.Float64, "the score over the whole interval, as in `engagement_scores`", SCORE.checks),
        "band": column(pl.String, "the band over the whole interval; null without thresholds", pa.Check.isin(list(BANDS)), nullable=True),
        "valid_from": column(pl.Date, "first day of the interval"),
        "valid_to": column(
            pl.Date, "first day the score or band differs, or the record left the scope (exclusive); null while current", nullable=True
        ),
    },
    unique=["score_id", "object_type", "portal_id", "record_id", "valid_from"],
    checks=[
        pa.Check(
            lambda d: d.lazyframe.select(pl.col("valid_to").is_null() | (pl.col("valid_to") > pl.col("valid_from"))),
            error="valid_to is after valid_from",
        )
    ],
)

SCORE_DEFINITIONS = table(
    "score_definitions",
    "The score definitions registry, refreshed by every run; `engage scores list` reads it.",
    {
        "score_id": column(pl.String, "the definition's id"),
        "name": column(pl.String, "its display name"),
        "score_type": column(pl.String, "`engagement` (points for events) or `fit` (points for the record's properties)"),
        "object_type": column(pl.String, "`contact` or `company`"),
        "status": column(pl.String, "`active`, `inactive`, `draft`, or `deleted` (by `engage scores delete`)"),
        "score_limit": column(pl.Int64, "100..500"),
        "threshold_medium": column(pl.Float64, "medium band threshold; null without thresholds", nullable=True),
        "threshold_high": column(pl.Float64, "high band threshold; null without thresholds", nullable=True),
        "groups": column(pl.Int64, "number of groups"),
        "rules": column(pl.Int64, "number of rules"),
        "file": column(pl.String, "the file it was read from"),
        "content_hash": column(pl.String, "hash of the parsed definition: a new value means the definition changed"),
        "first_seen": column(pl.Date, "the as-of day of the first run that saw it"),
        "last_changed": column(pl.Date, "the as-of day of the run that first saw its current hash"),
        "last_computed": column(pl.Date, "the last as-of day it was computed", nullable=True),
        "deleted_on": column(pl.Date, "the day it was deleted; null otherwise", nullable=True),
        "values_dropped": column(pl.Boolean, "deleted with --drop-values: its stored rows are gone from every view", nullable=True),
    },
    unique=["score_id"],
)
