"""Engagement scores of contacts and companies at an as-of instant, for many definitions at once.

Points are carried as integer hundredths ("cents") from the first multiplication on, so decay
(a whole percent of whole points), clamps, sums and the half-away-from-zero rounding are exact.
A *member* is the contact whose events count toward a record: the contact itself for a contact
score, each qualifying associated contact for a company score.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import polars as pl

from transforms.property_filters import all_filters, code_column, missing_properties, normalized_text
from transforms.score_definition import Group, Rule, ScoreDefinition
from transforms.score_points import breakdown_rows, company_points, member_points

KEY = ["score_index", "portal_id", "record_id"]
MEMBER_KEY = [*KEY, "contact_id"]


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


@dataclass(frozen=True)
class _Unit:
    score_index: int
    definition: ScoreDefinition
    group_index: int
    group: Group
    rule_index: int
    rule: Rule
    value_index: int | None
    value: str | None


def _units(definitions: list[ScoreDefinition]) -> Iterator[_Unit]:
    """Every scored unit in a fixed order (its position is its unit_id): a rule, or one value of a
    rule's multi-value filter."""
    for s, definition in enumerate(definitions):
        for g, group in enumerate(definition.groups):
            for r, rule in enumerate(group.rules):
                multi = rule.multi_value_filter
                for v, value in enumerate(multi.operands if multi else [None]):
                    yield _Unit(s, definition, g, group, r, rule, v if multi else None, value)


def rule_units(definitions: list[ScoreDefinition]) -> pl.DataFrame:
    """One row per scored unit: a rule, or one value of a rule's multi-value filter, with the integer
    ids of its group and rule across all definitions (`group_id`, `rule_id`)."""
    rows = []
    for u in _units(definitions):
        decay = u.definition.group_decay(u.group)
        rows.append(
            {
                "score_index": u.score_index,
                "company": u.definition.object == "company",
                "group_index": u.group_index,
                "group_name": u.group.name,
                "group_limit_cents": 100 * (u.group.limit or u.definition.score_limit),
                "rule_index": u.rule_index,
                "value_index": u.value_index,
                "value": u.value,
                "event_type": u.rule.event,
                "points": u.rule.points_for(u.value),
                "within_days": u.rule.within_days,
                "limit_cents": None if u.rule.limit_to is None else 100 * u.rule.limit_to,
                "individually": u.rule.scoring == "individually",
                "decay_percent": decay.percent if decay else 0,
                "decay_months": decay.every_months if decay else 1,
            }
        )
    schema = {
        "score_index": pl.Int32, "company": pl.Boolean, "group_index": pl.Int32, "group_name": pl.String, "group_limit_cents": pl.Int64,
        "rule_index": pl.Int32, "value_index": pl.Int32, "value": pl.String, "event_type": pl.String, "points": pl.Int64,
        "within_days": pl.Int64, "limit_cents": pl.Int64, "individually": pl.Boolean, "decay_percent": pl.Int64, "decay_months": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).with_row_index("unit_id").with_columns(
        pl.col("unit_id").cast(pl.Int32),
        pl.struct("score_index", "group_index").rank("dense").cast(pl.Int64).sub(1).alias("group_id"),
        pl.struct("score_index", "group_index", "rule_index").rank("dense").cast(pl.Int64).sub(1).alias("rule_id"),
    )


def definition_table(definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """One row per definition: its index (the key used inside the engine), id, object and limits."""
    return pl.LazyFrame(
        {
            "score_index": list(range(len(definitions))),
            "score_id": [d.id for d in definitions],
            "object_type": [d.object for d in definitions],
            "aggregation": [d.company_settings.aggregation if d.object == "company" else "self" for d in definitions],
            "score_limit_cents": [100 * d.score_limit for d in definitions],
        },
        schema={"score_index": pl.Int32, "score_id": pl.String, "object_type": pl.String, "aggregation": pl.String, "score_limit_cents": pl.Int64},
    )


def row_values(frame: pl.DataFrame, row: str, *columns: str) -> list[pl.Expr]:
    """`columns` of `frame` at the row numbered by column `row` (`member` or `record`, which number
    their tables' rows): an array lookup, far cheaper than a join."""
    return [pl.lit(frame[c]).gather(pl.col(row)).alias(c) for c in columns]


def unit_matches(definitions: list[ScoreDefinition], columns: set[str], as_of: datetime | None, values: dict[str, pl.DataFrame]) -> dict[str, list[tuple[int, pl.Expr]]]:
    """Per event type, (unit_id, expression) of every unit scoring that type, in unit order: the rule's
    filters (over the property codes `typed_events` carries, each filter evaluated once per distinct
    value in `values`) and, given `as_of`, its time window (`within_days: N` keeps events after
    as_of - N days)."""
    out: dict[str, list[tuple[int, pl.Expr]]] = {}
    for unit_id, u in enumerate(_units(definitions)):
        multi = u.rule.multi_value_filter
        narrowed = (multi, [u.value]) if multi else None
        parts = [all_filters(u.rule.filters, columns, narrowed, values=values)] if u.rule.filters else []
        if as_of is not None and u.rule.within_days:
            parts.append(pl.col("occurred_at") > as_of - timedelta(days=u.rule.within_days))
        out.setdefault(u.rule.event, []).append((unit_id, pl.all_horizontal(parts) if parts else ALWAYS))
    return out


ALWAYS = pl.lit(True)


def whole_months(occurred_at: pl.Expr, as_of: datetime) -> pl.Expr:
    """The largest n such that occurred_at moved forward n calendar months (day clamped to the month's
    end, time kept) is on or before as_of."""
    month_end = calendar.monthrange(as_of.year, as_of.month)[1]
    as_of_clock = ((as_of.hour * 60 + as_of.minute) * 60 + as_of.second) * 1_000_000 + as_of.microsecond
    clock = occurred_at.dt.epoch("us") % 86_400_000_000
    months = (as_of.year - occurred_at.dt.year().cast(pl.Int64)) * 12 + (as_of.month - occurred_at.dt.month().cast(pl.Int64))
    day = pl.min_horizontal(occurred_at.dt.day().cast(pl.Int64), pl.lit(month_end, dtype=pl.Int64))
    overshoots = (day > as_of.day) | ((day == as_of.day) & (clock > as_of_clock))
    return (months - overshoots.cast(pl.Int64)).cast(pl.Int32)


# Events older than this many days count as this old: a century decays any event to nothing.
MONTHS_LOOKBACK_DAYS = 36_600
_DAY_US = 86_400_000_000


def event_months(occurred_at: pl.Expr, as_of: datetime) -> pl.Expr:
    """`whole_months` for many events at once. At the end of a day (the usual as_of) only the event's
    day matters, so the answer for each day of the past century is computed once and looked up by the
    event's day: integer work per event instead of calendar fields."""
    if as_of.time() != time.max:
        return whole_months(occurred_at, as_of)  # mid-day: the event's clock matters too
    last = as_of.date()
    first = last - timedelta(days=MONTHS_LOOKBACK_DAYS)
    days = pl.DataFrame({"day": pl.date_range(first, last, eager=True)})
    by_day = days.select(whole_months(pl.col("day").cast(pl.Datetime("us", "UTC")), as_of)).to_series()
    index = (occurred_at.dt.epoch("us") // _DAY_US - (first - date(1970, 1, 1)).days).clip(0, MONTHS_LOOKBACK_DAYS)
    return pl.lit(by_day).gather(index)


def remaining_after(periods: pl.Expr, percent: pl.Expr | int) -> pl.Expr:
    """Hundredths of an event's points that remain after `periods` whole decay periods: max(0, 100 - k * percent)."""
    return pl.max_horizontal(pl.lit(0, dtype=pl.Int64), 100 - periods * percent)


def decay_factor(months: pl.Expr, percent: pl.Expr, every_months: pl.Expr) -> pl.Expr:
    """Hundredths of an event's points that remain after `months` whole months."""
    return remaining_after(months // every_months, percent)


@dataclass(frozen=True)
class TypedEvents:
    """Events of each scored type (`frames`), held in memory, each property its rules read carried as
    `code_column(property)`: the row of the property's value in `values[property]`, a frame of its
    distinct values, normalized, then null."""

    frames: dict[str, pl.LazyFrame]
    values: dict[str, pl.DataFrame]


def typed_events(events: pl.LazyFrame, definitions: list[ScoreDefinition], until: datetime, types: list[str], carried: list[pl.Expr]) -> TypedEvents:
    """Per scored event type, its events on or before `until` with the `carried` columns (rows where
    one is null are dropped) and the codes of the properties its rules read.

    Each type is its own filtered scan: the lake stores events ordered by type, so a scan reads only
    its type's row groups, and no frame of all events is ever split. They are collected together
    rather than cached lazily: twelve `cache()` nodes in one plan took 8 s against 0.9 s. A property
    is read as categories, so each distinct value is normalized, and each filter evaluated, once
    (trimming and lower-casing 12M page URLs one by one took 1.1 s)."""
    columns = set(events.collect_schema().names())
    names = [c.meta.output_name() for c in carried]
    read = {t: _properties_read(definitions, t, columns) for t in types}
    categories = {p: pl.Categories.random() for t in types for p in read[t]}
    plans = [
        events.filter((pl.col("event_type") == t) & (pl.col("occurred_at") <= until))
        .select(*carried, *[pl.col(p).cast(pl.String).cast(pl.Categorical(categories[p])).to_physical().alias(code_column(p)) for p in read[t]])
        .drop_nulls(names)
        for t in types
    ]
    frames = pl.collect_all(plans)
    values = {p: pl.concat([c.to_series(), pl.Series([None], dtype=pl.String)]).to_frame(p).select(normalized_text(p)) for p, c in categories.items()}
    # An unknown value (null) points at the trailing null.
    unknown = {p: pl.col(code_column(p)).fill_null(len(v) - 1) for p, v in values.items()}
    return TypedEvents({t: frame.with_columns(unknown[p] for p in read[t]).lazy() for t, frame in zip(types, frames)}, values)


def _properties_read(definitions: list[ScoreDefinition], event_type: str, columns: set[str]) -> list[str]:
    return sorted({f.property for d in definitions for g in d.groups for r in g.rules if r.event == event_type for f in r.filters} & columns)


def sorted_by_key(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` ordered by `contact_key` and flagged so (checked, sorted only if needed): Polars joins
    two flagged frames by merging, about 4x faster than hashing."""
    if frame["contact_key"].is_sorted():
        return frame.with_columns(pl.col("contact_key").set_sorted())
    return frame.sort("contact_key")



@dataclass(frozen=True)
class ContactKeys:
    """One Int64 per (portal_id, contact_id) of the contacts a run scores, so event sums group and join
    on one column: a portal number times the span of contact ids plus the id's offset. The portal
    number is the id's offset from the lowest portal id (arithmetic only), or its rank among the
    run's portals when offsets times the span would not fit in 63 bits."""

    portal_low: int
    portal_high: int
    ranks: pl.Series | None
    low: int
    span: int

    @classmethod
    def of(cls, contacts: pl.DataFrame) -> ContactKeys:
        portals = contacts["portal_id"].unique().sort()
        low, high = contacts["contact_id"].min() or 0, contacts["contact_id"].max() or 0
        portal_low, portal_high = portals.min() or 0, portals.max() or 0
        span = high - low + 1
        if (portal_high - portal_low + 1) * span < 2**63:
            return cls(portal_low, portal_high, None, low, span)
        if len(portals) * span >= 2**63:
            raise ValueError(f"contact ids from {low} to {high} in {len(portals)} portals do not pack into 64-bit keys")
        return cls(portal_low, portal_high, portals, low, span)

    def key(self, portal_id: pl.Expr, contact_id: pl.Expr) -> pl.Expr:
        """The contact's key, named `contact_key`; null for a contact outside the run's ranges (it
        belongs to no score)."""
        if self.ranks is None:
            number = portal_id - self.portal_low
        else:
            number = portal_id.replace_strict(self.ranks, pl.int_range(len(self.ranks), eager=True), default=None, return_dtype=pl.Int64)
        known = portal_id.is_between(self.portal_low, self.portal_high) & contact_id.is_between(self.low, self.low + self.span - 1)
        return pl.when(known).then(number * self.span + (contact_id - self.low)).alias("contact_key")


@dataclass(frozen=True)
class KeyedMembers:
    """Members by contact key, per score index: all of them (`every`: member, contact_key, and
    `reset`, whether its record has a reset), ordered by contact key; and those whose record has a
    reset with the reset columns (`reset`: only their events are joined to it)."""

    keys: ContactKeys
    every: dict[int, pl.DataFrame]
    reset: dict[int, pl.DataFrame]

    @classmethod
    def of(cls, members: pl.DataFrame, resets: pl.DataFrame, scores: int) -> KeyedMembers:
        keys = ContactKeys.of(members)
        members = members.with_columns(keys.key(pl.col("portal_id"), pl.col("contact_id")))
        with_reset = members.join(resets, on=KEY)
        reset_columns = [c for c in resets.columns if c not in KEY]
        flagged = members.select("score_index", "member", "contact_key", pl.col("member").is_in(with_reset["member"].implode()).alias("reset"))
        every = {i: sorted_by_key(flagged.filter(pl.col("score_index") == i).drop("score_index")) for i in range(scores)}
        reset = {i: with_reset.filter(pl.col("score_index") == i).select("contact_key", "member", *reset_columns) for i in range(scores)}
        return cls(keys, every, reset)

    def plain(self, score: int) -> pl.LazyFrame:
        """(contact_key, member) of the members of `score` whose record has no reset: their contact's
        sums count whole. Ordered by contact key and flagged so."""
        return self.every[score].lazy().filter(~pl.col("reset")).select("contact_key", "member")

    def touched(self, score: int) -> pl.Expr:
        """Events of a contact some member of whose record in `score` has a reset."""
        return pl.col("contact_key").is_in(self.reset[score]["contact_key"].implode())


def _list_scope(records: pl.LazyFrame, id_column: str, definition: ScoreDefinition, lists: pl.LazyFrame) -> pl.LazyFrame:
    members = lists.filter(pl.col("object_type") == definition.object)
    if definition.records.include_lists:
        included = members.filter(pl.col("list_id").is_in(definition.records.include_lists)).select("portal_id", pl.col("record_id").alias(id_column)).unique()
        records = records.join(included, on=["portal_id", id_column], how="semi")
    if definition.records.exclude_lists:
        excluded = members.filter(pl.col("list_id").is_in(definition.records.exclude_lists)).select("portal_id", pl.col("record_id").alias(id_column))
        records = records.join(excluded, on=["portal_id", id_column], how="anti")
    return records


def score_members(definitions: list[ScoreDefinition], inputs: ScoreInputs) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(records in scope, their members) of every definition, and warnings for missing contact properties.

    records: (record, score_index, portal_id, record_id), sorted by the key, `record` its row number;
    members: (member, record, score_index, portal_id, record_id, contact_id), `member` its row number,
    a contact being its own member for a contact score. Inside the engines a member and a record are
    these integers: joins and groupings stay on one column."""
    plans, warnings = [], []
    contact_columns = set(inputs.contacts.collect_schema().names())
    for definition in definitions:
        if definition.object == "contact":
            scoped = _list_scope(inputs.contacts.select("portal_id", "contact_id"), "contact_id", definition, inputs.list_memberships)
            plans.append(scoped.select("portal_id", pl.col("contact_id").alias("record_id")).sort("portal_id", "record_id"))
            continue
        company = definition.company_settings
        scoped = _list_scope(inputs.companies.select("portal_id", "company_id"), "company_id", definition, inputs.list_memberships)
        scoped = scoped.select("portal_id", pl.col("company_id").alias("record_id")).sort("portal_id", "record_id")
        links = inputs.associations
        if company.association_labels:
            links = links.filter(pl.col("label").is_in(company.association_labels))
        qualifying = inputs.contacts.filter(all_filters(company.contact_filters, contact_columns)).select("portal_id", "contact_id")
        for prop in missing_properties(company.contact_filters, contact_columns):
            warnings.append(f"{definition.id}: contacts have no property {prop!r}; it is unknown on every contact")
        linked = (
            links.select("portal_id", pl.col("company_id").alias("record_id"), "contact_id").unique()
            .join(qualifying, on=["portal_id", "contact_id"], how="semi")
            .join(scoped.with_row_index("record"), on=["portal_id", "record_id"])
            .sort("record", "contact_id")
        )
        plans.extend([scoped, linked])
    collected = iter(pl.collect_all(plans))
    records, members, first = [], [], 0
    for index, definition in enumerate(definitions):
        scoped = next(collected)
        score = pl.lit(index, dtype=pl.Int32).alias("score_index")
        numbered = scoped.select(pl.int_range(first, first + scoped.height, dtype=pl.Int64).alias("record"), score, "portal_id", "record_id")
        records.append(numbered)
        if definition.object == "contact":
            members.append(numbered.with_columns(pl.col("record_id").alias("contact_id")))
        else:
            members.append(next(collected).select((pl.col("record").cast(pl.Int64) + first).alias("record"), score, "portal_id", "record_id", "contact_id"))
        first += scoped.height
    indexed_members = pl.concat(members).with_row_index("member").with_columns(pl.col("member").cast(pl.Int64))
    return pl.concat(records), indexed_members, warnings


def resets_until(resets: pl.LazyFrame, definitions: list[ScoreDefinition], until: datetime) -> pl.LazyFrame:
    """(score_index, portal_id, record_id, reset_at): the resets of each definition on or before `until`.
    A reset applies to records of the definition's own object: company resets to company scores."""
    ids = definition_table(definitions).select("score_index", "score_id", "object_type")
    return resets.filter(pl.col("reset_at") <= until).join(ids, on=["score_id", "object_type"]).select(*KEY, "reset_at")


def latest_resets(resets: pl.LazyFrame, definitions: list[ScoreDefinition], as_of: datetime) -> pl.LazyFrame:
    """(score_index, portal_id, record_id, reset_at): each record's latest reset of the score on or before `as_of`."""
    return resets_until(resets, definitions, as_of).group_by(KEY).agg(pl.col("reset_at").max())


def _remaining(unit: dict) -> pl.Expr:
    """Hundredths of an event's points the unit still counts at as_of (decay by whole periods)."""
    return decay_factor(pl.col("months"), pl.lit(unit["decay_percent"]), pl.lit(unit["decay_months"])) if unit["decay_percent"] else pl.lit(100, dtype=pl.Int64)


def score_ranges(frame: pl.DataFrame, scores: int) -> list[tuple[int, int]]:
    """(first row, row count) of each score index in `frame` (members or records, numbered in key
    order, so each score's rows are one run)."""
    starts = frame["score_index"].search_sorted(pl.Series(range(scores + 1), dtype=frame.schema["score_index"])).to_list()
    return [(starts[i], starts[i + 1] - starts[i]) for i in range(scores)]


def unit_sums(events: pl.LazyFrame, definitions: list[ScoreDefinition], units: pl.DataFrame, members: pl.DataFrame, resets: pl.LazyFrame, as_of: datetime) -> dict[int, pl.DataFrame]:
    """Per score index, a frame with a row per member of that score (`member`, in order) and per unit
    of it `c{unit_id}` and `e{unit_id}`: the (decayed) points of the member's eligible matching
    events in cents, and their count (0 without any).

    The events of a type are grouped per contact once, every unit scoring that type a pair of summed
    columns (shared where units match alike), so no row per (event, unit) is ever materialised; the
    contact sums then go to the members they belong to (a contact out of scope has none). Only the
    events of members whose record has a reset (few) are joined to it, then grouped per member."""
    keyed = KeyedMembers.of(members, resets.collect(), len(definitions))
    carried = [keyed.keys.key(pl.col("portal_id"), pl.col("contact_id")), pl.col("occurred_at"), event_months(pl.col("occurred_at"), as_of).alias("months")]
    scanned = typed_events(events, definitions, as_of, units["event_type"].unique(maintain_order=True).to_list(), carried)
    typed = scanned.frames
    matches = unit_matches(definitions, set(events.collect_schema().names()), as_of, scanned.values)
    expressions = {uid: expr for units_of_type in matches.values() for uid, expr in units_of_type}
    columns, parts, relevant = {}, {}, {}
    for event_type in matches:
        sums = _TypeSums()
        for unit in units.filter(pl.col("event_type") == event_type).iter_rows(named=True):
            match = expressions[unit["unit_id"]]
            always = match.meta.eq(ALWAYS)
            # (column of its match count, or None for every event; column of its decayed hundredths,
            # or None without decay).
            count = None if always else sums.column(match.cast(pl.Int64))
            decayed = None
            if unit["decay_percent"]:
                decayed = sums.column(_remaining(unit) if always else pl.when(match).then(_remaining(unit)).otherwise(0))
            parts[unit["unit_id"]] = (count, decayed)
        columns[event_type] = sums.columns
        # When every unit of the type filters its events, the events none of them matches count for
        # nothing: they are dropped before grouping (most page views, say).
        filtered = [expr for _, expr in matches[event_type]]
        relevant[event_type] = ALWAYS if any(e.meta.eq(ALWAYS) for e in filtered) else pl.any_horizontal(filtered)
    # Each distinct column summed once, in one grouping per event type. Columns before grouping:
    # per-group expressions inside `agg` are far slower.
    summed = lambda frame, event_type, by: frame.filter(relevant[event_type]).with_columns(columns[event_type]).group_by(by).agg(  # noqa: E731
        pl.len().cast(pl.Int64).alias("n"), *[pl.col(c.meta.output_name()).sum() for c in columns[event_type]]
    )
    # Collected together, not cached: the streaming engine runs many `cache()` nodes of one plan slowly.
    grouped = dict(zip(matches, (sorted_by_key(frame) for frame in pl.collect_all([summed(typed[t], t, "contact_key") for t in matches]))))
    pairs = list(units.group_by("score_index", "event_type", maintain_order=True))
    # Few contacts have a reset: their events are picked out once per type, then those since the
    # reset of each of their members are grouped per member.
    touched = pl.concat([keyed.reset[score]["contact_key"] for score in keyed.reset]).unique().implode()
    touched_events = dict(zip(matches, pl.collect_all([typed[t].filter(pl.col("contact_key").is_in(touched)) for t in matches])))
    since_reset = pl.collect_all([
        summed(touched_events[event_type].lazy().join(keyed.reset[score].lazy(), on="contact_key").filter(pl.col("occurred_at") > pl.col("reset_at")), event_type, "member")
        for (score, event_type), _ in pairs
    ])
    def values(of_pair: pl.DataFrame, frame: pl.DataFrame) -> list[pl.Series]:
        """The `e{unit}`/`c{unit}` columns of the pair's units from the type's summed columns."""
        out = []
        for u in of_pair.iter_rows(named=True):
            count, remaining = parts[u["unit_id"]]
            events = pl.col(count or "n").fill_null(0)
            out += [events.alias(f"e{u['unit_id']}"), ((pl.col(remaining).fill_null(0) if remaining else 100 * events) * u["points"]).alias(f"c{u['unit_id']}")]
        return frame.select(out).get_columns()

    plain = {score: [keyed.every[score]["member"]] for score in range(len(definitions))}
    reset = {score: [keyed.reset[score]["member"]] for score in range(len(definitions))}
    for ((score, event_type), of_pair), reset_sums in zip(pairs, since_reset):
        # Every member of the score gets its contact's sums: a left join of frames ordered by contact
        # key, keeping that order (eager: the in-memory engine merges them 4x faster than the
        # streaming one). Members whose record has a reset get the sums since then instead, below.
        plain[score] += values(of_pair, keyed.every[score].join(grouped[event_type], on="contact_key", how="left", maintain_order="left"))
        reset[score] += values(of_pair, keyed.reset[score].select("member").join(reset_sums, on="member", how="left", maintain_order="left"))
    wide = {score: pl.DataFrame(plain[score]).update(pl.DataFrame(reset[score]), on="member") for score in plain}
    # A company score's members are not ordered by contact: back to member order.
    return {score: frame if frame["member"].is_sorted() else frame.sort("member") for score, frame in wide.items()}


class _TypeSums:
    """The distinct per-event columns an event type's units sum: units sharing a match expression
    (or a decay) share its column."""

    def __init__(self) -> None:
        self.columns: list[pl.Expr] = []

    def column(self, expr: pl.Expr) -> str:
        for existing in self.columns:
            if existing.meta.undo_aliases().meta.eq(expr):
                return existing.meta.output_name()
        self.columns.append(expr.alias(f"sum_{len(self.columns)}"))
        return f"sum_{len(self.columns) - 1}"


def band(score: pl.Expr, definitions: list[ScoreDefinition]) -> pl.Expr:
    """`high` / `medium` / `low` by the definition's thresholds; null without thresholds (needs `score_index`)."""
    expr = pl.lit(None, dtype=pl.String)
    for index, d in enumerate(definitions):
        if d.thresholds is None:
            continue
        banded = pl.when(score >= d.thresholds.high).then(pl.lit("high")).when(score >= d.thresholds.medium).then(pl.lit("medium")).otherwise(pl.lit("low"))
        expr = pl.when(pl.col("score_index") == index).then(banded).otherwise(expr)
    return expr


def lookup(column: pl.Expr, frame: pl.DataFrame, key: str, value: str) -> pl.Expr:
    """`value` of the row of `frame` whose `key` (an id numbering a small table from 0: unit, rule,
    group) equals `column`, null for a null id: an array lookup instead of a join."""
    table = frame.select(key, value).unique(key).sort(key)
    if not table[key].equals(pl.Series(key, range(table.height), dtype=table.schema[key])):
        raise ValueError(f"lookup: {key} does not number its rows from 0")
    return pl.lit(table[value]).gather(column)


BREAKDOWN_KEYS = ["group_name", "rule_index", "value", "component"]


def score_distribution(scores: pl.LazyFrame, definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """Per definition: record counts in 10 equal buckets over [0, score_limit] (the last one closed),
    then one row per band (its score range and count) when the definition has thresholds."""
    frames = []
    for index, d in enumerate(definitions):
        width = d.score_limit / 10
        buckets = pl.LazyFrame({"bucket": list(range(10))}).with_columns(
            (pl.col("bucket") * width).alias("bucket_low"), ((pl.col("bucket") + 1) * width).alias("bucket_high")
        )
        own = scores.filter(pl.col("score_index") == index)
        counted = own.select(pl.min_horizontal((pl.col("score") / width).floor().cast(pl.Int64), pl.lit(9)).alias("bucket")).group_by("bucket").agg(pl.len().alias("records"))
        frames.append(
            buckets.join(counted, on="bucket", how="left", maintain_order="left").select(
                pl.lit(d.id).alias("score_id"), "bucket_low", "bucket_high", pl.lit(None, dtype=pl.String).alias("band"), pl.col("records").fill_null(0).cast(pl.Int64)
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
    return pl.concat(frames)


def evaluate_scores(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date | datetime) -> ScoreResult:
    """Scores, breakdown and distribution of every definition at `as_of`, as lazy plans sharing one scan of the events."""
    if not definitions:
        raise ValueError("evaluate_scores needs at least one definition")
    instant = as_of_instant(as_of)
    day = instant.date()
    units = rule_units(definitions)
    event_columns = set(inputs.events.collect_schema().names())
    warnings = [
        f"{d.id}: events have no property {prop!r}; it is unknown on every event"
        for d in definitions
        for prop in missing_properties([f for g in d.groups for r in g.rules for f in r.filters], event_columns)
    ]
    records, members, member_warnings = score_members(definitions, inputs)
    resets = latest_resets(inputs.score_resets, definitions, instant)
    wide = unit_sums(inputs.events, definitions, units, members, resets, instant)
    member_ranges, record_ranges = score_ranges(members, len(definitions)), score_ranges(records, len(definitions))
    scored, rows = [], []
    for index, definition in enumerate(definitions):
        points, kinds = member_points(wide[index].lazy(), units.filter(pl.col("score_index") == index), 100 * definition.score_limit)
        (first_member, _), (first_record, record_count) = member_ranges[index], record_ranges[index]
        if definition.object == "contact":
            # A contact score's members are its records, in the same (key) order.
            own = points.with_columns((pl.col("member") - first_member + first_record).alias("record")).collect()
            score, score_rows = own.lazy().select("record", "cents", "raw_cents"), breakdown_rows(own, kinds)
        else:
            of_members = points.with_columns(row_values(members, "member", "record", "contact_id")).collect()
            score, score_rows = company_points(of_members, kinds, definition.company_settings.aggregation, first_record, record_count, 100 * definition.score_limit)
        # Labels: the definition's are constants; the record's key is looked up by its number.
        labels = [pl.lit(definition.id).alias("score_id"), pl.lit(definition.object).alias("object_type"), *row_values(records, "record", "portal_id", "record_id"), pl.lit(day).alias("as_of")]
        scored.append(score.with_columns(*labels, pl.lit(index, dtype=pl.Int32).alias("score_index")))
        rows.extend(frame.with_columns(*labels) for frame in score_rows)
    labelled = ["score_id", "object_type", "portal_id", "record_id", "as_of"]
    scores = (
        pl.concat(scored)
        .with_columns((pl.col("cents") / 100).round(2).alias("score"))
        .with_columns(band(pl.col("score"), definitions).alias("band"))
        .select(*labelled, "score", "band", "score_index")
        .collect()
    )
    # Breakdown rows come per definition and row kind, each kind in record order: the rows of one
    # record, in table order, read rule by rule, group by group (a sort of 9M rows would cost ~1 s).
    return ScoreResult(
        scores=scores.lazy().select(*labelled, "score", "band"),
        breakdown=pl.concat(rows).select(*labelled, *BREAKDOWN_KEYS, "events", "points"),
        distribution=score_distribution(scores.lazy(), definitions).select("score_id", pl.lit(day).alias("as_of"), "bucket_low", "bucket_high", "band", "records"),
        warnings=warnings + member_warnings,
    )
