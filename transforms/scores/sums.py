"""Unit sums: per member of a score and per unit, the (decayed) points in cents of its eligible matching
events and their count."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from transforms.common.calendar import event_months
from transforms.scores.columns import unit_cents, unit_events
from transforms.scores.decay import unit_remaining
from transforms.scores.definition import ScoreDefinition
from transforms.scores.events import typed_events
from transforms.scores.keys import KeyedMembers, sorted_by_key
from transforms.scores.units import ALWAYS, unit_matches


def unit_sums(
    events: pl.LazyFrame,
    definitions: list[ScoreDefinition],
    units: pl.DataFrame,
    members: pl.DataFrame,
    resets: pl.LazyFrame,
    as_of: datetime,
) -> dict[int, pl.DataFrame]:
    """Per score index, a frame with a row per member of that score (`member`, in order) and per unit
    of it `c{unit_id}` and `e{unit_id}`: the (decayed) points of the member's eligible matching
    events in cents, and their count (0 without any).

    The events of a type are grouped per contact once, every unit scoring that type a pair of summed
    columns (shared where units match alike), so no row per (event, unit) is ever materialised; the
    contact sums then go to the members they belong to (a contact out of scope has none). Only the
    events of members whose record has a reset (few) are joined to it, then grouped per member."""
    keyed = KeyedMembers.of(members, resets.collect(), len(definitions))
    carried = [
        keyed.keys.key(pl.col("portal_id"), pl.col("contact_id")),
        pl.col("occurred_at"),
        event_months(pl.col("occurred_at"), as_of).alias("months"),
    ]
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
                decayed = sums.column(unit_remaining(unit) if always else pl.when(match).then(unit_remaining(unit)).otherwise(0))
            parts[unit["unit_id"]] = (count, decayed)
        columns[event_type] = sums.columns
        # When every unit of the type filters its events, the events none of them matches count for
        # nothing: they are dropped before grouping (most page views, say).
        filtered = [expr for _, expr in matches[event_type]]
        relevant[event_type] = ALWAYS if any(e.meta.eq(ALWAYS) for e in filtered) else pl.any_horizontal(filtered)

    # Each distinct column summed once, in one grouping per event type. Columns before grouping:
    # per-group expressions inside `agg` are far slower.
    def summed(frame: pl.LazyFrame, event_type: str, by: str) -> pl.LazyFrame:
        return (
            frame.filter(relevant[event_type])
            .with_columns(columns[event_type])
            .group_by(by)
            .agg(pl.len().cast(pl.Int64).alias("n"), *[pl.col(c.meta.output_name()).sum() for c in columns[event_type]])
        )

    # Collected together, not cached: the streaming engine runs many `cache()` nodes of one plan slowly.
    grouped = dict(
        zip(matches, (sorted_by_key(frame) for frame in pl.collect_all([summed(typed[t], t, "contact_key") for t in matches])), strict=True)
    )
    pairs = list(units.group_by("score_index", "event_type", maintain_order=True))
    # Few contacts have a reset: their events are picked out once per type, then those since the
    # reset of each of their members are grouped per member.
    touched = pl.concat([keyed.reset[score]["contact_key"] for score in keyed.reset]).unique().implode()
    touched_events = dict(
        zip(matches, pl.collect_all([typed[t].filter(pl.col("contact_key").is_in(touched)) for t in matches]), strict=True)
    )
    since_reset = pl.collect_all(
        [
            summed(
                touched_events[event_type]
                .lazy()
                .join(keyed.reset[score].lazy(), on="contact_key")
                .filter(pl.col("occurred_at") > pl.col("reset_at")),
                event_type,
                "member",
            )
            for (score, event_type), _ in pairs
        ]
    )

    def values(of_pair: pl.DataFrame, frame: pl.DataFrame) -> list[pl.Series]:
        """The `e{unit}`/`c{unit}` columns of the pair's units from the type's summed columns."""
        out = []
        for u in of_pair.iter_rows(named=True):
            count, remaining = parts[u["unit_id"]]
            events = pl.col(count or "n").fill_null(0)
            out += [
                events.alias(unit_events(u["unit_id"])),
                ((pl.col(remaining).fill_null(0) if remaining else 100 * events) * u["points"]).alias(unit_cents(u["unit_id"])),
            ]
        return frame.select(out).get_columns()

    plain = {score: [keyed.every[score]["member"]] for score in range(len(definitions))}
    reset = {score: [keyed.reset[score]["member"]] for score in range(len(definitions))}
    for ((score, event_type), of_pair), reset_sums in zip(pairs, since_reset, strict=True):
        # Every member of the score gets its contact's sums: a left join of frames ordered by contact
        # key, keeping that order (eager: the in-memory engine merges them 4x faster than the
        # streaming one). Members whose record has a reset get the sums since then instead, below.
        plain[score] += values(of_pair, keyed.every[score].join(grouped[event_type], on="contact_key", how="left", maintain_order="left"))
        reset[score] += values(
            of_pair, keyed.reset[score].select("member").join(reset_sums, on="member", how="left", maintain_order="left")
        )
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
