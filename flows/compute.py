"""The computations of one day: lake tables in, output tables out (each transform is pure)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.io.config_files import load_catalog, load_definition_files, load_mappings, load_program
from flows.io.lake import lake_table
from flows.io.logs import run_logger
from flows.io.paths import Paths
from transforms.common.fx import require_rates
from transforms.dashboard.catalog import IndexCatalog
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.dashboard.opportunities import client_opportunities, opportunity_counts
from transforms.dashboard.overview import clients_overview
from transforms.dashboard.platform_index import engagement_index, index_breakdown, tools_in_use, uncatalogued_tools
from transforms.dashboard.renewals import client_alerts, upcoming_renewals
from transforms.outputs import OUTPUT_SCHEMAS, polars_schema
from transforms.points.points import deal_points, managed_points, partner_tier, points_by_client
from transforms.points.program import Program
from transforms.scores.definition import ScoreDefinition
from transforms.scores.evaluate import evaluate_scores
from transforms.scores.history import score_history
from transforms.scores.members import ScoreInputs
from transforms.scores.registry import Loaded
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
    """The validated snapshot tables, as lazy scans of the lake."""

    tables: dict[str, pl.LazyFrame]

    @classmethod
    def from_lake(cls, paths: Paths, snapshot_date: date) -> DayInputs:
        return cls({name: lake_table(paths, name, snapshot_date) for name in INGEST_ORDER})

    def in_memory(self, keep_lazy: tuple[str, ...] = ("events",)) -> DayInputs:
        """The same tables with all but `keep_lazy` read once into memory, for runs over many days."""
        return DayInputs({name: frame if name in keep_lazy else frame.collect().lazy() for name, frame in self.tables.items()})

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
    """The three engagement score tables of `definitions` at `as_of`, collected together."""
    if not definitions:
        return {}
    result = evaluate_scores(definitions, inputs, as_of)
    for warning in result.warnings:
        run_logger().warning(warning)
    scores, breakdown, distribution = pl.collect_all([result.scores, result.breakdown, result.distribution])
    return {
        "engagement_scores": scores,
        "engagement_score_breakdown": breakdown,
        "engagement_score_distribution": distribution.sort("score_id", pl.col("band").is_not_null(), "bucket_low"),
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


@task(name="compute-day", cache_policy=NO_CACHE)
def compute_day(inputs: DayInputs, settings: Settings, as_of: date) -> dict[str, pl.DataFrame]:
    """Return every output table of the day `as_of`."""
    started = time.perf_counter()
    outputs = score_tables(settings.active_definitions, inputs.score_inputs(), as_of)
    outputs |= partner_tables(inputs, settings.catalog, settings.program, as_of)
    run_logger().info(
        "computed %s for %s in %.1fs",
        ", ".join(f"{k} {v.height}" for k, v in outputs.items()) or "nothing",
        as_of,
        time.perf_counter() - started,
    )
    return outputs


@task(name="compute-score-history", cache_policy=NO_CACHE)
def compute_history(inputs: DayInputs, settings: Settings, start: date, end: date) -> pl.DataFrame:
    """Return the history intervals of every active definition over [start, end], in one pass."""
    started = time.perf_counter()
    intervals = score_history(settings.active_definitions, inputs.score_inputs(), start, end).collect()
    run_logger().info("score history %s..%s: %d intervals in %.1fs", start, end, intervals.height, time.perf_counter() - started)
    return intervals


def day_table_schemas() -> dict[str, pl.Schema]:
    """The column types of every table a day holds."""
    return {name: polars_schema(name) for name in OUTPUT_SCHEMAS}
