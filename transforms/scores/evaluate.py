"""Engagement scores of contacts and companies at an as-of instant, for many definitions at once.

Points are carried as integer hundredths ("cents") from the first multiplication on, so decay
(a whole percent of whole points), clamps, sums and the half-away-from-zero rounding are exact.
A *member* is the contact whose events count toward a record: the contact itself for a contact
score, each qualifying associated contact for a company score. `docs/architecture.md` maps each
step of the spec to its module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from transforms.common.calendar import as_of_instant
from transforms.common.lookups import row_values
from transforms.scores.bands import score_band
from transforms.scores.columns import BREAKDOWN_KEYS
from transforms.scores.definition import ScoreDefinition
from transforms.scores.distribution import score_distribution
from transforms.scores.filters import missing_properties
from transforms.scores.members import ScoreInputs, latest_resets, score_members, score_ranges
from transforms.scores.points import breakdown_rows, company_points, member_points
from transforms.scores.sums import unit_sums
from transforms.scores.units import rule_units


@dataclass(frozen=True)
class ScoreResult:
    scores: pl.LazyFrame
    breakdown: pl.LazyFrame
    distribution: pl.LazyFrame
    warnings: list[str] = field(default_factory=list)


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
        for prop in missing_properties([f for r in d.rules for f in r.filters], event_columns)
    ]
    records, members, member_warnings = score_members(definitions, inputs)
    resets = latest_resets(inputs.score_resets, definitions, instant)
    wide = unit_sums(inputs.events, definitions, units, members, resets, instant)
    member_ranges, record_ranges = score_ranges(members, len(definitions)), score_ranges(records, len(definitions))
    scored: list[pl.LazyFrame] = []
    rows: list[pl.LazyFrame] = []
    for index, definition in enumerate(definitions):
        points, kinds = member_points(wide[index].lazy(), units.filter(pl.col("score_index") == index), 100 * definition.score_limit)
        (first_member, _), (first_record, record_count) = member_ranges[index], record_ranges[index]
        if definition.object == "contact":
            # A contact score's members are its records, in the same (key) order.
            own = points.with_columns((pl.col("member") - first_member + first_record).alias("record")).collect()
            score, score_rows = own.lazy().select("record", "cents", "raw_cents"), breakdown_rows(own, kinds)
        else:
            of_members = points.with_columns(row_values(members, "member", "record", "contact_id")).collect()
            score, score_rows = company_points(
                of_members, kinds, definition.company_settings.aggregation, first_record, record_count, 100 * definition.score_limit
            )
        # Labels: the definition's are constants; the record's key is looked up by its number.
        labels = [
            pl.lit(definition.id).alias("score_id"),
            pl.lit(definition.object).alias("object_type"),
            *row_values(records, "record", "portal_id", "record_id"),
            pl.lit(day).alias("as_of"),
        ]
        scored.append(score.with_columns(*labels, pl.lit(index, dtype=pl.Int32).alias("score_index")))
        rows.extend(frame.with_columns(*labels) for frame in score_rows)
    labelled = ["score_id", "object_type", "portal_id", "record_id", "as_of"]
    scores = (
        pl.concat(scored)
        .with_columns((pl.col("cents") / 100).round(2).alias("score"))
        .with_columns(score_band(pl.col("score"), definitions).alias("band"))
        .select(*labelled, "score", "band", "score_index")
        .collect()
    )
    # Breakdown rows come per definition and row kind, each kind in record order: the rows of one
    # record, in table order, read rule by rule, group by group (a sort of 9M rows would cost ~1 s).
    return ScoreResult(
        scores=scores.lazy().select(*labelled, "score", "band"),
        breakdown=pl.concat(rows).select(*labelled, *BREAKDOWN_KEYS, "events", "points"),
        distribution=score_distribution(scores.lazy(), definitions).select(
            "score_id", pl.lit(day).alias("as_of"), "bucket_low", "bucket_high", "band", "records"
        ),
        warnings=warnings + member_warnings,
    )
