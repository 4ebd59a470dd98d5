"""Combined scores: a fit part and an engagement part, each scored as a definition of its own
(`<id>__fit`, `<id>__engagement`), then summed within the combined score's limit. The matrix label
names both bands: the fit band's letter (A high, B medium, C low) and the engagement band's digit
(1 high, 2 medium, 3 low), A1 the best fit and most engaged."""

from __future__ import annotations

import polars as pl

from transforms.common.bands import band_of
from transforms.scores.definition import ScoreDefinition
from transforms.scores.history_changes import level_changes

FIT_LETTERS = {"high": "A", "medium": "B", "low": "C"}
ENGAGEMENT_DIGITS = {"high": "1", "medium": "2", "low": "3"}
PARTS = ("fit", "engagement")
# A part's group is named for its part in the breakdown and the rules table: `fit: Role`.
PART_SEPARATOR = ": "
RECORD = ["object_type", "portal_id", "record_id", "as_of"]


def expanded(definitions: list[ScoreDefinition]) -> list[ScoreDefinition]:
    """`definitions` with each combined one replaced by its fit and engagement parts."""
    return [part for d in definitions for part in (d.parts if d.type == "combined" else (d,))]


def _part_id(definition: ScoreDefinition, kind: str) -> str:
    return f"{definition.id}__{kind}"


def _band(definition: ScoreDefinition) -> pl.Expr:
    """The combined score's band by its own thresholds; null without."""
    if definition.thresholds is None:
        return pl.lit(None, dtype=pl.String)
    return band_of(pl.col("score"), definition.thresholds.medium, definition.thresholds.high)


def combined_scores(scores: pl.DataFrame, definitions: list[ScoreDefinition]) -> pl.DataFrame:
    """`scores` (rows of the parts' ids among others) with each combined definition's part rows
    replaced by its own: the sum of the parts within its limit, its band, `fit_score`,
    `engagement_score` and `matrix`."""
    combined = [d for d in definitions if d.type == "combined"]
    if not combined:
        return scores
    part_ids = [_part_id(d, kind) for d in combined for kind in PARTS]
    rows = []
    for d in combined:
        fit, engagement = (
            scores.filter(pl.col("score_id") == _part_id(d, kind)).select(
                *RECORD, pl.col("score").alias(f"{kind}_score"), pl.col("band").alias(f"{kind}_band")
            )
            for kind in PARTS
        )
        both = fit.join(engagement, on=RECORD, how="full", coalesce=True, maintain_order="left")
        total = (pl.col("fit_score").fill_null(0) + pl.col("engagement_score").fill_null(0)).clip(0, d.score_limit).round(2)
        rows.append(
            both.with_columns(total.alias("score"), pl.lit(d.id).alias("score_id"))
            .with_columns(
                _band(d).alias("band"),
                pl.concat_str(
                    pl.col("fit_band").replace_strict(FIT_LETTERS, default=None),
                    pl.col("engagement_band").replace_strict(ENGAGEMENT_DIGITS, default=None),
                ).alias("matrix"),
            )
            .select(scores.columns)
        )
    return pl.concat([scores.filter(~pl.col("score_id").is_in(part_ids)), *rows], how="vertical_relaxed")


def combined_breakdown(breakdown: pl.LazyFrame, scores: pl.DataFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """`breakdown` with each combined definition's part rows under its id, their groups named for
    their part (`fit: Role`; a part's own clamps `fit`), and a `score_limit` row where the sum of
    the parts was clamped; `scores` are the combined scores (from `combined_scores`)."""
    combined = [d for d in definitions if d.type == "combined"]
    if not combined:
        return breakdown
    renamed = {_part_id(d, kind): (d.id, kind) for d in combined for kind in PARTS}
    is_part = pl.col("score_id").is_in(list(renamed))
    kind = pl.col("score_id").replace_strict({k: v[1] for k, v in renamed.items()}, default=None)
    parts = breakdown.filter(is_part).with_columns(
        pl.when(pl.col("group_name").is_null())
        .then(kind)
        .otherwise(pl.concat_str(kind, pl.lit(PART_SEPARATOR), pl.col("group_name")))
        .alias("group_name"),
        pl.col("score_id").replace_strict({k: v[0] for k, v in renamed.items()}, default=None).alias("score_id"),
    )
    own = scores.filter(pl.col("score_id").is_in([d.id for d in combined]))
    clamp = (
        own.lazy()
        .with_columns(
            (pl.col("score") - pl.col("fit_score").fill_null(0) - pl.col("engagement_score").fill_null(0)).round(6).alias("points")
        )
        .filter(pl.col("points") != 0)
        .select(
            "score_id",
            *RECORD,
            pl.lit(None, dtype=pl.String).alias("group_name"),
            pl.lit(None, dtype=pl.Int32).alias("rule_index"),
            pl.lit(None, dtype=pl.String).alias("value"),
            pl.lit("score_limit").alias("component"),
            pl.lit(0, dtype=pl.Int64).alias("events"),
            "points",
        )
    )
    columns = breakdown.collect_schema().names()
    return pl.concat([breakdown.filter(~is_part), parts.select(columns), clamp.select(columns)])


def combined_history(intervals: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """History intervals with each combined definition's part intervals replaced by its own: on every
    day either part changes, the sum within its limit and its band, kept where they change."""
    combined = [d for d in definitions if d.type == "combined"]
    if not combined:
        return intervals
    key = ["object_type", "portal_id", "record_id"]
    out = [intervals.filter(~pl.col("score_id").is_in([_part_id(d, k) for d in combined for k in PARTS]))]
    for d in combined:
        fit, engagement = (
            intervals.filter(pl.col("score_id") == _part_id(d, k)).select(*key, pl.col("valid_from").alias("day"), pl.col("score").alias(k))
            for k in PARTS
        )
        days = pl.concat([fit.select(*key, "day"), engagement.select(*key, "day")]).unique()
        levels = (
            days.join(fit, on=[*key, "day"], how="left")
            .join(engagement, on=[*key, "day"], how="left")
            .sort(*key, "day")
            .with_columns(pl.col(k).forward_fill().over(key).fill_null(0.0) for k in PARTS)
            .with_columns((pl.col("fit") + pl.col("engagement")).clip(0, d.score_limit).round(2).alias("score"))
            .with_columns(_band(d).alias("band"))
        )
        out.append(
            level_changes(levels, key).select(
                pl.lit(d.id).alias("score_id"), *key, "score", "band", pl.col("day").alias("valid_from"), "valid_to"
            )
        )
    return pl.concat(out, how="vertical_relaxed")
