"""Engagement scores of contacts and companies at an as-of instant, for many definitions at once.

Points are carried as integer hundredths ("cents") from the first multiplication on, so decay
(a whole percent of whole points), clamps, sums and the half-away-from-zero rounding are exact.
A *member* is the contact whose events count toward a record: the contact itself for a contact
score, each qualifying associated contact for a company score. `docs/architecture.md` maps each
step of the spec to its module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from transforms.common.calendar import as_of_instant
from transforms.common.lookups import row_values
from transforms.common.tables import polars_types
from transforms.scores.bands import score_band
from transforms.scores.columns import BREAKDOWN_KEYS
from transforms.scores.combined import combined_breakdown, combined_scores, expanded
from transforms.scores.definition import ScoreDefinition
from transforms.scores.distribution import score_distribution
from transforms.scores.filters import missing_properties
from transforms.scores.fit import fit_points, fit_records, fit_warnings
from transforms.scores.members import ScoreInputs, latest_resets, scoped_records, score_members, score_ranges
from transforms.scores.points import RowKind, breakdown_rows, company_partials, company_points, member_points
from transforms.scores.schemas import ENGAGEMENT_SCORE_BREAKDOWN, ENGAGEMENT_SCORE_DISTRIBUTION, ENGAGEMENT_SCORES
from transforms.scores.sums import unit_sums
from transforms.scores.units import rule_units
from transforms.snapshot.buckets import contact_bucket


@dataclass(frozen=True)
class ScoreResult:
    scores: pl.LazyFrame
    breakdown: pl.LazyFrame
    distribution: pl.LazyFrame
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BucketScores:
    """One contact bucket's part of a day's scores: the final scores (with `score_index`), breakdown
    rows and distribution counts of its contact records, and per company definition (by index) the `company_partials` of
    its contacts, `record` numbering the definition's records from 0 in key order."""

    scores: pl.LazyFrame
    breakdown: pl.LazyFrame
    distribution: pl.LazyFrame
    company_partials: dict[int, pl.DataFrame]
    warnings: list[str] = field(default_factory=list)


LABELLED = ["score_id", "object_type", "portal_id", "record_id", "as_of"]
# A combined score also carries its parts' scores and the matrix label (null for the others).
SCORE_COLUMNS = ["score", "band", "fit_score", "engagement_score", "matrix"]
SCORED_SCHEMA = pl.Schema({**polars_types(ENGAGEMENT_SCORES), "score_index": pl.Int32()})
BREAKDOWN_SCHEMA = polars_types(ENGAGEMENT_SCORE_BREAKDOWN)
DISTRIBUTION_SCHEMA = polars_types(ENGAGEMENT_SCORE_DISTRIBUTION)


def _labels(definition: ScoreDefinition, records: pl.DataFrame, day: date) -> list[pl.Expr]:
    """The definition's constants and the record's key, looked up by its number in `records`."""
    return [
        pl.lit(definition.id).alias("score_id"),
        pl.lit(definition.object).alias("object_type"),
        *row_values(records, "record", "portal_id", "record_id"),
        pl.lit(day).alias("as_of"),
    ]


def _finished(
    definitions: list[ScoreDefinition], scored: list[pl.LazyFrame], rows: list[pl.LazyFrame], day: date
) -> tuple[pl.DataFrame, pl.LazyFrame]:
    """(scores with score, band and score_index; breakdown rows) from labelled per-definition frames."""
    if not scored:
        return pl.DataFrame(schema=SCORED_SCHEMA), pl.LazyFrame(schema=BREAKDOWN_SCHEMA)
    scores = (
        pl.concat(scored)
        .with_columns((pl.col("cents") / 100).round(2).alias("score"))
        .with_columns(score_band(pl.col("score"), definitions).alias("band"))
        .with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in ("fit_score", "engagement_score"))
        .with_columns(pl.lit(None, dtype=pl.String).alias("matrix"))
        .select(*LABELLED, *SCORE_COLUMNS, "score_index")
        .collect()
    )
    breakdown = pl.concat(rows).select(*LABELLED, *BREAKDOWN_KEYS, "events", "points") if rows else pl.LazyFrame(schema=BREAKDOWN_SCHEMA)
    return scores, breakdown


def _distribution(scores: pl.DataFrame, definitions: list[ScoreDefinition], day: date) -> pl.LazyFrame:
    if not definitions:
        return pl.LazyFrame(schema=DISTRIBUTION_SCHEMA)
    return score_distribution(scores.lazy(), definitions).select(
        "score_id", pl.lit(day).alias("as_of"), "bucket_low", "bucket_high", "band", "records"
    )


def _engagement_bucket(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date | datetime) -> BucketScores:
    """`bucket_scores` of engagement definitions, as plans sharing one scan of the events."""
    instant = as_of_instant(as_of)
    day = instant.date()
    units = rule_units(definitions)
    event_columns = set(inputs.events.collect_schema().names())
    warnings = [
        f"{d.id}: events have no property {prop!r}; it is unknown on every event"
        for d in definitions
        for prop in missing_properties(d.filters, event_columns)
    ]
    records, members, member_warnings = score_members(definitions, inputs)
    resets = latest_resets(inputs.score_resets, definitions, instant)
    wide = unit_sums(inputs.events, definitions, units, members, resets, instant)
    member_ranges, record_ranges = score_ranges(members, len(definitions)), score_ranges(records, len(definitions))
    scored: list[pl.LazyFrame] = []
    rows: list[pl.LazyFrame] = []
    partials: dict[int, pl.DataFrame] = {}
    for index, definition in enumerate(definitions):
        points, kinds = member_points(wide[index].lazy(), units.filter(pl.col("score_index") == index), 100 * definition.score_limit)
        (first_member, _), (first_record, _) = member_ranges[index], record_ranges[index]
        if definition.object == "company":
            of_members = points.with_columns(row_values(members, "member", "record", "contact_id")).collect()
            local = of_members.with_columns(pl.col("record") - first_record)
            partials[index] = company_partials(local, kinds, definition.company_settings.aggregation)
            continue
        # A contact score's members are its records, in the same (key) order.
        own = points.with_columns((pl.col("member") - first_member + first_record).alias("record")).collect()
        labels = [*_labels(definition, records, day), pl.lit(index, dtype=pl.Int32).alias("score_index")]
        scored.append(own.lazy().select("record", "cents").with_columns(labels))
        rows.extend(frame.with_columns(labels[:-1]) for frame in breakdown_rows(own, kinds))
    scores, breakdown = _finished(definitions, scored, rows, day)
    return BucketScores(scores.lazy(), breakdown, _distribution(scores, definitions, day), partials, warnings + member_warnings)


def _company_kinds(definitions: list[ScoreDefinition]) -> dict[int, tuple[list[RowKind], str]]:
    """Per company definition among the engagement `definitions` (by index): its breakdown row kinds
    and its aggregation."""
    units = rule_units(definitions)
    # Row kinds follow from the units alone: the plan over an empty frame is never run.
    return {
        index: (
            member_points(pl.LazyFrame(), units.filter(pl.col("score_index") == index), 100 * d.score_limit)[1],
            d.company_settings.aggregation,
        )
        for index, d in enumerate(definitions)
        if d.object == "company"
    }


def folded_partials(definitions: list[ScoreDefinition], partials: list[dict[int, pl.DataFrame]]) -> dict[int, pl.DataFrame]:
    """The `company_partials` of several contact buckets (`BucketScores.company_partials`) as those of
    one bucket holding all their contacts: a run folds each bucket's in as it comes, so it never holds
    every bucket's at once."""
    return _folded(split_types(expanded(definitions))[0], partials)


def _folded(engagement: list[ScoreDefinition], partials: list[dict[int, pl.DataFrame]]) -> dict[int, pl.DataFrame]:
    """`folded_partials` of the engagement definitions `engagement`, numbered as they are."""
    folded: dict[int, pl.DataFrame] = {}
    for index, (kinds, aggregation) in _company_kinds(engagement).items():
        given = [p[index] for p in partials if index in p]
        if given:
            folded[index] = given[0] if len(given) == 1 else company_partials(pl.concat(given), kinds, aggregation)
    return folded


def sliced_partials(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, partials: dict[int, pl.DataFrame], slices: int
) -> Iterator[tuple[ScoreInputs, dict[int, pl.DataFrame]]]:
    """Per company slice of `slices`, in order: `inputs` with only its companies, and the folded
    `partials` (numbered by the records of the whole `inputs`) of those companies, numbered by the
    slice's records: `company_scores` of both is that slice's part."""
    engagement = split_types(expanded(definitions))[0]
    # Records are sorted by key, so a slice's records are the whole's in the same order: numbered
    # within their slice once, for every slice.
    numbers = {
        index: scoped_records(engagement[index], inputs)
        .select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("record"),
            contact_bucket(pl.col("portal_id"), pl.col("record_id"), slices).alias("slice"),
        )
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).over("slice").alias("slice_record"))
        .collect()
        for index in partials
    }
    for number in range(slices):
        renumbered = {
            index: partial.join(numbers[index].filter(pl.col("slice") == number), on="record")
            .with_columns(pl.col("slice_record").cast(partial.schema["record"]).alias("record"))
            .select(partial.columns)
            for index, partial in partials.items()
        }
        yield inputs.of_company_slice(number, slices), renumbered


def _engagement_companies(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, partials: list[dict[int, pl.DataFrame]], day: date
) -> tuple[list[pl.LazyFrame], list[pl.LazyFrame]]:
    """Per company definition among the engagement `definitions`: its labelled scores (`cents`) and
    breakdown rows, from the `company_partials` of every contact bucket."""
    scored: list[pl.LazyFrame] = []
    rows: list[pl.LazyFrame] = []
    combined = _folded(definitions, partials)
    for index, (kinds, aggregation) in _company_kinds(definitions).items():
        definition = definitions[index]
        records = scoped_records(definition, inputs).with_row_index("record").with_columns(pl.col("record").cast(pl.Int64)).collect()
        score, score_rows = company_points(combined[index], kinds, aggregation, 0, records.height, 100 * definition.score_limit)
        labels = _labels(definition, records, day)
        scored.append(score.select("record", "cents").with_columns(*labels, pl.lit(index, dtype=pl.Int32).alias("score_index")))
        rows.extend(frame.with_columns(labels) for frame in score_rows)
    return scored, rows


def _fit(definitions: list[ScoreDefinition], inputs: ScoreInputs, day: date) -> tuple[list[pl.LazyFrame], list[pl.LazyFrame], list[str]]:
    """Per fit definition: its labelled scores (`cents`), breakdown rows and warnings."""
    scored: list[pl.LazyFrame] = []
    rows: list[pl.LazyFrame] = []
    warnings: list[str] = []
    for index, definition in enumerate(definitions):
        records = fit_records(definition, inputs).collect()
        warnings += fit_warnings(definition, set(records.columns))
        points, kinds = fit_points(definition, records.lazy())
        own = points.collect()
        labels = _labels(definition, records, day)
        scored.append(own.lazy().select("record", "cents").with_columns(*labels, pl.lit(index, dtype=pl.Int32).alias("score_index")))
        rows.extend(frame.with_columns(labels) for frame in breakdown_rows(own, kinds))
    return scored, rows, warnings


def split_types(definitions: list[ScoreDefinition]) -> tuple[list[ScoreDefinition], list[ScoreDefinition]]:
    """(engagement, fit) definitions, each in the order given: each kind runs through its own engine."""
    return [d for d in definitions if d.type == "engagement"], [d for d in definitions if d.type == "fit"]


def _indexed(scores: pl.DataFrame, definitions: list[ScoreDefinition]) -> pl.DataFrame:
    """`scores` of `definitions` numbered by position there (`score_index`)."""
    positions = {d.id: i for i, d in enumerate(definitions)}
    return scores.with_columns(pl.col("score_id").replace_strict(positions, return_dtype=pl.Int32).alias("score_index"))


def _of_object(definitions: list[ScoreDefinition], obj: str) -> list[ScoreDefinition]:
    return [d for d in definitions if d.object == obj]


def bucket_scores(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date | datetime) -> BucketScores:
    """The part of `definitions`' scores at `as_of` that `inputs` (one contact bucket's contacts,
    associations and events, the other tables whole) settle on their own: the contact records of
    every kind of definition, and the company partials of the engagement ones (combined scores
    counted by their parts, keyed by position among the engagement definitions). `score_index`
    numbers the contact definitions among `definitions`."""
    if not definitions:
        raise ValueError("bucket_scores needs at least one definition")
    day = as_of_instant(as_of).date()
    engagement, fit = split_types(expanded(definitions))
    parts = [_engagement_bucket(engagement, inputs, as_of)] if engagement else []
    contact_fit = _of_object(fit, "contact")
    scored, rows, warnings = _fit(contact_fit, inputs, day)
    fitted, breakdown = _finished(contact_fit, scored, rows, day)
    every = pl.concat([*[part.scores.collect() for part in parts], fitted]).drop("score_index")
    final = combined_scores(every, definitions)
    contacts = _of_object(definitions, "contact")
    final = _indexed(final, contacts)
    return BucketScores(
        final.lazy(),
        combined_breakdown(pl.concat([*[part.breakdown for part in parts], breakdown]), final, definitions),
        _distribution(final, contacts, day),
        parts[0].company_partials if parts else {},
        [*[w for part in parts for w in part.warnings], *warnings],
    )


def company_scores(
    definitions: list[ScoreDefinition], inputs: ScoreInputs, partials: list[dict[int, pl.DataFrame]], as_of: date | datetime
) -> ScoreResult:
    """Scores, breakdown and distribution of the company definitions among `definitions`: engagement
    ones from the `company_partials` of every contact bucket, fit ones from the companies, combined
    ones from their parts; `inputs` give the companies and lists in scope."""
    day = as_of_instant(as_of).date()
    engagement, fit = split_types(expanded(definitions))
    company_fit = _of_object(fit, "company")
    scored, rows, warnings = _fit(company_fit, inputs, day)
    own_scored, own_rows = _engagement_companies(engagement, inputs, partials, day)
    frames = [_finished(kind, s, r, day) for kind, s, r in ((engagement, own_scored, own_rows), (company_fit, scored, rows))]
    every = pl.concat([scores for scores, _ in frames]).drop("score_index")
    companies = _of_object(definitions, "company")
    final = _indexed(combined_scores(every, definitions), companies)
    breakdown = combined_breakdown(pl.concat([b for _, b in frames]), final, definitions)
    return ScoreResult(final.lazy().select(*LABELLED, *SCORE_COLUMNS), breakdown, _distribution(final, companies, day), warnings)


def merged_distribution(parts: list[pl.LazyFrame]) -> pl.LazyFrame:
    """The distribution of records counted in `parts` (each a distribution over its own records), by
    definition id, its bucket rows before its band rows."""
    return (
        pl.concat(parts)
        .group_by("score_id", "as_of", "bucket_low", "bucket_high", "band")
        .agg(pl.col("records").sum())
        .sort("score_id", pl.col("band").is_not_null(), "bucket_low")
    )


def evaluate_scores(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date | datetime) -> ScoreResult:
    """Scores, breakdown and distribution of every definition at `as_of`: contact records first, then
    company records, each definition's rows in key order."""
    bucket = bucket_scores(definitions, inputs, as_of)
    companies = company_scores(definitions, inputs, [bucket.company_partials], as_of)
    # Breakdown rows come per definition and row kind, each kind in record order: the rows of one
    # record, in table order, read rule by rule, group by group (a sort of 9M rows would cost ~1 s).
    return ScoreResult(
        scores=pl.concat([bucket.scores.select(*LABELLED, *SCORE_COLUMNS), companies.scores]),
        breakdown=pl.concat([bucket.breakdown, companies.breakdown]),
        distribution=merged_distribution([bucket.distribution, companies.distribution]),
        warnings=bucket.warnings + companies.warnings,
    )
