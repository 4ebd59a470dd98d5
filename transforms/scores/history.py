"""Engagement score history: every record's score and band over a range of days, in one pass.

An event's contribution is a step function of the as-of day: it starts on the event's day, steps
down on each decay day, and ends when it leaves its rule's window or a reset drops it. Each step is
a delta row (member, unit, day, cents); running sums give a unit's points on the days they change,
and each clamp of the single-day engine (limit_to, together, group limit, total, company
aggregation) is applied on those days only, then turned back into deltas for the next level.
Nothing loops over days: a record costs rows in proportion to the days its score changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import polars as pl

from transforms.common.calendar import as_of_instant, month_shift, months_between
from transforms.common.lookups import id_count, lookup, row_values
from transforms.common.rounding import divide_rounded
from transforms.common.tables import polars_types
from transforms.scores.bands import score_band
from transforms.scores.columns import KEY, MEMBER_KEY
from transforms.scores.combined import combined_history, expanded
from transforms.scores.decay import remaining_after
from transforms.scores.definition import ScoreDefinition
from transforms.scores.evaluate import bucket_scores, company_scores, split_types
from transforms.scores.events import typed_events
from transforms.scores.history_changes import level_changes
from transforms.scores.keys import KeyedMembers
from transforms.scores.members import ScoreInputs, resets_until, scoped_records, score_members
from transforms.scores.points import clamp_abs, frequency_cents
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY
from transforms.scores.units import aggregation, definition_table, rule_units, unit_matches
from transforms.snapshot.buckets import contact_bucket

# Inside the pass a member, a record, a unit, a rule and a group are integers, and a (key, day) pair
# packs into one integer with DAY_SLOTS room for the day: grouping and sorting stay on one column.
UNIT_KEY = ["member", "unit_id"]
# Told each stage's name and rows as the pass settles it: how a benchmark sees where the time goes.
StageObserver = Callable[[str, pl.DataFrame], None]
DAY_SLOTS = 1 << 16
_new_key = (pl.col("key") != pl.col("key").shift(1)).fill_null(True)


def _reset_stops(hits: pl.LazyFrame) -> pl.LazyFrame:
    """`hits` (each joined to its member's `resets`) with `reset_stop`: the day of the first reset at or
    after the event (it drops the event)."""
    candidate = pl.when(pl.col("resets") >= pl.col("occurred_at")).then(pl.col("resets").dt.date())
    return (
        hits.with_row_index("hit")
        .explode("resets")
        .group_by("hit")
        .agg(pl.all().exclude("resets").first(), candidate.min().alias("reset_stop"))
        .drop("hit")
    )


def _unit_steps(grouped: pl.LazyFrame, unit: dict[str, Any], start: date, end: date) -> pl.LazyFrame:
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
    begin = grouped.select(*UNIT_KEY, first.alias("day"), (points * remaining_after(pl.col("k_first"), percent)).alias("cents"))
    stop_k = months_between(pl.col("day"), pl.col("stop") - timedelta(days=1)) // every if percent else pl.lit(0, dtype=pl.Int64)
    stop = grouped.filter(pl.col("stop") <= end).select(
        *UNIT_KEY, pl.col("stop").alias("day"), (-points * remaining_after(stop_k, percent)).alias("cents")
    )
    if not percent:
        return pl.concat([begin, stop])
    last = pl.min_horizontal(pl.lit(periods, dtype=pl.Int64), months_between(pl.col("day"), pl.lit(end)) // every)
    steps = (
        grouped.with_columns(pl.int_ranges(pl.col("k_first") + 1, last + 1).alias("k"))
        .explode("k", empty_as_null=False)
        .drop_nulls("k")
        .with_columns(month_shift(pl.col("day"), pl.col("k") * every).alias("step_day"))
        .filter(pl.col("stop").is_null() | (pl.col("step_day") < pl.col("stop")))
        .select(
            *UNIT_KEY,
            pl.col("step_day").alias("day"),
            (points * (remaining_after(pl.col("k"), percent) - remaining_after(pl.col("k") - 1, percent))).alias("cents"),
        )
    )
    return pl.concat([begin, steps, stop])


def unit_deltas(
    events: pl.LazyFrame,
    definitions: list[ScoreDefinition],
    units: pl.DataFrame,
    members: pl.DataFrame,
    resets: pl.LazyFrame,
    start: date,
    end: date,
) -> pl.LazyFrame:
    """(member, unit_id, day, cents): how each unit's points change over [start, end], changes before
    `start` folded into it. `members` carries the integer `member` of each (score, record, contact)."""
    end_instant = as_of_instant(end)
    columns = set(events.collect_schema().names())
    schema = pl.Schema({"member": pl.Int64, "unit_id": pl.Int32, "day": pl.Date, "cents": pl.Int64})
    reset_lists = resets_until(resets, definitions, end_instant).group_by(KEY).agg(pl.col("reset_at").alias("resets")).collect()
    keyed = KeyedMembers.of(members, reset_lists, len(definitions))
    carried = [
        keyed.keys.key(pl.col("portal_id"), pl.col("contact_id")),
        pl.col("occurred_at"),
        pl.col("occurred_at").dt.date().alias("day"),
    ]
    scanned = typed_events(events, definitions, end_instant, units["event_type"].unique(maintain_order=True).to_list(), carried)
    typed = scanned.frames
    matches = unit_matches(definitions, columns, None, scanned.values)
    expressions = {uid: expr for per_type in matches.values() for uid, expr in per_type}
    per_unit = []
    for unit in units.iter_rows(named=True):
        score = unit["score_index"]
        hits = typed[unit["event_type"]].filter(expressions[unit["unit_id"]]).select("contact_key", "occurred_at", "day")
        window = pl.col("day") + timedelta(days=unit["within_days"]) if unit["within_days"] else pl.lit(None, dtype=pl.Date)
        # Without a reset an event stops counting at its window's end, a function of its day: events
        # are counted per contact and day, then go to the contact's members (none out of scope).
        counted = hits.group_by("contact_key", "day").agg(pl.len().cast(pl.Int64).alias("n")).join(keyed.plain(score), on="contact_key")
        parts = [counted.select("member", "day", window.alias("stop"), "n")]
        if keyed.reset[score].height:
            touched = _reset_stops(hits.filter(keyed.touched(score)).join(keyed.reset[score].lazy(), on="contact_key"))
            stops = touched.with_columns(pl.min_horizontal(window, pl.col("reset_stop")).alias("stop"))
            parts.append(stops.group_by("member", "day", "stop").agg(pl.len().cast(pl.Int64).alias("n")))
        grouped = pl.concat(parts).with_columns(pl.lit(unit["unit_id"], dtype=pl.Int32).alias("unit_id"))
        per_unit.append(_unit_steps(grouped, unit, start, end))
    return pl.concat(per_unit).select(list(schema)).cast(schema)


def running(deltas: pl.LazyFrame, start: date) -> pl.LazyFrame:
    """(key, day, cents), sorted by key and day: the running total of `deltas` (an integer `key`, `day`
    and `cents`) on each day it changes.

    Key and day are packed into one integer, so grouping and sorting work on a single column, and
    the running total restarts at each key by subtracting the total before the key's first row."""
    packed = pl.col("key") * DAY_SLOTS + (pl.col("day") - pl.lit(start)).dt.total_days()
    total = pl.col("cents").cum_sum()
    return (
        deltas.group_by(packed.alias("packed"))
        .agg(pl.col("cents").sum())
        .sort("packed")
        .select(
            (pl.col("packed") // DAY_SLOTS).alias("key"),
            (pl.lit(start) + pl.duration(days=pl.col("packed") % DAY_SLOTS)).alias("day"),
            "cents",
        )
        .with_columns((total - pl.when(_new_key).then(total - pl.col("cents")).forward_fill()).alias("cents"))
    )


def changes(levels: pl.LazyFrame) -> pl.LazyFrame:
    """(key, day, cents): the day-to-day changes of `levels` sorted by key and day (as `running` returns
    them), zeros dropped."""
    return levels.with_columns(pl.when(_new_key).then(pl.col("cents")).otherwise(pl.col("cents").diff())).filter(pl.col("cents") != 0)


def _filled(levels: pl.LazyFrame, parts: pl.LazyFrame, key: list[str], part: str, also: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """The value of every part of a key on every day any of its parts changes, and on the days of `also`
    (0 before a part's first row)."""
    days = levels.select(*key, "day")
    days = (days if also is None else pl.concat([days, also.select(*key, "day")])).unique()
    grid = days.join(parts, on=key).join(levels, on=[*key, part, "day"], how="left")
    return grid.with_columns(pl.col("cents").forward_fill().over([*key, part], order_by="day").fill_null(0))


def rule_deltas(deltas: pl.LazyFrame, units: pl.DataFrame, start: date) -> pl.LazyFrame:
    """(member, group_id, day, cents): changes of each rule's points after `limit_to`, `together` and
    `frequency` (the range of the running count).

    A unit without `limit_to` outside a `together` rule adds its deltas as they are; only the others
    need their running points."""
    n_units, n_rules = units.height, id_count(units["rule_id"])
    single = pl.col("individually") | pl.col("value_index").is_null()
    deltas = deltas.with_columns(
        lookup(pl.col("unit_id"), units, "unit_id", c).alias(c) for c in ("individually", "value_index", "limit_cents")
    )
    unit_id = pl.col("key") % n_units
    frequent = units.filter(pl.col("frequency").is_not_null())
    counted = pl.col("unit_id").is_in(frequent["unit_id"].implode())
    single = single & ~counted
    # A frequency rule's points follow its running count of events (each event 100 cents).
    by_count: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for unit in frequent.iter_rows(named=True):
        by_count = pl.when(unit_id == unit["unit_id"]).then(frequency_cents(pl.col("cents") // 100, unit["frequency"])).otherwise(by_count)
    frequency = (
        deltas.filter(counted)
        .select((pl.col("member") * n_units + pl.col("unit_id")).alias("key"), "day", "cents")
        .pipe(running, start)
        .with_columns(by_count.alias("cents"))
        .pipe(changes)
        .select((pl.col("key") // n_units).alias("member"), lookup(unit_id, units, "unit_id", "group_id").alias("group_id"), "day", "cents")
    )
    linear = deltas.filter(single & pl.col("limit_cents").is_null()).select(
        "member", lookup(pl.col("unit_id"), units, "unit_id", "group_id").alias("group_id"), "day", "cents"
    )
    clamped = (
        deltas.filter(single & pl.col("limit_cents").is_not_null())
        .select((pl.col("member") * n_units + pl.col("unit_id")).alias("key"), "day", "cents")
        .pipe(running, start)
        .with_columns(clamp_abs(pl.col("cents"), lookup(unit_id, units, "unit_id", "limit_cents")))
        .pipe(changes)
        .select((pl.col("key") // n_units).alias("member"), lookup(unit_id, units, "unit_id", "group_id").alias("group_id"), "day", "cents")
    )
    together_levels = (
        deltas.filter(~single & ~counted)
        .select((pl.col("member") * n_units + pl.col("unit_id")).alias("key"), "day", "cents")
        .pipe(running, start)
        .select((pl.col("key") // n_units).alias("member"), unit_id.cast(pl.Int32).alias("unit_id"), "day", "cents")
        .with_columns(lookup(pl.col("unit_id"), units, "unit_id", "rule_id").alias("rule_id"))
    )
    parts = (
        together_levels.select("member", "rule_id", "unit_id")
        .unique()
        .join(units.lazy().select("unit_id", "value_index", "limit_cents"), on="unit_id")
    )
    together = (
        _filled(together_levels, parts, ["member", "rule_id"], "unit_id")
        .group_by("member", "rule_id", "day")
        .agg(
            pl.col("cents").sort_by([pl.col("cents").abs(), pl.col("value_index")], descending=[True, False]).first(),
            pl.col("limit_cents").first(),
        )
        .select(
            (pl.col("member") * n_rules + pl.col("rule_id")).alias("key"),
            "day",
            clamp_abs(pl.col("cents"), pl.col("limit_cents")).alias("cents"),
        )
        .sort("key", "day")
        .pipe(changes)
        .select(
            (pl.col("key") // n_rules).alias("member"),
            lookup(pl.col("key") % n_rules, units, "rule_id", "group_id").alias("group_id"),
            "day",
            "cents",
        )
    )
    return pl.concat([linear, clamped, together, frequency])


def member_levels(rules: pl.LazyFrame, units: pl.DataFrame, limits: pl.DataFrame, start: date) -> pl.LazyFrame:
    """(member, day, cents), sorted by member and day: each member's total on the days it changes, groups
    capped at their limit and the total clamped to [0, score_limit] (`limits`: member, score_limit_cents)."""
    n_groups = id_count(units["group_id"])
    groups = (
        rules.select((pl.col("member") * n_groups + pl.col("group_id")).alias("key"), "day", "cents")
        .pipe(running, start)
        .with_columns(pl.min_horizontal("cents", lookup(pl.col("key") % n_groups, units, "group_id", "group_limit_cents")))
        .pipe(changes)
    )
    return (
        groups.select((pl.col("key") // n_groups).alias("key"), "day", "cents")
        .pipe(running, start)
        .select(
            pl.col("key").alias("member"),
            "day",
            pl.col("cents").clip(pl.lit(0), lookup(pl.col("key"), limits, "member", "score_limit_cents")),
        )
    )


@dataclass(frozen=True)
class CompanyParts:
    """What the members of one contact bucket add to the company scores' history (keys: score_index,
    portal_id, record_id): `summed`, day-to-day changes of the summed member totals of `sum`/`avg`
    records; `counts`, their members; `extremes`, the lowest or highest member total of `min`/`max`
    records on every day one of the bucket's members changes (and on `start`)."""

    summed: pl.DataFrame
    counts: pl.DataFrame
    extremes: pl.DataFrame

    def of_slice(self, number: int, slices: int) -> CompanyParts:
        """The rows of the companies in slice `number` of `slices` (by the stable hash of their keys)."""
        mine = _slice(slices) == number
        return CompanyParts(self.summed.filter(mine), self.counts.filter(mine), self.extremes.filter(mine))

    def sliced(self, slices: int) -> dict[str, pl.DataFrame]:
        """Its frames by name, each with its companies' slice of `slices` (column `slice`) and ordered
        by it, so that a run can store them for the merge of each slice to read its own rows."""
        frames = {field.name: getattr(self, field.name) for field in fields(self)}
        return {
            name: frame.with_columns(_slice(slices).alias("slice")).sort("slice", maintain_order=True) for name, frame in frames.items()
        }


def _slice(slices: int) -> pl.Expr:
    """The company slice of `slices` a row's company (portal_id, record_id) belongs to."""
    return contact_bucket(pl.col("portal_id"), pl.col("record_id"), slices)


def _of(definitions: list[ScoreDefinition], *wanted: str) -> pl.Expr:
    """Rows of the definitions whose aggregation is one of `wanted`."""
    return pl.col("score_index").is_in([i for i, d in enumerate(definitions) if aggregation(d) in wanted])


def company_parts(
    totals: pl.LazyFrame, members: pl.DataFrame, records: pl.LazyFrame, definitions: list[ScoreDefinition], start: date
) -> CompanyParts:
    """The `CompanyParts` of the members in `totals` (member, day, cents; sorted by member and day)."""
    totals = totals.with_columns(row_values(members, "member", *MEMBER_KEY))
    member_keys = members.lazy().drop("record")
    linear, extreme = _of(definitions, "sum", "avg"), _of(definitions, "min", "max")
    summed = (
        totals.filter(linear)
        .select(pl.col("member").alias("key"), *KEY, "day", "cents")
        .pipe(changes)
        .group_by(*KEY, "day")
        .agg(pl.col("cents").sum())
    )
    counts = member_keys.filter(linear).group_by(KEY).agg(pl.len().alias("n"))
    starts = records.filter(extreme).select(*KEY, pl.lit(start).alias("day"))
    parts = member_keys.filter(extreme).select(*KEY, "contact_id")
    extremes = _extreme(
        _filled(totals.filter(extreme).select(*KEY, "contact_id", "day", "cents"), parts, KEY, "contact_id", also=starts), definitions
    )
    return CompanyParts(*pl.collect_all([summed, counts, extremes]))


def _extreme(filled: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """(KEY, day, cents): per record and day, the lowest (`min`) or highest (`max`) of `filled`."""
    lowest = _of(definitions, "min").first()
    return filled.group_by(*KEY, "day").agg(pl.when(lowest).then(pl.col("cents").min()).otherwise(pl.col("cents").max()))


def _folded(engagement: list[ScoreDefinition], parts: Sequence[CompanyParts | None]) -> CompanyParts | None:
    """The `CompanyParts` of several contact buckets as those of one bucket holding all their members
    (None when none has any), for the `engagement` definitions."""
    given = [p for p in parts if p is not None]
    if len(given) < 2:
        return given[0] if given else None
    summed = pl.concat([p.summed.lazy() for p in given]).group_by(*KEY, "day").agg(pl.col("cents").sum())
    counts = pl.concat([p.counts.lazy() for p in given]).group_by(KEY).agg(pl.col("n").sum())
    extremes = pl.concat([p.extremes.lazy().with_columns(pl.lit(i).alias("part")) for i, p in enumerate(given)])
    # Each part has a row on `start` for every record it covers, so a part's value is known on every day.
    merged = _extreme(_filled(extremes, extremes.select(*KEY, "part").unique(), KEY, "part"), engagement)
    return CompanyParts(*pl.collect_all([summed, counts, merged]))


def company_levels(parts: CompanyParts, records: pl.LazyFrame, definitions: list[ScoreDefinition], start: date) -> pl.LazyFrame:
    """(KEY, day, cents): company totals aggregated over the members in `parts` (every bucket's,
    folded) on every day one changes, clamped to [0, score_limit]; `records` carry an integer `record`."""
    meta = definition_table(definitions).select("score_index", "aggregation", "score_limit_cents")
    summed = (
        parts.summed.lazy()
        .join(records, on=KEY)
        .select(pl.col("record").alias("key"), "day", "cents")
        .pipe(running, start)
        .join(records, left_on="key", right_on="record")
        .join(meta, on="score_index")
        .join(parts.counts.lazy(), on=KEY)
        .with_columns(
            pl.when(pl.col("aggregation") == "avg")
            .then(divide_rounded(pl.col("cents"), pl.col("n")))
            .otherwise(pl.col("cents"))
            .alias("cents")
        )
    )
    extremes = parts.extremes.lazy().join(meta, on="score_index")
    return pl.concat([summed, extremes], how="diagonal_relaxed").select(
        *KEY, "day", pl.col("cents").clip(pl.lit(0), pl.col("score_limit_cents"))
    )


def _intervals(levels: pl.LazyFrame, records: pl.LazyFrame, definitions: list[ScoreDefinition], start: date) -> pl.LazyFrame:
    """History intervals of `records` from their `levels` (KEY, day, cents): every record has a row
    on `start` (0 when `levels` have none), then one per day its score or band changes."""
    first_rows = (
        records.select(*KEY, pl.lit(start).alias("day"))
        .join(levels, on=[*KEY, "day"], how="anti")
        .with_columns(pl.lit(0, dtype=pl.Int64).alias("cents"))
    )
    ids = definition_table(definitions).select("score_index", "score_id", "object_type")
    scored = (
        pl.concat([levels.select(*KEY, "day", "cents"), first_rows])
        .join(records, on=KEY)
        .select("record", "day", "cents", "score_index", "portal_id", "record_id")
        .sort(pl.col("record") * DAY_SLOTS + (pl.col("day") - pl.lit(start)).dt.total_days())
        .with_columns((pl.col("cents") / 100).round(2).alias("score"))
        .with_columns(score_band(pl.col("score"), definitions).alias("band"))
    )
    return (
        level_changes(scored, ["record"])
        .join(ids, on="score_index", maintain_order="left")
        .select("score_id", "object_type", "portal_id", "record_id", "score", "band", pl.col("day").alias("valid_from"), "valid_to")
    )


def _check_range(definitions: list[ScoreDefinition], start: date, end: date) -> None:
    if not definitions:
        raise ValueError("score history needs at least one definition")
    if start > end:
        raise ValueError(f"history range is empty: {start} > {end}")
    if (end - start).days >= DAY_SLOTS:
        raise ValueError(f"history range too long: {(end - start).days + 1} days (at most {DAY_SLOTS})")


def _settled(frame: pl.LazyFrame, stage: str, observe: StageObserver | None) -> pl.LazyFrame:
    """`frame` computed once (the steps after it read it several times), its rows told to `observe`."""
    settled = frame.collect()
    if observe is not None:
        observe(stage, settled)
    return settled.lazy()


def _engagement_bucket(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, start: date, end: date, observe: StageObserver | None = None
) -> tuple[pl.LazyFrame, CompanyParts]:
    """`bucket_history` of engagement definitions."""
    units = rule_units(definitions)
    numbered, members, _ = score_members(definitions, inputs)
    deltas = _settled(unit_deltas(inputs.events, definitions, units, members, inputs.score_resets, start, end), "unit deltas", observe)
    records = numbered.lazy()
    limits = members.join(definition_table(definitions).collect(), on="score_index").select("member", "score_limit_cents")
    rules = rule_deltas(deltas, units, start)
    if observe is not None:
        # Only when observed: the rule deltas on their own, to be timed apart from the member levels.
        rules = _settled(rules, "rule deltas", observe)
    totals = _settled(member_levels(rules, units, limits, start), "member levels", observe)
    own = _of(definitions, "self")
    contacts = totals.with_columns(row_values(members, "member", *KEY)).filter(own)
    intervals = _intervals(contacts, records.filter(own), definitions, start)
    if observe is not None:
        intervals = _settled(intervals, "contact intervals", observe)
    return intervals, company_parts(totals, members, records, definitions, start)


def _constant(scores: pl.LazyFrame, start: date) -> pl.LazyFrame:
    """History intervals of scores that hold on every day of a range: one per record, from `start`."""
    return scores.select(
        "score_id",
        "object_type",
        "portal_id",
        "record_id",
        "score",
        "band",
        pl.lit(start).alias("valid_from"),
        pl.lit(None, dtype=pl.Date).alias("valid_to"),
    )


def bucket_history(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, start: date, end: date, observe: StageObserver | None = None
) -> tuple[pl.LazyFrame, CompanyParts | None]:
    """The part of the history over [start, end] that `inputs` (one contact bucket's contacts,
    associations and events, the other tables whole) settle on their own: the intervals of its
    contact records, and the `CompanyParts` of the engagement definitions (None without any). A fit
    score reads the snapshot's properties, which hold one value for the whole range: its score on
    `end` is its score on every day. `observe` is told each stage's rows as it is settled."""
    _check_range(definitions, start, end)
    engagement, fit = split_types(expanded(definitions))
    intervals, parts = _engagement_bucket(engagement, inputs, start, end, observe) if engagement else (None, None)
    contact_fit = [d for d in fit if d.object == "contact"]
    fitted = _constant(bucket_scores(contact_fit, inputs, end).scores, start) if contact_fit else None
    found = [f for f in (intervals, fitted) if f is not None] or [pl.LazyFrame(schema=polars_types(ENGAGEMENT_SCORE_HISTORY))]
    return combined_history(pl.concat(found), definitions), parts


def company_history(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, parts: Sequence[CompanyParts | None], start: date, end: date
) -> pl.LazyFrame:
    """History intervals over [start, end] of the company definitions among `definitions`: engagement
    ones from the `CompanyParts` of every contact bucket, fit ones (constant, see `bucket_history`)
    from the companies; `inputs` give the companies and lists in scope."""
    _check_range(definitions, start, end)
    engagement, fit = split_types(expanded(definitions))
    frames = [pl.LazyFrame(schema=polars_types(ENGAGEMENT_SCORE_HISTORY))]
    scoped = [
        scoped_records(d, inputs).with_columns(pl.lit(i, dtype=pl.Int32).alias("score_index"))
        for i, d in enumerate(engagement)
        if d.object == "company"
    ]
    if scoped:
        records = pl.concat(scoped).with_row_index("record").with_columns(pl.col("record").cast(pl.Int64)).collect().lazy()
        folded = _folded(engagement, parts)
        if folded is None:
            raise ValueError("the history of company engagement scores needs the parts of at least one contact bucket")
        frames.append(_intervals(company_levels(folded, records, engagement, start), records, engagement, start))
    if company_fit := [d for d in fit if d.object == "company"]:
        frames.append(_constant(company_scores(company_fit, inputs, [{}], end).scores, start))
    return combined_history(pl.concat(frames), definitions)


def score_history(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, start: date, end: date, observe: StageObserver | None = None
) -> pl.LazyFrame:
    """Intervals (valid_from, valid_to exclusive, null when still current on `end`) of each record's
    score and band over [start, end]: the single-day engine's result on every day, in one pass.
    Contact records come first, then company records; `observe`, see `bucket_history`."""
    contacts, parts = bucket_history(definitions, inputs, start, end, observe)
    return pl.concat([contacts, company_history(definitions, inputs, [parts], start, end)])
