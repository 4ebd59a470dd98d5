"""The computations of one day: lake tables in, output tables out (each transform is pure)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.cluster import Parcel, each_result
from flows.io.config_files import load_catalog, load_definition_files, load_mappings, load_program
from flows.io.history_store import open_history, publish_history, read_company_parts, store_part, write_company_parts
from flows.io.lake import lake_table
from flows.io.logs import run_logger
from flows.io.paths import Paths, bucket_part, company_part, company_slices, score_parts
from flows.io.storage import staging_dir
from flows.io.warehouse import day_table, stage_day, write_day_part
from flows.progress import StepProgress
from transforms.common.calendar import days_between
from transforms.common.fx import require_rates
from transforms.dashboard.catalog import IndexCatalog
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.dashboard.opportunities import client_opportunities, opportunity_counts
from transforms.dashboard.overview import clients_overview
from transforms.dashboard.platform_index import engagement_index, index_breakdown, tools_in_use, uncatalogued_tools
from transforms.dashboard.renewals import client_alerts, upcoming_renewals
from transforms.outputs import OUTPUT_SCHEMAS, validate_output
from transforms.points.points import deal_points, managed_points, partner_tier, points_by_client
from transforms.points.program import Program
from transforms.scores.definition import ScoreDefinition
from transforms.scores.evaluate import (
    bucket_scores,
    company_scores,
    evaluate_scores,
    folded_partials,
    merged_distribution,
    sliced_partials,
)
from transforms.scores.history import bucket_history, company_history
from transforms.scores.history_changes import day_intervals
from transforms.scores.members import ScoreInputs
from transforms.scores.registry import Loaded
from transforms.scores.rules import score_rules
from transforms.snapshot.contract import INGEST_ORDER
from transforms.snapshot.mappings import ColumnMappings


@dataclass(frozen=True)
class Settings:
    """Everything read from the config folder, validated."""

    config_dir: Path
    loaded: tuple[Loaded, ...]
    catalog: IndexCatalog
    program: Program
    mappings: ColumnMappings | None = None

    @property
    def definitions(self) -> list[ScoreDefinition]:
        return [item.definition for item in self.loaded]

    @property
    def active_definitions(self) -> list[ScoreDefinition]:
        """Definitions a scheduled run computes: inactive ones keep their stored values, drafts are preview only."""
        return [d for d in self.definitions if d.status == "active"]


@dataclass(frozen=True)
class DayInputs:
    """The validated snapshot tables, as lazy scans of the lake (the snapshot date's, or one bucket's)."""

    tables: dict[str, pl.LazyFrame]

    @classmethod
    def from_lake(cls, paths: Paths, snapshot_date: date, bucket: int | None = None) -> DayInputs:
        """The tables of `snapshot_date`; with `bucket`, the contact-keyed ones of that bucket alone."""
        return cls({name: lake_table(paths, name, snapshot_date, bucket) for name in INGEST_ORDER})

    def __getitem__(self, name: str) -> pl.LazyFrame:
        return self.tables[name]

    def score_inputs(self) -> ScoreInputs:
        return ScoreInputs(
            events=self["events"],
            contacts=self["contacts"],
            companies=self["companies"],
            associations=self["associations"],
            list_memberships=self["list_memberships"],
            score_resets=self["score_resets"],
        )


def load_settings(config_dir: Path) -> Settings:
    """Read and validate the config folder."""
    if not config_dir.is_dir():
        raise FileNotFoundError(f"config folder not found: {config_dir}")
    return Settings(
        config_dir,
        tuple(load_definition_files(config_dir / "scores")),
        load_catalog(config_dir / "index_catalog.yaml"),
        load_program(config_dir / "partner_program.yaml"),
        load_mappings(config_dir / "column_mappings.yaml"),
    )


def score_tables(definitions: list[ScoreDefinition], inputs: ScoreInputs, as_of: date) -> dict[str, pl.DataFrame]:
    """The engagement score tables of `definitions` at `as_of` (scores, breakdown, distribution and
    the rules the breakdown names), collected together."""
    if not definitions:
        return {}
    result = evaluate_scores(definitions, inputs, as_of)
    for warning in result.warnings:
        run_logger().warning(warning)
    scores, breakdown, distribution = pl.collect_all([result.scores, result.breakdown, result.distribution])
    return {
        "engagement_scores": scores,
        "engagement_score_breakdown": breakdown,
        "engagement_score_distribution": distribution,
        "engagement_score_rules": score_rules(definitions, as_of),
    }


# Frames that convert to USD: the date their rate is taken on, and the helper columns dropped after the check.
RATE_CHECKS = {
    "upcoming_renewals": ("as_of", ["usd_per_unit"]),
    "clients_overview": ("as_of", ["usd_per_unit"]),
    "partner_points_history": ("closed_on", ["currency", "usd_per_unit"]),
    "managed": ("fx_date", []),
}


def partner_tables(inputs: DayInputs, catalog: IndexCatalog, program: Program, as_of: date) -> dict[str, pl.DataFrame]:
    """The partner dashboard tables at `as_of`: platform index, opportunities, renewals, alerts, clients,
    points and tier."""
    clients = associated_clients(inputs["clients"], as_of)
    active = active_subscriptions(inputs["subscriptions"], as_of)
    in_use = tools_in_use(inputs["tool_usage"], clients, catalog, as_of)
    breakdown = index_breakdown(in_use, clients, catalog, as_of)
    index = engagement_index(breakdown)
    opportunities = client_opportunities(clients, active, breakdown, catalog, as_of)
    renewals = upcoming_renewals(inputs["contract_changes"], clients, active, inputs["fx_rates"], as_of)
    history = deal_points(inputs["deals"], clients, inputs["markets"], inputs["fx_rates"], program, as_of)
    managed = managed_points(clients, active, inputs["markets"], inputs["fx_rates"], program, as_of)
    by_client = points_by_client(clients, inputs["markets"], history, managed, as_of)
    plans = {
        "platform_engagement_index": index,
        "platform_engagement_breakdown": breakdown,
        "platform_uncatalogued_tools": uncatalogued_tools(in_use, catalog, as_of),
        "client_opportunities": opportunities,
        "client_base_opportunities": opportunity_counts(opportunities, index),
        "upcoming_renewals": renewals,
        "client_alerts": client_alerts(renewals, as_of),
        "clients_overview": clients_overview(clients, active, index, renewals, inputs["fx_rates"], as_of),
        "partner_points_history": history,
        "partner_points_by_client": by_client,
        "partner_tier": partner_tier(by_client, history, index, program, as_of),
    }
    frames = dict(zip([*plans, "managed"], pl.collect_all([*plans.values(), managed]), strict=True))
    # Every amount converted to USD needs a rate: a missing one stops the day, naming currency and date.
    for name, (on, _) in RATE_CHECKS.items():
        require_rates(frames[name], "currency", on)
    # Sorted by key (small tables): a rerun writes the same rows in the same order.
    return {name: frames[name].drop(RATE_CHECKS.get(name, (None, []))[1]).sort(OUTPUT_SCHEMAS[name].unique) for name in plans}


@dataclass
class DayPart:
    """What one task of a day added to its staged folder: rows written per table, seconds spent per
    stage, and what the merge of the score tables needs from a contact bucket."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    company_partials: dict[int, pl.DataFrame] = field(default_factory=dict)
    distribution: pl.DataFrame | None = None

    def add(self, other: DayPart) -> None:
        """Count `other`'s rows and seconds in this part's."""
        for name, rows in other.rows.items():
            self.rows[name] = self.rows.get(name, 0) + rows
        for stage, seconds in other.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def timed(self, stage: str, started: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def write(self, staged: Path, part: str, frames: dict[str, pl.DataFrame]) -> None:
        """Check each of `frames` against its table's Pandera schema and write it as one part of the day."""
        started = time.perf_counter()
        for name, frame in frames.items():
            write_day_part(staged, name, part, validate_output(name, frame))
            self.rows[name] = self.rows.get(name, 0) + frame.height
        self.timed("checks and publish", started)


@task(name="score-bucket", cache_policy=NO_CACHE)
def score_bucket(paths: Paths, snapshot_date: date, settings: Settings, as_of: date, bucket: int, staged: Path) -> Parcel[DayPart]:
    """Score the contacts of one bucket at `as_of` and write their scores and breakdown rows to the
    staged day; return the bucket's company partials and distribution counts for the merge."""
    started = time.perf_counter()
    definitions = settings.active_definitions
    result = bucket_scores(definitions, DayInputs.from_lake(paths, snapshot_date, bucket).score_inputs(), as_of)
    if bucket == 0:
        # The same warnings come from every bucket: said once.
        for warning in result.warnings:
            run_logger().warning(warning)
    scores, breakdown, distribution = pl.collect_all([result.scores.drop("score_index"), result.breakdown, result.distribution])
    part = DayPart(company_partials=result.company_partials, distribution=distribution)
    part.timed("compute", started)
    part.write(staged, bucket_part(bucket), {"engagement_scores": scores, "engagement_score_breakdown": breakdown})
    return Parcel(part)


@task(name="merge-scores", cache_policy=NO_CACHE)
def merge_scores(
    paths: Paths,
    snapshot_date: date,
    settings: Settings,
    as_of: date,
    partials: dict[int, pl.DataFrame],
    buckets: list[DayPart],
    staged: Path,
) -> DayPart:
    """Write the company scores of the day a company slice at a time (one part each) from every
    bucket's company partials (folded into one set), and the distribution from every bucket's and
    slice's counts."""
    definitions = settings.active_definitions
    inputs = DayInputs.from_lake(paths, snapshot_date).score_inputs()
    counted = [b.distribution.lazy() for b in buckets if b.distribution is not None]
    part = DayPart()
    slices = company_slices(len(buckets))
    started = time.perf_counter()
    # One slice's companies at a time: the merge holds their rows, not every company's.
    for number, (sliced, mine) in enumerate(sliced_partials(definitions, inputs, partials, slices)):
        companies = company_scores(definitions, sliced, [mine], as_of)
        scores, breakdown, distribution = pl.collect_all([companies.scores, companies.breakdown, companies.distribution])
        counted.append(distribution.lazy())
        part.timed("compute", started)
        part.write(staged, company_part(number, slices), {"engagement_scores": scores, "engagement_score_breakdown": breakdown})
        started = time.perf_counter()
    distribution = merged_distribution(counted).collect()
    part.timed("compute", started)
    part.write(staged, "all", {"engagement_score_distribution": distribution, "engagement_score_rules": score_rules(definitions, as_of)})
    return part


@task(name="partner-tables", cache_policy=NO_CACHE)
def partner_day(paths: Paths, snapshot_date: date, settings: Settings, as_of: date, staged: Path) -> DayPart:
    """Write the partner dashboard tables of the day."""
    started = time.perf_counter()
    tables = partner_tables(DayInputs.from_lake(paths, snapshot_date), settings.catalog, settings.program, as_of)
    part = DayPart()
    part.timed("compute", started)
    part.write(staged, "all", tables)
    return part


def compute_day(
    paths: Paths, snapshot_date: date, settings: Settings, as_of: date, buckets: int, partner: bool = True
) -> tuple[Path, DayPart]:
    """Compute every output table of the day `as_of` into a staged day folder, one part per contact
    bucket for the score tables, the partner tables unless not `partner` (a snapshot without them);
    return the folder and what was written (not yet published)."""
    started = time.perf_counter()
    staged = stage_day(paths, as_of)
    parts = []
    if settings.active_definitions:
        # On a Dask cluster the buckets run side by side; in one process, one after the other.
        futures = [score_bucket.submit(paths, snapshot_date, settings, as_of, bucket, staged) for bucket in range(buckets)]
        scored: list[DayPart] = []
        partials: dict[int, pl.DataFrame] = {}
        with StepProgress(f"scores {as_of}", buckets, "buckets") as progress:
            for part in each_result(futures):
                # Folded in as each bucket comes: memory holds one set of company partials, not every bucket's.
                partials = folded_partials(settings.active_definitions, [partials, part.company_partials])
                part.company_partials = {}
                scored.append(part)
                progress.update(len(scored), sum(part.rows["engagement_scores"] for part in scored))
        parts = [*scored, merge_scores(paths, snapshot_date, settings, as_of, partials, scored, staged)]
    if partner:
        parts.append(partner_day(paths, snapshot_date, settings, as_of, staged))
    total = DayPart()
    for part in parts:
        total.add(part)
    run_logger().info(
        "computed %s for %s in %.1fs (%d bucket(s))",
        ", ".join(f"{k} {v}" for k, v in total.rows.items()),
        as_of,
        time.perf_counter() - started,
        buckets,
    )
    return staged, total


@task(name="history-bucket", cache_policy=NO_CACHE)
def history_bucket(
    paths: Paths, snapshot_date: date, settings: Settings, start: date, end: date, bucket: int, staged: Path, scratch: Path, slices: int
) -> int:
    """Store the history over [start, end] of one contact bucket's contacts in the staged history and
    write the bucket's parts of the company history (by company slice of `slices`) into `scratch`;
    return the change rows written."""
    definitions = settings.active_definitions
    contacts, company = bucket_history(definitions, DayInputs.from_lake(paths, snapshot_date, bucket).score_inputs(), start, end)
    if company is not None:
        write_company_parts(scratch, bucket, company, slices)
    return store_part(paths, staged, bucket_part(bucket), contacts.collect(), [d.id for d in definitions], start, end)


@task(name="history-companies", cache_policy=NO_CACHE)
def history_companies(
    paths: Paths, snapshot_date: date, settings: Settings, start: date, end: date, scratch: Path, staged: Path, number: int, slices: int
) -> int:
    """Store the history over [start, end] of the companies in slice `number` of `slices`, from every
    bucket's parts in `scratch`; return the change rows written."""
    definitions = settings.active_definitions
    inputs = DayInputs.from_lake(paths, snapshot_date).score_inputs().of_company_slice(number, slices)
    intervals = company_history(definitions, inputs, read_company_parts(scratch, number), start, end).collect()
    return store_part(paths, staged, company_part(number, slices), intervals, [d.id for d in definitions], start, end)


def compute_history(paths: Paths, snapshot_date: date, settings: Settings, start: date, end: date, buckets: int) -> int:
    """Compute and store the history of every active definition over [start, end], bucket by bucket
    and then the companies a slice at a time, published as one version; return the change rows written."""
    started = time.perf_counter()
    staged = open_history(paths, buckets)
    # Beside the versions, on the storage every worker reaches; never published.
    scratch = staging_dir(paths.history)
    slices = company_slices(buckets)
    futures = [history_bucket.submit(paths, snapshot_date, settings, start, end, b, staged, scratch, slices) for b in range(buckets)]
    changes = 0
    with StepProgress(f"score history {start}..{end}", buckets, "buckets") as progress:
        for done, future in enumerate(futures, 1):
            changes += future.result()
            progress.update(done, changes)
    for number in range(slices):
        changes += history_companies(paths, snapshot_date, settings, start, end, scratch, staged, number, slices)
    shutil.rmtree(scratch)
    publish_history(paths, staged, days_between(start, end))
    run_logger().info("score history %s..%s: %d change rows in %.1fs", start, end, changes, time.perf_counter() - started)
    return changes


@task(name="day-history", cache_policy=NO_CACHE)
def day_history(paths: Paths, as_of: date, score_ids: list[str], buckets: int) -> int:
    """Store the published scores of the day `as_of` as that day's history, part by part; return the
    change rows written."""
    staged = open_history(paths, buckets)
    changes = 0
    for part in score_parts(buckets):
        intervals = day_intervals(day_table(paths, as_of, "engagement_scores", part)).collect()
        changes += store_part(paths, staged, part, intervals, score_ids, as_of, as_of)
    publish_history(paths, staged, [as_of])
    return changes
