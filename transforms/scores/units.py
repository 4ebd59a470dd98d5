"""Scored units: every rule of every definition, or each value of a rule's multi-value filter, numbered
in a fixed order; the definitions' own table; and the event filter of each unit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from polars._typing import PolarsDataType

from transforms.scores.definition import Group, Rule, ScoreDefinition
from transforms.scores.filters import all_filters


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
                "frequency": [r.model_dump() for r in u.rule.frequency] if u.rule.frequency else None,
            }
        )
    schema: dict[str, PolarsDataType] = {
        "score_index": pl.Int32,
        "company": pl.Boolean,
        "group_index": pl.Int32,
        "group_name": pl.String,
        "group_limit_cents": pl.Int64,
        "rule_index": pl.Int32,
        "value_index": pl.Int32,
        "value": pl.String,
        "event_type": pl.String,
        "points": pl.Int64,
        "within_days": pl.Int64,
        "limit_cents": pl.Int64,
        "individually": pl.Boolean,
        "decay_percent": pl.Int64,
        "decay_months": pl.Int64,
        # A frequency rule's ranges (min, max, points); its events count 1 point each toward them.
        "frequency": pl.List(pl.Struct({"min": pl.Int64, "max": pl.Int64, "points": pl.Int64})),
    }
    return (
        pl.DataFrame(rows, schema=schema)
        .with_row_index("unit_id")
        .with_columns(
            pl.col("unit_id").cast(pl.Int32),
            pl.struct("score_index", "group_index").rank("dense").cast(pl.Int64).sub(1).alias("group_id"),
            pl.struct("score_index", "group_index", "rule_index").rank("dense").cast(pl.Int64).sub(1).alias("rule_id"),
        )
    )


def aggregation(definition: ScoreDefinition) -> str:
    """How a definition's records take their members' totals: the company aggregation, `self` for a contact score."""
    return definition.company_settings.aggregation if definition.object == "company" else "self"


def definition_table(definitions: list[ScoreDefinition]) -> pl.LazyFrame:
    """One row per definition: its index (the key used inside the engine), id, object and limits."""
    return pl.LazyFrame(
        {
            "score_index": list(range(len(definitions))),
            "score_id": [d.id for d in definitions],
            "object_type": [d.object for d in definitions],
            "aggregation": [aggregation(d) for d in definitions],
            "score_limit_cents": [100 * d.score_limit for d in definitions],
        },
        schema={
            "score_index": pl.Int32,
            "score_id": pl.String,
            "object_type": pl.String,
            "aggregation": pl.String,
            "score_limit_cents": pl.Int64,
        },
    )


ALWAYS = pl.lit(True)


def _unit_filter(u: _Unit, columns: set[str], values: dict[str, pl.DataFrame]) -> list[pl.Expr]:
    """The rule's filters of a unit, its multi-value filter narrowed to the unit's value."""
    multi = u.rule.multi_value_filter
    narrowed = (multi, [u.value]) if multi and u.value is not None else None
    return [all_filters(u.rule.filters, columns, narrowed, values=values)] if u.rule.filters else []


def unit_matches(
    definitions: list[ScoreDefinition], columns: set[str], as_of: datetime | None, values: dict[str, pl.DataFrame]
) -> dict[str, list[tuple[int, pl.Expr]]]:
    """Per event type, (unit_id, expression) of every unit scoring that type, in unit order: the rule's
    filters (over the property codes `typed_events` carries, each filter evaluated once per distinct
    value in `values`) and, given `as_of`, its time window (`within_days: N` keeps events after
    as_of - N days). Fit rules (no event type) are `fit_matches`'."""
    out: dict[str, list[tuple[int, pl.Expr]]] = {}
    for unit_id, u in enumerate(_units(definitions)):
        if u.rule.event is None:
            continue
        parts = _unit_filter(u, columns, values)
        if as_of is not None and u.rule.within_days:
            parts.append(pl.col("occurred_at") > as_of - timedelta(days=u.rule.within_days))
        out.setdefault(u.rule.event, []).append((unit_id, pl.all_horizontal(parts) if parts else ALWAYS))
    return out


def fit_matches(definition: ScoreDefinition, columns: set[str]) -> list[tuple[int, pl.Expr]]:
    """(unit_id, expression) of every unit of a fit definition, over its records' `columns`."""
    return [(unit_id, pl.all_horizontal(_unit_filter(u, columns, {}))) for unit_id, u in enumerate(_units([definition]))]
