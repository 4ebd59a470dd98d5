"""Engagement scores of contacts and companies at an as-of instant, for many definitions at once.

Points are carried as integer hundredths ("cents") from the first multiplication on, so decay
(a whole percent of whole points), clamps, sums and the half-away-from-zero rounding are exact.
A *member* is the contact whose events count toward a record: the contact itself for a contact
score, each qualifying associated contact for a company score.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import polars as pl

from transforms.property_filters import all_filters, missing_properties
from transforms.score_definition import ScoreDefinition

KEY = ["score_id", "portal_id", "record_id"]
MEMBER_KEY = [*KEY, "contact_id"]
EVENT_COLUMNS = ["portal_id", "contact_id", "event_type", "occurred_at"]


@dataclass(frozen=True)
class ScoreInputs:
    """The snapshot tables scoring reads."""

    events: pl.LazyFrame
    contacts: pl.LazyFrame
    companies: pl.LazyFrame
    associations: pl.LazyFrame
    list_memberships: pl.LazyFrame
    score_resets: pl.LazyFrame


@dataclass(frozen=True)
class ScoreResult:
    scores: pl.LazyFrame
    breakdown: pl.LazyFrame
    distribution: pl.LazyFrame
    warnings: list[str] = field(default_factory=list)


def as_of_instant(as_of: date | datetime) -> datetime:
    """The instant a score is evaluated at: the end of the as-of day (UTC), or the timestamp given."""
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
    return datetime.combine(as_of, time.max, tzinfo=timezone.utc)


def rule_units(definitions: list[ScoreDefinition]) -> pl.DataFrame:
    """One row per scored unit: a rule, or one value of a rule's multi-value filter."""
    rows = []
    for definition in definitions:
        for g, group in enumerate(definition.groups):
            decay = definition.group_decay(group)
            for r, rule in enumerate(group.rules):
                multi = rule.multi_value_filter
                values: list[str | None] = multi.operands if multi else [None]
                for v, value in enumerate(values):
                    rows.append(
                        {
                            "score_id": definition.id,
                            "group_index": g,
                            "group_name": group.name,
                            "group_limit_cents": 100 * (group.limit or definition.score_limit),
                            "rule_index": r,
                            "value_index": v if multi else None,
                            "value": value,
                            "event_type": rule.event,
                            "points": rule.points_for(value),
                            "within_days": rule.within_days,
                            "limit_cents": None if rule.limit_to is None else 100 * rule.limit_to,
                            "individually": rule.scoring == "individually",
                            "decay_percent": decay.percent if decay else 0,
                            "decay_months": decay.every_months if decay else 1,
                        }
                    )
    schema = {
        "score_id": pl.String, "group_index": pl.Int32, "group_name": pl.String, "group_limit_cents": pl.Int64,
        "rule_index": pl.Int32, "value_index": pl.Int32, "value": pl.String, "event_type": pl.String, "points": pl.Int64,
        "within_days": pl.Int64, "limit_cents": pl.Int64, "individually": pl.Boolean, "decay_percent": pl.Int64, "decay_months": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).with_row_index("unit_id").with_columns(pl.col("unit_id").cast(pl.Int32))


def _unit_matches(definitions: list[ScoreDefinition], columns: set[str]) -> dict[str, list[tuple[int, pl.Expr]]]:
    """Per event type, (unit_id, match expression) of every unit scoring that type, in unit order."""
    out: dict[str, list[tuple[int, pl.Expr]]] = {}
    unit_id = 0
    for definition in definitions:
        for group in definition.groups:
            for rule in group.rules:
                multi = rule.multi_value_filter
                for value in multi.operands if multi else [None]:
                    narrowed = (multi, [value]) if multi else None
                    out.setdefault(rule.event, []).append((unit_id, all_filters(rule.filters, columns, narrowed)))
                    unit_id += 1
    return out


def matched_events(events: pl.LazyFrame, definitions: list[ScoreDefinition], as_of: datetime) -> pl.LazyFrame:
    """(portal_id, contact_id, occurred_at, unit_id) for every event on or before `as_of` and every unit it matches.

    One scan of the events serves every definition: only the columns the rules read are projected."""
    columns = set(events.collect_schema().names())
    matches = _unit_matches(definitions, columns)
    properties = sorted({f.property for d in definitions for g in d.groups for r in g.rules for f in r.filters} & columns)
    scanned = events.select(*EVENT_COLUMNS, *[p for p in properties if p not in EVENT_COLUMNS]).filter(
        pl.col("event_type").is_in(list(matches)) & (pl.col("occurred_at") <= as_of)
    )
    per_type = []
    for event_type, units in matches.items():
        unit_ids = pl.concat_list([pl.when(expr).then(pl.lit(uid, dtype=pl.Int32)) for uid, expr in units]).list.drop_nulls()
        per_type.append(
            scanned.filter(pl.col("event_type") == event_type)
            .select("portal_id", "contact_id", "occurred_at", unit_ids.alias("unit_id"))
            .explode("unit_id")
            .drop_nulls("unit_id")
        )
    return pl.concat(per_type) if per_type else pl.LazyFrame(schema={"portal_id": pl.Int64, "contact_id": pl.Int64, "occurred_at": pl.Datetime("us", "UTC"), "unit_id": pl.Int32})


def _list_scope(records: pl.LazyFrame, id_column: str, definition: ScoreDefinition, lists: pl.LazyFrame) -> pl.LazyFrame:
    members = lists.filter(pl.col("object_type") == definition.object)
    if definition.records.include_lists:
        included = members.filter(pl.col("list_id").is_in(definition.records.include_lists)).select("portal_id", pl.col("record_id").alias(id_column)).unique()
        records = records.join(included, on=["portal_id", id_column], how="semi")
    if definition.records.exclude_lists:
        excluded = members.filter(pl.col("list_id").is_in(definition.records.exclude_lists)).select("portal_id", pl.col("record_id").alias(id_column))
        records = records.join(excluded, on=["portal_id", id_column], how="anti")
    return records


def score_members(definitions: list[ScoreDefinition], inputs: ScoreInputs) -> tuple[pl.LazyFrame, pl.LazyFrame, list[str]]:
    """(records in scope, their members) per definition, and warnings for properties that do not exist.

    records: (score_id, portal_id, record_id); members: (score_id, portal_id, record_id, contact_id)."""
    records, members, warnings = [], [], []
    contact_columns = set(inputs.contacts.collect_schema().names())
    for definition in definitions:
        sid = pl.lit(definition.id).alias("score_id")
        if definition.object == "contact":
            scoped = _list_scope(inputs.contacts.select("portal_id", "contact_id"), "contact_id", definition, inputs.list_memberships)
            records.append(scoped.select(sid, "portal_id", pl.col("contact_id").alias("record_id")))
            members.append(scoped.select(sid, "portal_id", pl.col("contact_id").alias("record_id"), "contact_id"))
            continue
        company = definition.company_settings
        scoped = _list_scope(inputs.companies.select("portal_id", "company_id"), "company_id", definition, inputs.list_memberships)
        links = inputs.associations
        if company.association_labels:
            links = links.filter(pl.col("label").is_in(company.association_labels))
        qualifying = inputs.contacts.filter(all_filters(company.contact_filters, contact_columns)).select("portal_id", "contact_id")
        for prop in missing_properties(company.contact_filters, contact_columns):
            warnings.append(f"{definition.id}: contacts have no property {prop!r}; it is unknown on every contact")
        linked = (
            links.select("portal_id", "company_id", "contact_id").unique()
            .join(scoped, on=["portal_id", "company_id"], how="semi")
            .join(qualifying, on=["portal_id", "contact_id"], how="semi")
        )
        records.append(scoped.select(sid, "portal_id", pl.col("company_id").alias("record_id")))
        members.append(linked.select(sid, "portal_id", pl.col("company_id").alias("record_id"), "contact_id"))
    return pl.concat(records), pl.concat(members), warnings


def latest_resets(resets: pl.LazyFrame, definitions: list[ScoreDefinition], as_of: datetime) -> pl.LazyFrame:
    """(score_id, portal_id, record_id, reset_at): each record's latest reset of the score on or before `as_of`.

    A reset applies to records of the definition's own object: company resets to company scores."""
    objects = pl.DataFrame({"score_id": [d.id for d in definitions], "object_type": [d.object for d in definitions]}).lazy()
    return (
        resets.filter(pl.col("reset_at") <= as_of)
        .join(objects, on=["score_id", "object_type"], how="semi")
        .group_by(KEY)
        .agg(pl.col("reset_at").max())
    )


def decay_factor(occurred_at: pl.Expr, as_of: datetime, percent: pl.Expr, every_months: pl.Expr) -> pl.Expr:
    """Hundredths of an event's points that remain: max(0, 100 - k * percent), k whole decay periods.

    k is the largest whole number such that occurred_at moved forward k * every_months calendar months
    (day clamped to the month's end, time kept) is on or before as_of."""
    month_end = calendar.monthrange(as_of.year, as_of.month)[1]
    as_of_clock = ((as_of.hour * 60 + as_of.minute) * 60 + as_of.second) * 1_000_000 + as_of.microsecond
    clock = ((occurred_at.dt.hour().cast(pl.Int64) * 60 + occurred_at.dt.minute()) * 60 + occurred_at.dt.second()) * 1_000_000 + occurred_at.dt.microsecond()
    months = (as_of.year - occurred_at.dt.year().cast(pl.Int64)) * 12 + (as_of.month - occurred_at.dt.month().cast(pl.Int64))
    day = pl.min_horizontal(occurred_at.dt.day().cast(pl.Int64), pl.lit(month_end, dtype=pl.Int64))
    overshoots = (day > as_of.day) | ((day == as_of.day) & (clock > as_of_clock))
    whole_months = months - overshoots.cast(pl.Int64)
    periods = whole_months // every_months
    return pl.max_horizontal(pl.lit(0, dtype=pl.Int64), 100 - periods * percent)


def unit_sums(hits: pl.LazyFrame, units: pl.DataFrame, members: pl.LazyFrame, resets: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """Per member and unit: the (decayed) points of its eligible matching events, in cents, and their count."""
    attrs = units.lazy().select("unit_id", "score_id", "points", "within_days", "decay_percent", "decay_months")
    window_start = pl.lit(as_of) - pl.duration(days=pl.col("within_days"))
    return (
        hits.join(attrs, on="unit_id")
        .filter(pl.col("within_days").is_null() | (pl.col("occurred_at") > window_start))
        .join(members, on=["score_id", "portal_id", "contact_id"])
        .join(resets, on=KEY, how="left")
        .filter(pl.col("reset_at").is_null() | (pl.col("occurred_at") > pl.col("reset_at")))
        .with_columns(
            (pl.col("points") * decay_factor(pl.col("occurred_at"), as_of, pl.col("decay_percent"), pl.col("decay_months"))).alias("cents")
        )
        .group_by(*MEMBER_KEY, "unit_id")
        .agg(pl.col("cents").sum(), pl.len().cast(pl.Int64).alias("events"))
    )


def _clamp(expr: pl.Expr, bound: pl.Expr) -> pl.Expr:
    return pl.when(bound.is_null()).then(expr).otherwise(expr.clip(-bound, bound))


def rule_points(sums: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """Per member and rule: the rule's points (cents) after `limit_to`, and which values made them.

    `individually`: each value clamped, then added. `together` (and single-value rules): the value with
    the largest absolute sum (ties: first listed) is the rule's sum, then clamped."""
    attrs = units.lazy().select("unit_id", "group_index", "rule_index", "value_index", "value", "limit_cents", "individually", "group_name")
    rule_key = [*MEMBER_KEY, "group_index", "rule_index"]
    per_value = sums.join(attrs, on="unit_id").with_columns(_clamp(pl.col("cents"), pl.col("limit_cents")).alias("clamped"))
    columns = [*rule_key, "group_name", "value_index", "value", "events", pl.col("cents").alias("raw_cents"), pl.col("clamped").alias("cents")]
    single = per_value.filter(pl.col("individually") | pl.col("value_index").is_null()).select(columns)
    together = (
        per_value.filter(~pl.col("individually") & pl.col("value_index").is_not_null())
        .group_by(rule_key)
        .agg(pl.all().sort_by([pl.col("cents").abs(), pl.col("value_index")], descending=[True, False]).first())
        .select(columns)
    )
    return pl.concat([single, together])


def member_totals(rules: pl.LazyFrame, definitions: list[ScoreDefinition], units: pl.DataFrame, members: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(group points per member, total cents per member): group sums capped at their limit, the total
    clamped to [0, score_limit]; every member in scope has a total, 0 without events."""
    limits = units.lazy().select("score_id", "group_index", "group_limit_cents").unique()
    score_limits = pl.LazyFrame({"score_id": [d.id for d in definitions], "score_limit_cents": [100 * d.score_limit for d in definitions]})
    groups = (
        rules.group_by(*MEMBER_KEY, "group_index")
        .agg(pl.col("cents").sum().alias("raw_cents"))
        .join(limits, on=["score_id", "group_index"])
        .with_columns(pl.min_horizontal("raw_cents", "group_limit_cents").alias("cents"))
    )
    totals = (
        members.join(groups.group_by(MEMBER_KEY).agg(pl.col("cents").sum().alias("raw_cents")), on=MEMBER_KEY, how="left")
        .join(score_limits, on="score_id")
        .with_columns(pl.col("raw_cents").fill_null(0))
        .with_columns(pl.col("raw_cents").clip(pl.lit(0), pl.col("score_limit_cents")).alias("cents"))
    )
    return groups, totals


def _round_half_away(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator rounded half away from zero, in integers (both >= 0, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def record_scores(totals: pl.LazyFrame, records: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """(score_id, portal_id, record_id, cents, raw_cents): contact totals as they are; company totals the
    aggregation of their members' totals, clamped and rounded; a record with no member scores 0."""
    meta = pl.LazyFrame(
        {
            "score_id": [d.id for d in definitions],
            "aggregation": [d.company_settings.aggregation if d.object == "company" else "self" for d in definitions],
            "score_limit_cents": [100 * d.score_limit for d in definitions],
        }
    )
    aggregated = (
        totals.group_by(KEY)
        .agg(pl.col("cents").sum().alias("sum"), pl.len().alias("n"), pl.col("cents").min().alias("min"), pl.col("cents").max().alias("max"))
        .join(meta, on="score_id")
        .select(
            *KEY,
            pl.when(pl.col("aggregation") == "avg")
            .then(_round_half_away(pl.col("sum"), pl.col("n")))
            .when(pl.col("aggregation") == "min").then(pl.col("min"))
            .when(pl.col("aggregation") == "max").then(pl.col("max"))
            .otherwise(pl.col("sum"))
            .alias("raw_cents"),
        )
    )
    return (
        records.join(aggregated, on=KEY, how="left")
        .join(meta, on="score_id")
        .with_columns(pl.col("raw_cents").fill_null(0))
        .with_columns(pl.col("raw_cents").clip(pl.lit(0), pl.col("score_limit_cents")).alias("cents"))
        .select(*KEY, "cents", "raw_cents")
    )


def band(score: pl.Expr, definitions: list[ScoreDefinition]) -> pl.Expr:
    """`high` / `medium` / `low` by the definition's thresholds; null without thresholds (needs `score_id`)."""
    expr = pl.lit(None, dtype=pl.String)
    for d in definitions:
        if d.thresholds is None:
            continue
        banded = pl.when(score >= d.thresholds.high).then(pl.lit("high")).when(score >= d.thresholds.medium).then(pl.lit("medium")).otherwise(pl.lit("low"))
        expr = pl.when(pl.col("score_id") == d.id).then(banded).otherwise(expr)
    return expr


BREAKDOWN_KEYS = ["group_name", "rule_index", "value", "component"]


def _member_breakdown(rules: pl.LazyFrame, groups: pl.LazyFrame, totals: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """Per member: its rule rows and the rows of every clamp that changed its points (cents)."""
    names = units.lazy().select("score_id", "group_index", "group_name").unique()
    rule_rows = rules.select(*MEMBER_KEY, "group_name", "rule_index", "value", pl.lit("rule").alias("component"), "events", pl.col("raw_cents").alias("cents"))
    limit_rows = rules.filter(pl.col("cents") != pl.col("raw_cents")).select(
        *MEMBER_KEY, "group_name", "rule_index", "value", pl.lit("limit_to").alias("component"), pl.lit(0, dtype=pl.Int64).alias("events"),
        (pl.col("cents") - pl.col("raw_cents")).alias("cents"),
    )
    group_rows = groups.filter(pl.col("cents") != pl.col("raw_cents")).join(names, on=["score_id", "group_index"]).select(
        *MEMBER_KEY, "group_name", pl.lit(None, dtype=pl.Int32).alias("rule_index"), pl.lit(None, dtype=pl.String).alias("value"),
        pl.lit("group_limit").alias("component"), pl.lit(0, dtype=pl.Int64).alias("events"), (pl.col("cents") - pl.col("raw_cents")).alias("cents"),
    )
    total_rows = totals.filter(pl.col("cents") != pl.col("raw_cents")).select(
        *MEMBER_KEY, pl.lit(None, dtype=pl.String).alias("group_name"), pl.lit(None, dtype=pl.Int32).alias("rule_index"),
        pl.lit(None, dtype=pl.String).alias("value"), pl.lit("score_limit").alias("component"), pl.lit(0, dtype=pl.Int64).alias("events"),
        (pl.col("cents") - pl.col("raw_cents")).alias("cents"),
    )
    return pl.concat([rule_rows, limit_rows, group_rows, total_rows])


def score_breakdown(
    member_rows: pl.LazyFrame, totals: pl.LazyFrame, scores: pl.LazyFrame, definitions: list[ScoreDefinition]
) -> pl.LazyFrame:
    """Per record: rows (group, rule, value, component) whose points add up exactly to its score.

    Company records show their members' rows aggregated like the totals: summed (`sum`), summed and
    divided by the member count (`avg`, with a `rounding` row), or those of the member the score is
    (`min`/`max`, ties to the lowest contact id); a `company_limit` row shows the company's own clamp."""
    meta = pl.LazyFrame(
        {
            "score_id": [d.id for d in definitions],
            "aggregation": [d.company_settings.aggregation if d.object == "company" else "self" for d in definitions],
        }
    )
    counts = totals.group_by(KEY).agg(pl.len().alias("n"))
    chosen = (
        totals.join(meta, on="score_id")
        .filter(pl.col("aggregation").is_in(["min", "max"]))
        .with_columns(pl.when(pl.col("aggregation") == "max").then(-pl.col("cents")).otherwise(pl.col("cents")).alias("order"))
        .sort(*KEY, "order", "contact_id")
        .group_by(KEY, maintain_order=True)
        .first()
        .select(MEMBER_KEY)
    )
    rows = member_rows.join(meta, on="score_id")
    picked = pl.concat(
        [
            rows.filter(pl.col("aggregation").is_in(["self", "sum", "avg"])),
            rows.filter(pl.col("aggregation").is_in(["min", "max"])).join(chosen, on=MEMBER_KEY, how="semi"),
        ]
    )
    aggregated = (
        picked.group_by(*KEY, *BREAKDOWN_KEYS, "aggregation")
        .agg(pl.col("events").sum(), pl.col("cents").sum())
        .join(counts, on=KEY)
        .with_columns(
            (pl.col("cents") / pl.when(pl.col("aggregation") == "avg").then(pl.col("n")).otherwise(1) / 100).round(6).alias("points")
        )
        .select(*KEY, *BREAKDOWN_KEYS, "events", "points")
    )
    shown = aggregated.group_by(KEY).agg(pl.col("points").sum().alias("shown"))
    no_key = [pl.lit(None, dtype=pl.String).alias("group_name"), pl.lit(None, dtype=pl.Int32).alias("rule_index"), pl.lit(None, dtype=pl.String).alias("value")]
    company = scores.join(meta, on="score_id").filter(pl.col("aggregation") != "self").join(shown, on=KEY, how="left").with_columns(pl.col("shown").fill_null(0.0))
    rounding = company.with_columns((pl.col("raw_cents") / 100 - pl.col("shown")).round(6).alias("points")).filter(pl.col("points").abs() > 1e-9).select(
        *KEY, *no_key, pl.lit("rounding").alias("component"), pl.lit(0, dtype=pl.Int64).alias("events"), "points"
    )
    clamp = company.filter(pl.col("cents") != pl.col("raw_cents")).select(
        *KEY, *no_key, pl.lit("company_limit").alias("component"), pl.lit(0, dtype=pl.Int64).alias("events"),
        ((pl.col("cents") - pl.col("raw_cents")) / 100).round(2).alias("points"),
    )
    return pl.concat([aggregated, rounding, clamp])


def score_distribution(scores: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """Per definition: record counts in 10 equal buckets over [0, score_limit] (the last one closed),
    then one row per band (its score range and count) when the definition has thresholds."""
    frames = []
    for d in definitions:
        width = d.score_limit / 10
        buckets = pl.LazyFrame({"bucket": list(range(10))}).with_columns(
            pl.lit(d.id).alias("score_id"), (pl.col("bucket") * width).alias("bucket_low"), ((pl.col("bucket") + 1) * width).alias("bucket_high")
        )
        own = scores.filter(pl.col("score_id") == d.id)
        counted = own.select(pl.min_horizontal((pl.col("score") / width).floor().cast(pl.Int64), pl.lit(9)).alias("bucket")).group_by("bucket").agg(pl.len().alias("records"))
        frames.append(
            buckets.join(counted, on="bucket", how="left", maintain_order="left").select(
                "score_id", "bucket_low", "bucket_high", pl.lit(None, dtype=pl.String).alias("band"), pl.col("records").fill_null(0).cast(pl.Int64)
            )
        )
        if d.thresholds:
            bands = pl.LazyFrame(
                {
                    "band": ["low", "medium", "high"],
                    "bucket_low": [0.0, float(d.thresholds.medium), float(d.thresholds.high)],
                    "bucket_high": [float(d.thresholds.medium), float(d.thresholds.high), float(d.score_limit)],
                }
            )
            counted_bands = own.group_by("band").agg(pl.len().alias("records"))
            frames.append(
                bands.join(counted_bands, on="band", how="left", maintain_order="left").select(
                    pl.lit(d.id).alias("score_id"), "bucket_low", "bucket_high", "band", pl.col("records").fill_null(0).cast(pl.Int64)
                )
            )
    return pl.concat(frames) if frames else pl.LazyFrame(schema={"score_id": pl.String, "bucket_low": pl.Float64, "bucket_high": pl.Float64, "band": pl.String, "records": pl.Int64})


def evaluate_scores(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date | datetime) -> ScoreResult:
    """Scores, breakdown and distribution of every definition at `as_of`, as one lazy plan per output."""
    instant = as_of_instant(as_of)
    day = instant.date()
    if not definitions:
        empty = pl.LazyFrame()
        return ScoreResult(empty, empty, empty)
    units = rule_units(definitions)
    event_columns = set(inputs.events.collect_schema().names())
    warnings = [
        f"{d.id}: events have no property {prop!r}; it is unknown on every event"
        for d in definitions
        for prop in missing_properties([f for g in d.groups for r in g.rules for f in r.filters], event_columns)
    ]
    records, members, member_warnings = score_members(definitions, inputs)
    resets = latest_resets(inputs.score_resets, definitions, instant)
    hits = matched_events(inputs.events, definitions, instant)
    sums = unit_sums(hits, units, members, resets, instant).cache()
    rules = rule_points(sums, units).cache()
    groups, totals = member_totals(rules, definitions, units, members)
    totals = totals.cache()
    raw_scores = record_scores(totals, records, definitions).cache()
    objects = pl.LazyFrame({"score_id": [d.id for d in definitions], "object_type": [d.object for d in definitions]})
    scores = raw_scores.join(objects, on="score_id").select(
        "score_id", "object_type", "portal_id", "record_id", pl.lit(day).alias("as_of"),
        (pl.col("cents") / 100).round(2).alias("score"),
    ).with_columns(band(pl.col("score"), definitions).alias("band"))
    member_rows = _member_breakdown(rules, groups, totals, units)
    breakdown = score_breakdown(member_rows, totals, raw_scores, definitions).join(objects, on="score_id").select(
        "score_id", "object_type", "portal_id", "record_id", pl.lit(day).alias("as_of"), *BREAKDOWN_KEYS, "events", "points"
    )
    distribution = score_distribution(scores, definitions).select(
        "score_id", pl.lit(day).alias("as_of"), "bucket_low", "bucket_high", "band", "records"
    )
    return ScoreResult(scores, breakdown, distribution, warnings + member_warnings)
