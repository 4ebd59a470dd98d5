"""Points of one score per member and per record, from its per-unit sums: rule limits, group limits,
the total clamp, the company aggregation, and the breakdown rows that add up to each score.

Each score is one wide frame, a row per member (or record) and columns per unit, rule, group and
breakdown row kind, so every clamp is column arithmetic: there is no grouping or join per
(member, rule). Cents are integer hundredths of a point throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from transforms.common.rounding import divide_rounded
from transforms.scores.columns import (
    chosen_value,
    group_points,
    group_raw,
    row_cents,
    row_events,
    row_shown,
    rule_points,
    unit_cents,
    unit_events,
)


def clamp_abs(expr: pl.Expr, bound: pl.Expr) -> pl.Expr:
    """expr clamped to [-bound, bound]; unchanged where bound is null."""
    return pl.when(bound.is_null()).then(expr).otherwise(expr.clip(-bound, bound))


@dataclass(frozen=True)
class RowKind:
    """A kind of breakdown row a member can have. `member_points` gives, for the n-th kind, columns
    `row{n}` (the member has the row), `row{n}_events` and `row{n}_cents`, both 0 where absent."""

    group_name: str | None
    rule_index: int | None
    value: str | None
    component: str


_NO_EVENTS = pl.lit(0, dtype=pl.Int64)


def _limited(raw: pl.Expr, limit: int | None) -> pl.Expr:
    return raw if limit is None else raw.clip(-limit, limit)


def frequency_cents(count: pl.Expr, ranges: list[dict[str, int | None]]) -> pl.Expr:
    """The cents a frequency rule gives `count` matching events: its range's points, 0 outside every range."""
    cents: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for r in reversed(ranges):
        inside = count >= r["min"] if r["max"] is None else count.is_between(r["min"], r["max"])
        cents = pl.when(inside).then(pl.lit(100 * int(r["points"] or 0), dtype=pl.Int64)).otherwise(cents)
    return cents


def member_points(wide: pl.LazyFrame, units: pl.DataFrame, score_limit_cents: int) -> tuple[pl.LazyFrame, list[RowKind]]:
    """`wide` (a row per member, `c{unit_id}`/`e{unit_id}`: the unit's cents and events) with the
    member's total, `raw_cents` and `cents` (clamped to [0, score_limit]), and the columns of each
    returned breakdown row kind, in reading order: per group, each rule's row and its `limit_to`
    row, then the group's `group_limit` row; last the `score_limit` row.

    `limit_to` clamps each value of an `individually` rule; a `together` rule counts its value with
    the largest absolute sum (ties: the first listed with events), then clamps it; a `frequency` rule
    gives the points of the range its count of events falls in. A group's points
    are capped at its limit; the total is clamped to [0, score_limit]."""
    kinds: list[RowKind] = []
    rows: list[pl.Expr] = []
    chosen: list[pl.Expr] = []  # per `together` rule, the position of the value it counts
    points: list[pl.Expr] = []  # per rule, its points after `limit_to`
    groups: list[pl.Expr] = []

    def row(kind: RowKind, exists: pl.Expr, events: pl.Expr, cents: pl.Expr) -> None:
        n = len(kinds)
        kinds.append(kind)
        rows.extend(
            [
                exists.alias(row_shown(n)),
                pl.when(exists).then(events).otherwise(0).alias(row_events(n)),
                pl.when(exists).then(cents).otherwise(0).alias(row_cents(n)),
            ]
        )

    group_ids = []
    for (group_id,), of_group in units.group_by("group_id", maintain_order=True):
        rule_ids = []
        for (rule_id,), of_rule in of_group.group_by("rule_id", maintain_order=True):
            values = list(of_rule.iter_rows(named=True))
            limit = values[0]["limit_cents"]
            cents = [pl.col(unit_cents(u["unit_id"])) for u in values]
            events = [pl.col(unit_events(u["unit_id"])) for u in values]
            if values[0]["value_index"] is not None and not values[0]["individually"]:
                # Twice the absolute sum, plus one with events: the largest wins, the first on ties.
                keys = [2 * c.abs() + (e > 0).cast(pl.Int64) for c, e in zip(cents, events, strict=True)]
                best = pl.max_horizontal(keys)
                first_best: Then | ChainedThen = pl.when(keys[0] == best).then(0)
                for i, key in enumerate(keys[1:], start=1):
                    first_best = first_best.when(key == best).then(i)
                chosen.append(first_best.alias(chosen_value(rule_id)))
                raw = pl.sum_horizontal([pl.when(pl.col(chosen_value(rule_id)) == i).then(c).otherwise(0) for i, c in enumerate(cents)])
                points.append(_limited(raw, limit).alias(rule_points(rule_id)))
                for i, (u, c, e) in enumerate(zip(values, cents, events, strict=True)):
                    shown = (pl.col(chosen_value(rule_id)) == i) & (e > 0)
                    row(RowKind(u["group_name"], u["rule_index"], u["value"], "rule"), shown, e, c)
                    if limit is not None:
                        row(
                            RowKind(u["group_name"], u["rule_index"], u["value"], "limit_to"),
                            shown & (pl.col(rule_points(rule_id)) != c),
                            _NO_EVENTS,
                            pl.col(rule_points(rule_id)) - c,
                        )
            elif values[0]["frequency"] is not None:
                # One unit (no multi-value filter): its events' count picks the range's points.
                scored = frequency_cents(events[0], values[0]["frequency"])
                points.append(scored.alias(rule_points(rule_id)))
                row(RowKind(values[0]["group_name"], values[0]["rule_index"], None, "rule"), events[0] > 0, events[0], scored)
            else:
                points.append(pl.sum_horizontal([_limited(c, limit) for c in cents]).alias(rule_points(rule_id)))
                for u, c, e in zip(values, cents, events, strict=True):
                    row(RowKind(u["group_name"], u["rule_index"], u["value"], "rule"), e > 0, e, c)
                    if limit is not None:
                        row(
                            RowKind(u["group_name"], u["rule_index"], u["value"], "limit_to"),
                            _limited(c, limit) != c,
                            _NO_EVENTS,
                            _limited(c, limit) - c,
                        )
            rule_ids.append(rule_id)
        raw = pl.sum_horizontal([pl.col(rule_points(r)) for r in rule_ids])
        groups.extend(
            [raw.alias(group_raw(group_id)), pl.min_horizontal(raw, pl.lit(of_group["group_limit_cents"][0])).alias(group_points(group_id))]
        )
        group_ids.append(group_id)
        row(
            RowKind(of_group["group_name"][0], None, None, "group_limit"),
            pl.col(group_points(group_id)) != pl.col(group_raw(group_id)),
            _NO_EVENTS,
            pl.col(group_points(group_id)) - pl.col(group_raw(group_id)),
        )
    total = pl.sum_horizontal([pl.col(group_points(g)) for g in group_ids]).alias("raw_cents")
    row(RowKind(None, None, None, "score_limit"), pl.col("cents") != pl.col("raw_cents"), _NO_EVENTS, pl.col("cents") - pl.col("raw_cents"))
    # `together` rules pick their value before their points are summed: two steps.
    out = (
        wide.with_columns(chosen)
        .with_columns(points)
        .with_columns(groups)
        .with_columns(total)
        .with_columns(pl.col("raw_cents").clip(0, score_limit_cents).alias("cents"))
        .with_columns(rows)
    )
    return out, kinds


def _labelled(frame: pl.LazyFrame, kind: RowKind) -> pl.LazyFrame:
    return frame.with_columns(
        pl.lit(kind.group_name, dtype=pl.String).alias("group_name"),
        pl.lit(kind.rule_index, dtype=pl.Int32).alias("rule_index"),
        pl.lit(kind.value, dtype=pl.String).alias("value"),
        pl.lit(kind.component).alias("component"),
    ).select(*ROW_COLUMNS)


ROW_COLUMNS = ["record", "group_name", "rule_index", "value", "component", "events", "points"]


def breakdown_rows(frame: pl.DataFrame, kinds: list[RowKind], divisor: pl.Expr | None = None, decimals: int = 2) -> list[pl.LazyFrame]:
    """The breakdown rows of `frame` (a row per record, in record order, with `record` and the kinds'
    `row{n}` columns): (record, group_name, rule_index, value, component, events, points), one frame
    per kind in kind order; points are cents / divisor / 100."""
    out = []
    for n, kind in enumerate(kinds):
        points = pl.col(row_cents(n)) if divisor is None else pl.col(row_cents(n)) / divisor
        rows = (
            frame.lazy()
            .filter(pl.col(row_shown(n)))
            .select("record", pl.col(row_events(n)).alias("events"), (points / 100).round(decimals).alias("points"))
        )
        out.append(_labelled(rows, kind))
    return out


def _shown(kinds: list[RowKind], divisor: pl.Expr | None) -> pl.Expr:
    """The sum of a record's breakdown points as shown (each rounded to 6 decimals)."""
    return pl.sum_horizontal(
        [
            pl.when(pl.col(row_shown(n)))
            .then(((pl.col(row_cents(n)) if divisor is None else pl.col(row_cents(n)) / divisor) / 100).round(6))
            .otherwise(0.0)
            for n in range(len(kinds))
        ]
    )


def _partial_columns(kinds: list[RowKind]) -> list[str]:
    return [column(n) for n in range(len(kinds)) for column in (row_shown, row_events, row_cents)]


def company_partials(members: pl.DataFrame, kinds: list[RowKind], aggregation: str) -> pl.DataFrame:
    """Per company record, what its members (`member_points` columns plus `record` and `contact_id`)
    add to it, sorted by record: for `sum`/`avg` the member count `n`, the summed `total` and rows;
    for `min`/`max` the chosen member's `total`, `contact_id` and rows (ties: lowest contact id).

    Partials of disjoint sets of members combine by the same function (`members` may be partials
    themselves), so each contact bucket adds up its own members and a small merge does the rest."""
    if "total" not in members.columns:
        members = members.with_columns(pl.lit(1, dtype=pl.Int64).alias("n"), pl.col("cents").alias("total"))
    if aggregation in ("sum", "avg"):
        return (
            members.lazy()
            .group_by("record")
            .agg(
                pl.col("n").sum(),
                pl.col("total").sum(),
                *[pl.col(row_shown(n)).any() for n in range(len(kinds))],
                *[pl.col(column(n)).sum() for n in range(len(kinds)) for column in (row_events, row_cents)],
            )
            .sort("record")
            .select("record", "n", "total", *_partial_columns(kinds))
            .collect()
        )
    order = -pl.col("total") if aggregation == "max" else pl.col("total")
    return (
        members.lazy()
        .sort("record", order, "contact_id")
        .group_by("record", maintain_order=True)
        .first()
        .select("record", pl.lit(1, dtype=pl.Int64).alias("n"), "total", "contact_id", *_partial_columns(kinds))
        .collect()
    )


def company_points(
    partials: pl.DataFrame, kinds: list[RowKind], aggregation: str, first_record: int, records: int, score_limit_cents: int
) -> tuple[pl.LazyFrame, list[pl.LazyFrame]]:
    """(record, cents, raw_cents) of each company record numbered from `first_record` (`records` of
    them), and its breakdown rows, from the `company_partials` of all its members.

    `sum`/`avg`: the members' totals summed (divided by their count, rounded half up), their rows
    summed (divided likewise); `min`/`max`: the total and rows of that member; a record without
    members scores 0. A `rounding` row makes the rows add up to the unclamped score, a
    `company_limit` row shows the clamp to [0, score_limit]."""
    average = aggregation == "avg"
    raw = divide_rounded(pl.col("total"), pl.col("n")) if average else pl.col("total")
    divisor = pl.col("n") if average else pl.lit(1, dtype=pl.Int64)
    numbered = pl.LazyFrame({"record": pl.int_range(first_record, first_record + records, dtype=pl.Int64, eager=True)})
    scored = partials.select(
        "record",
        raw.alias("raw_cents"),
        _shown(kinds, divisor).alias("shown"),
        *_partial_columns(kinds),
        divisor.alias("divisor"),
    )
    rows = breakdown_rows(scored, kinds, pl.col("divisor"), decimals=6)
    company = (
        numbered.join(scored.lazy().select("record", "raw_cents", "shown"), on="record", how="left", maintain_order="left")
        .with_columns(pl.col("raw_cents").fill_null(0), pl.col("shown").fill_null(0.0))
        .with_columns(pl.col("raw_cents").clip(0, score_limit_cents).alias("cents"))
    )
    no_events = pl.lit(0, dtype=pl.Int64).alias("events")
    rounding = company.with_columns((pl.col("raw_cents") / 100 - pl.col("shown")).round(6).alias("points")).filter(
        pl.col("points").abs() > 1e-9
    )
    clamp = company.filter(pl.col("cents") != pl.col("raw_cents")).with_columns(
        ((pl.col("cents") - pl.col("raw_cents")) / 100).round(2).alias("points")
    )
    rows.append(_labelled(rounding.select("record", no_events, "points"), RowKind(None, None, None, "rounding")))
    rows.append(_labelled(clamp.select("record", no_events, "points"), RowKind(None, None, None, "company_limit")))
    return company.select("record", "cents", "raw_cents"), rows
