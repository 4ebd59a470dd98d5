"""How score history is stored: one change row per record and day its score or band changes.

A change row (record, score, band, valid_from) says "from this day on"; a row with a null score
says the record left the definition's scope that day. The intervals analysts query follow from
the rows of a record in day order (`sql/base/score_history.sql`), so a daily run adds only the
records whose score changed, and a backfill replaces the change rows of its own range.
"""

from __future__ import annotations

from datetime import date

import polars as pl

STATE_KEY = ["score_id", "object_type", "portal_id", "record_id"]
CHANGE_SCHEMA = pl.Schema(
    {
        "score_id": pl.String,
        "object_type": pl.String,
        "portal_id": pl.Int64,
        "record_id": pl.Int64,
        "score": pl.Float64,
        "band": pl.String,
        "valid_from": pl.Date,
    }
)


def level_changes(levels: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """`levels` (score and band per record and `day`, sorted by `key` then day) kept on each record's
    first day and where its score or band changes, each with `valid_to`: its record's next kept day,
    null on its last."""
    # Sorted by record and day, so a row's previous row is its record's previous day.
    new_record = pl.any_horizontal(pl.col(c) != pl.col(c).shift(1) for c in key).fill_null(True)
    changed = new_record | (pl.col("score") != pl.col("score").shift(1)) | pl.col("band").ne_missing(pl.col("band").shift(1))
    last_of_record = pl.any_horizontal(pl.col(c) != pl.col(c).shift(-1) for c in key).fill_null(True)
    return levels.filter(changed).with_columns(pl.when(last_of_record).then(None).otherwise(pl.col("day").shift(-1)).alias("valid_to"))


def state_on(changes: pl.LazyFrame, day: date) -> pl.LazyFrame:
    """(record, score, band) of every record in scope on `day` by the change rows up to that day."""
    return (
        changes.filter(pl.col("valid_from") <= day)
        .group_by(STATE_KEY)
        .agg(pl.col("score", "band").sort_by("valid_from").last())
        .filter(pl.col("score").is_not_null())
    )


def state_diff(before: pl.LazyFrame, after: pl.LazyFrame, score_ids: list[str], day: date) -> pl.LazyFrame:
    """Change rows on `day` taking the records of `score_ids` from state `before` to state `after`:
    records whose score or band differ or that appear, and a null row for each that left."""
    before = before.filter(pl.col("score_id").is_in(score_ids)).select(*STATE_KEY, "score", "band")
    after = after.filter(pl.col("score_id").is_in(score_ids)).select(*STATE_KEY, "score", "band")
    changed = after.join(before, on=[*STATE_KEY, "score", "band"], how="anti", nulls_equal=True)
    left = before.join(after, on=STATE_KEY, how="anti").with_columns(
        pl.lit(None, dtype=pl.Float64).alias("score"), pl.lit(None, dtype=pl.String).alias("band")
    )
    return pl.concat([changed, left]).with_columns(pl.lit(day).alias("valid_from")).select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)


def range_changes(previous: pl.LazyFrame, intervals: pl.LazyFrame, score_ids: list[str], start: date) -> pl.LazyFrame:
    """Change rows of a history computed over a range starting on `start`, given the stored state of
    the day before it (`previous`): the first day as a difference, every later interval as it starts."""
    first = state_diff(previous, intervals.filter(pl.col("valid_from") == start), score_ids, start)
    later = intervals.filter(pl.col("valid_from") > start).select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)
    return pl.concat([first, later])


def day_intervals(scores: pl.LazyFrame) -> pl.LazyFrame:
    """The one-day history of a day's `engagement_scores`: each record's score from its `as_of` on."""
    return scores.select(*STATE_KEY, "score", "band", pl.col("as_of").alias("valid_from"), pl.lit(None, dtype=pl.Date).alias("valid_to"))
