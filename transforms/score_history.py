"""Engagement score history: every record's score and band over a range of days, in one pass.

An event's contribution is a step function of the as-of day: it starts on the event's day, steps
down on each decay day, and ends when it leaves its rule's window or a reset drops it. Each step is
a delta row (member, unit, day, cents); running sums give a unit's points on the days they change,
and each clamp of the single-day engine (limit_to, together, group limit, total, company
aggregation) is applied on those days only, then turned back into deltas for the next level.
Nothing loops over days: a record costs rows in proportion to the days its score changes.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from transforms.engagement_score import (
    EVENT_COLUMNS,
    KEY,
    MEMBER_KEY,
    ScoreInputs,
    as_of_instant,
    band,
    clamp_abs,
    definition_table,
    divide_rounded,
    rule_units,
    score_members,
    unit_matches,
)
from transforms.score_definition import ScoreDefinition

HISTORY_COLUMNS = ["score_id", "object_type", "portal_id", "record_id", "score", "band", "valid_from", "valid_to"]
UNIT_KEY = [*MEMBER_KEY, "unit_id"]


def month_shift(day: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The date `months` calendar months after `day`, the day of month clamped to the month's last day."""
    index = day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1 + months
    first = pl.date(index // 12, index % 12 + 1, 1)
    return pl.date(index // 12, index % 12 + 1, pl.min_horizontal(day.dt.day(), first.dt.month_end().dt.day()))


def months_between(day: pl.Expr, later: pl.Expr) -> pl.Expr:
    """The largest n such that `day` moved forward n months (clamped) is on or before `later`."""
    months = (later.dt.year().cast(pl.Int64) - day.dt.year().cast(pl.Int64)) * 12 + (later.dt.month().cast(pl.Int64) - day.dt.month().cast(pl.Int64))
    clamped = pl.min_horizontal(day.dt.day(), later.dt.month_end().dt.day())
    return months - (clamped > later.dt.day()).cast(pl.Int64)


def _remaining(k: pl.Expr, percent: int) -> pl.Expr:
    """Hundredths of the points left after k decay periods."""
    return pl.max_horizontal(pl.lit(0, dtype=pl.Int64), 100 - k * percent)


def _reset_stops(hits: pl.LazyFrame, resets: pl.LazyFrame, record: str) -> pl.LazyFrame:
    """`hits` with `reset_stop`: the day of the first reset at or after each event (it drops the event)."""
    hits = hits.join(resets.select("portal_id", pl.col("record_id").alias(record), "resets"), on=["portal_id", record], how="left")
    plain = hits.filter(pl.col("resets").is_null()).drop("resets").with_columns(pl.lit(None, dtype=pl.Date).alias("reset_stop"))
    candidate = pl.when(pl.col("resets") >= pl.col("occurred_at")).then(pl.col("resets").dt.date())
    reset = (
        hits.filter(pl.col("resets").is_not_null())
        .with_row_index("hit")
        .explode("resets")
        .group_by("hit")
        .agg(pl.all().exclude("resets").first(), candidate.min().alias("reset_stop"))
        .drop("hit")
    )
    return pl.concat([plain, reset], how="diagonal_relaxed")


def _unit_steps(grouped: pl.LazyFrame, unit: dict, start: date, end: date) -> pl.LazyFrame:
    """Delta rows (day, cents) of events grouped by (member, day, stop) with their count `n`."""
    points = pl.col("n") * unit["points"]
    percent, every = unit["decay_percent"], unit["decay_months"]
    first = pl.max_horizontal(pl.col("day"), pl.lit(start))
    if percent:
        periods = -(-100 // percent)
        k_first = months_between(pl.col("day"), first) // every
        grouped = grouped.with_columns(k_first.alias("k_first")).filter(pl.col("k_first") < periods)
    else:
        grouped = grouped.with_columns(pl.lit(0, dtype=pl.Int64).alias("k_first"))
    grouped = grouped.filter(pl.col("stop").is_null() | (pl.col("stop") > first))
    begin = grouped.select(*UNIT_KEY, first.alias("day"), (points * _remaining(pl.col("k_first"), percent)).alias("cents"))
    stop_k = months_between(pl.col("day"), pl.col("stop") - timedelta(days=1)) // every if percent else pl.lit(0, dtype=pl.Int64)
    stop = grouped.filter(pl.col("stop") <= end).select(*UNIT_KEY, pl.col("stop").alias("day"), (-points * _remaining(stop_k, percent)).alias("cents"))
    if not percent:
        return pl.concat([begin, stop])
    last = pl.min_horizontal(pl.lit(periods, dtype=pl.Int64), months_between(pl.col("day"), pl.lit(end)) // every)
    steps = (
        grouped.with_columns(pl.int_ranges(pl.col("k_first") + 1, last + 1).alias("k"))
        .explode("k", empty_as_null=False)
        .drop_nulls("k")
        .with_columns(month_shift(pl.col("day"), pl.col("k") * every).alias("step_day"))
        .filter(pl.col("stop").is_null() | (pl.col("step_day") < pl.col("stop")))
        .select(*UNIT_KEY, pl.col("step_day").alias("day"), (points * (_remaining(pl.col("k"), percent) - _remaining(pl.col("k") - 1, percent))).alias("cents"))
    )
    return pl.concat([begin, steps, stop])


def unit_deltas(
    events: pl.LazyFrame, definitions: list[ScoreDefinition], units: pl.DataFrame, members: pl.LazyFrame, resets: pl.LazyFrame, start: date, end: date
) -> pl.LazyFrame:
    """(member, unit_id, day, cents): how each unit's points change over [start, end], changes before
    `start` folded into it."""
    end_instant = as_of_instant(end)
    columns = set(events.collect_schema().names())
    matches = unit_matches(definitions, columns, None)
    schema = {**dict.fromkeys(MEMBER_KEY, pl.Int64), "score_index": pl.Int32, "unit_id": pl.Int32, "day": pl.Date, "cents": pl.Int64}
    if not matches:
        return pl.LazyFrame(schema=schema)
    properties = sorted({f.property for d in definitions for g in d.groups for r in g.rules for f in r.filters} & columns)
    types = list(matches)
    scanned = (
        events.select(*EVENT_COLUMNS, *[p for p in properties if p not in EVENT_COLUMNS])
        .filter(pl.col("event_type").is_in(types) & (pl.col("occurred_at") <= end_instant))
        .with_columns(pl.col("event_type").cast(pl.Enum(types)), pl.col("occurred_at").dt.date().alias("day"))
        .cache()
    )
    typed = {t: scanned.filter(pl.col("event_type") == t).cache() for t in types}
    expressions = {uid: expr for per_type in matches.values() for uid, expr in per_type}
    reset_lists = (
        resets.filter(pl.col("reset_at") <= end_instant)
        .join(definition_table(definitions).select("score_index", "score_id", "object_type"), on=["score_id", "object_type"])
        .group_by(KEY)
        .agg(pl.col("reset_at").alias("resets"))
        .cache()
    )
    members = members.cache()
    per_unit = []
    for unit in units.iter_rows(named=True):
        index = pl.lit(unit["score_index"], dtype=pl.Int32)
        hits = typed[unit["event_type"]].filter(expressions[unit["unit_id"]]).select("portal_id", "contact_id", "occurred_at", "day")
        record = "record_id" if unit["company"] else "contact_id"
        if unit["company"]:
            hits = hits.join(members.filter(pl.col("score_index") == index).select("portal_id", "contact_id", "record_id"), on=["portal_id", "contact_id"])
        hits = _reset_stops(hits, reset_lists.filter(pl.col("score_index") == index), record)
        window = pl.col("day") + timedelta(days=unit["within_days"]) if unit["within_days"] else pl.lit(None, dtype=pl.Date)
        grouped = (
            hits.with_columns(pl.min_horizontal(window, pl.col("reset_stop")).alias("stop"))
            .group_by("portal_id", pl.col(record).alias("record_id"), "contact_id", "day", "stop")
            .agg(pl.len().cast(pl.Int64).alias("n"))
            .with_columns(index.alias("score_index"), pl.lit(unit["unit_id"], dtype=pl.Int32).alias("unit_id"))
        )
        per_unit.append(_unit_steps(grouped, unit, start, end))
    return pl.concat(per_unit).select(list(schema)).cast(schema)


def running(deltas: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """(key, day, cents): the running total of `deltas` on each day it changes."""
    return (
        deltas.group_by(*key, "day")
        .agg(pl.col("cents").sum())
        .with_columns(pl.col("cents").cum_sum().over(key, order_by="day"))
    )


def changes(levels: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """(key, day, cents): the day-to-day changes of `levels`, zeros dropped."""
    return levels.with_columns(pl.col("cents").diff().over(key, order_by="day").fill_null(pl.col("cents"))).filter(pl.col("cents") != 0)


def _filled(levels: pl.LazyFrame, parts: pl.LazyFrame, key: list[str], part: str, also: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """The value of every part of a key on every day any of its parts changes, and on the days of `also`
    (0 before a part's first row)."""
    days = levels.select(*key, "day")
    days = (days if also is None else pl.concat([days, also.select(*key, "day")])).unique()
    grid = days.join(parts, on=key).join(levels, on=[*key, part, "day"], how="left")
    return grid.with_columns(pl.col("cents").forward_fill().over([*key, part], order_by="day").fill_null(0))


def rule_deltas(units_running: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """(member, group_index, day, cents): changes of each rule's points after `limit_to` and `together`."""
    attrs = units.lazy().select("unit_id", "group_index", "rule_index", "value_index", "limit_cents", "individually")
    levels = units_running.join(attrs, on="unit_id")
    group_key = [*MEMBER_KEY, "group_index"]
    single = (
        levels.filter(pl.col("individually") | pl.col("value_index").is_null())
        .with_columns(clamp_abs(pl.col("cents"), pl.col("limit_cents")))
        .pipe(changes, UNIT_KEY)
        .select(*group_key, "day", "cents")
    )
    rule_key = [*group_key, "rule_index"]
    together_levels = levels.filter(~pl.col("individually") & pl.col("value_index").is_not_null())
    parts = together_levels.select(*rule_key, "unit_id", "value_index", "limit_cents").unique()
    together = (
        _filled(together_levels.select(*rule_key, "unit_id", "day", "cents"), parts, rule_key, "unit_id")
        .group_by(*rule_key, "day")
        .agg(
            pl.col("cents").sort_by([pl.col("cents").abs(), pl.col("value_index")], descending=[True, False]).first(),
            pl.col("limit_cents").first(),
        )
        .with_columns(clamp_abs(pl.col("cents"), pl.col("limit_cents")))
        .pipe(changes, rule_key)
        .select(*group_key, "day", "cents")
    )
    return pl.concat([single, together])


def member_levels(rules: pl.LazyFrame, definitions: list[ScoreDefinition], units: pl.DataFrame) -> pl.LazyFrame:
    """(member, day, cents): each member's total on the days it changes, groups capped at their limit
    and the total clamped to [0, score_limit]."""
    limits = units.lazy().select("score_index", "group_index", "group_limit_cents").unique()
    group_key = [*MEMBER_KEY, "group_index"]
    groups = (
        running(rules, group_key)
        .join(limits, on=["score_index", "group_index"])
        .with_columns(pl.min_horizontal("cents", "group_limit_cents"))
        .pipe(changes, group_key)
    )
    score_limits = definition_table(definitions).select("score_index", "score_limit_cents")
    return (
        running(groups.select(*MEMBER_KEY, "day", "cents"), MEMBER_KEY)
        .join(score_limits, on="score_index")
        .with_columns(pl.col("cents").clip(pl.lit(0), pl.col("score_limit_cents")))
        .select(*MEMBER_KEY, "day", "cents")
    )


def record_levels(totals: pl.LazyFrame, members: pl.LazyFrame, records: pl.LazyFrame, definitions: list[ScoreDefinition], start: date) -> pl.LazyFrame:
    """(record, day, cents): contact totals as they are; company totals aggregated over their members on
    every day one changes, clamped; every record in scope has a row on `start`."""
    meta = definition_table(definitions).select("score_index", "aggregation", "score_limit_cents")
    aggregation = pl.col("aggregation")
    own = totals.join(meta.filter(aggregation == "self"), on="score_index", how="semi").select(*KEY, "day", "cents")
    company_totals = totals.join(meta.filter(aggregation != "self"), on="score_index", how="semi")
    linear = meta.filter(aggregation.is_in(["sum", "avg"]))
    counts = members.join(linear, on="score_index", how="semi").group_by(KEY).agg(pl.len().alias("n"))
    summed = (
        running(changes(company_totals.join(linear, on="score_index", how="semi"), MEMBER_KEY).select(*KEY, "day", "cents"), KEY)
        .join(meta, on="score_index")
        .join(counts, on=KEY)
        .with_columns(pl.when(aggregation == "avg").then(divide_rounded(pl.col("cents"), pl.col("n"))).otherwise(pl.col("cents")).alias("cents"))
    )
    extreme = meta.filter(aggregation.is_in(["min", "max"]))
    extreme_totals = company_totals.join(extreme, on="score_index", how="semi").select(*KEY, "contact_id", "day", "cents")
    starts = records.join(extreme, on="score_index", how="semi").select(*KEY, pl.lit(start).alias("day"))
    parts = members.join(extreme, on="score_index", how="semi").select(*KEY, "contact_id")
    extremes = (
        _filled(extreme_totals, parts, KEY, "contact_id", also=starts)
        .join(meta, on="score_index")
        .group_by(*KEY, "day")
        .agg(pl.when(aggregation.first() == "min").then(pl.col("cents").min()).otherwise(pl.col("cents").max()).alias("cents"), pl.col("score_limit_cents").first())
    )
    companies = pl.concat([summed, extremes], how="diagonal_relaxed").select(*KEY, "day", pl.col("cents").clip(pl.lit(0), pl.col("score_limit_cents")))
    levels = pl.concat([own, companies])
    first_rows = records.select(*KEY, pl.lit(start).alias("day")).join(levels, on=[*KEY, "day"], how="anti").with_columns(pl.lit(0, dtype=pl.Int64).alias("cents"))
    return pl.concat([levels, first_rows]).join(records, on=KEY, how="semi")


def score_history(definitions: list[ScoreDefinition], inputs: ScoreInputs, start: date, end: date) -> pl.LazyFrame:
    """Intervals (valid_from, valid_to exclusive, null when still current on `end`) of each record's
    score and band over [start, end]: the single-day engine's result on every day, in one pass."""
    if not definitions:
        raise ValueError("score_history needs at least one definition")
    if start > end:
        raise ValueError(f"history range is empty: {start} > {end}")
    units = rule_units(definitions)
    records, members, _ = score_members(definitions, inputs)
    members = members.collect().lazy()
    records = records.collect().lazy()
    deltas = unit_deltas(inputs.events, definitions, units, members, inputs.score_resets, start, end)
    units_running = running(deltas, UNIT_KEY).collect().lazy()
    totals = member_levels(rule_deltas(units_running, units), definitions, units).collect().lazy()
    levels = record_levels(totals, members, records, definitions, start)
    ids = definition_table(definitions).select("score_index", "score_id", "object_type")
    scored = (
        levels.sort(*KEY, "day")
        .with_columns((pl.col("cents") / 100).round(2).alias("score"))
        .with_columns(band(pl.col("score"), definitions).alias("band"))
    )
    # Rows are sorted by record and day here, so plain shifts within a record see its previous day.
    previous = lambda column: pl.col(column).shift(1).over(KEY)  # noqa: E731
    changed = (pl.col("score") != previous("score")) | pl.col("band").ne_missing(previous("band"))
    kept = scored.filter(changed.fill_null(True))
    return (
        kept.with_columns(pl.col("day").shift(-1).over(KEY).alias("valid_to"))
        .join(ids, on="score_index", maintain_order="left")
        .select("score_id", "object_type", "portal_id", "record_id", "score", "band", pl.col("day").alias("valid_from"), "valid_to")
    )
