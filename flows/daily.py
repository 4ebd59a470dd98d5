"""The Prefect flows: the daily run and the backfill over a range of days."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger
from prefect.runtime import flow_run as prefect_flow_run

from flows.cluster import task_runner
from flows.compute import compute_day, compute_history, day_history, load_settings
from flows.doctor import check_files, relied_on
from flows.ingest import TableManifest, ingest_snapshot
from flows.io.lake import lake_buckets, lake_table
from flows.io.paths import DEFAULT_CONFIG, DEFAULT_WAREHOUSE, Paths
from flows.io.registry_store import update_registry
from flows.io.source_urls import is_source_url, redacted
from flows.io.sources import pull_postgres
from flows.io.storage import exclusive_lock, remove_leftovers
from flows.io.warehouse import append_run_log, day_table_schemas, ensure_catalog, publish_staged_day, write_manifest
from flows.snapshot_check import preflight
from transforms.common.calendar import days_between
from transforms.needs import PARTNER, day_needs, required_tables
from transforms.scores.definition import unmatched_events


def _run_log(
    run_id: str, flow_name: str, as_of: date, snapshot_date: date, manifests: list[TableManifest], written: dict[str, int], seconds: float
) -> pl.DataFrame:
    now = datetime.now(UTC)
    ingest = [
        {
            "step": "ingest",
            "table_name": m.table,
            "rows_read": m.rows_read,
            "rows_kept": m.rows_kept,
            "rows_quarantined": m.rows_quarantined,
            "rows_written": m.rows_kept,
            "seconds": m.seconds,
        }
        for m in manifests
    ]
    outputs = [{"step": "compute", "table_name": name, "rows_written": rows, "seconds": seconds} for name, rows in written.items()]
    counts = {
        "step": pl.String,
        "table_name": pl.String,
        "rows_read": pl.Int64,
        "rows_kept": pl.Int64,
        "rows_quarantined": pl.Int64,
        "rows_written": pl.Int64,
        "seconds": pl.Float64,
    }
    return pl.from_dicts(ingest + outputs, schema=counts).with_columns(
        run_id=pl.lit(run_id), flow=pl.lit(flow_name), as_of=pl.lit(as_of), snapshot_date=pl.lit(snapshot_date), finished_at=pl.lit(now)
    )


def _record(
    paths: Paths,
    flow_name: str,
    source: str,
    as_of: date,
    snapshot_date: date,
    manifests: list[TableManifest],
    written: dict[str, int],
    seconds: float,
) -> None:
    """Append a run's rows to the run log; with `manifests`, keep the ingested snapshot's manifest too."""
    run_id = f"{as_of.isoformat()}-{uuid.uuid4().hex[:8]}"
    append_run_log(paths, _run_log(run_id, flow_name, as_of, snapshot_date, manifests, written, seconds))
    if manifests:
        write_manifest(
            paths, run_id, {"snapshot": source, "snapshot_date": snapshot_date, "as_of": as_of, "tables": [asdict(m) for m in manifests]}
        )


def _snapshot_folder(snapshot: str, snapshot_date: date, paths: Paths, required: set[str]) -> Path:
    """The folder to ingest: `snapshot` itself, or a database source pulled into the warehouse's
    `snapshots/<source>-<date>/` first (its schema must hold the `required` tables)."""
    if not is_source_url(snapshot):
        return Path(snapshot)
    folder = paths.root / "snapshots" / f"postgres-{snapshot_date.isoformat()}"
    pull_postgres(snapshot, folder, sorted(required))
    return folder


@contextmanager
def _stage(seconds: dict[str, float], name: str) -> Iterator[None]:
    """Add the time spent inside to `seconds[name]` (ingest, compute, checks and publish, history)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started


def _run_days(
    flow_name: str,
    snapshot: str,
    days: list[date],
    snapshot_date: date,
    paths: Paths,
    config: Path,
    history_pass: bool = False,
    tables: bool = True,
) -> dict[str, object]:
    """Ingest once, then load `days` (unless not `tables`) and the score history: from the one-pass
    engine over [first day, last day] with `history_pass`, else from each day's scores."""
    logger = get_run_logger()
    settings = load_settings(config)
    stages: dict[str, float] = {}
    with exclusive_lock(paths.lock, f"warehouse {paths.warehouse}"):
        # Holding the lock, no other run is writing: what a killed run left can go.
        removed, size = remove_leftovers([paths.lake, paths.store, paths.root / "snapshots"], beside=paths.warehouse)
        if removed:
            logger.warning("removed %d leftover(s) of killed runs (%.1f MiB)", removed, size / 2**20)
        if damaged := check_files(paths, relied_on(paths, days[0])):
            raise RuntimeError(f"{damaged[0].line()}; `engage doctor` lists every damaged file")
        started = time.perf_counter()
        needs = day_needs(settings.active_definitions)
        required = required_tables(needs)
        with _stage(stages, "ingest"):
            folder = _snapshot_folder(snapshot, snapshot_date, paths, required)
            skipped = {need.computation for need in preflight(folder, needs, settings.mappings)}
            manifests = ingest_snapshot(folder, snapshot_date, paths, settings.mappings, required=required)
        source = redacted(snapshot)
        logger.info("ingested %d tables from %s in %.1fs", len(manifests), source, time.perf_counter() - started)
        buckets = lake_buckets(paths, snapshot_date)
        seen = lake_table(paths, "events", snapshot_date).select(pl.col("event_type").unique()).collect()
        for score_id, events in unmatched_events(settings.active_definitions, set(seen["event_type"].drop_nulls())).items():
            logger.warning("%s: no event of type %s in the snapshot; a misspelt type scores 0", score_id, ", ".join(events))
        written: dict[date, dict[str, int]] = {}
        score_ids = [d.id for d in settings.active_definitions]
        if history_pass and score_ids:
            history_started = time.perf_counter()
            with _stage(stages, "history"):
                changes = compute_history(paths, snapshot_date, settings, days[0], days[-1], buckets)
            logger.info("score history %s..%s stored: %d change rows", days[0], days[-1], changes)
            if not tables:
                seconds = round(time.perf_counter() - history_started, 3)
                _record(paths, flow_name, source, days[-1], snapshot_date, manifests, {"engagement_score_history": changes}, seconds)
        for i, as_of in enumerate(days if tables else [], start=1):
            day_started = time.perf_counter()
            staged, day = compute_day(paths, snapshot_date, settings, as_of, buckets, partner=PARTNER not in skipped)
            for stage, seconds in day.seconds.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
            with _stage(stages, "checks and publish"):
                publish_staged_day(paths, as_of, staged)
            written[as_of] = dict(day.rows)
            if not history_pass and score_ids:
                with _stage(stages, "history"):
                    written[as_of]["engagement_score_history"] = day_history(paths, as_of, score_ids, buckets)
            seconds = round(time.perf_counter() - day_started, 3)
            # The snapshot is ingested once per run: its manifest and counts go with the run's first day.
            _record(paths, flow_name, source, as_of, snapshot_date, manifests if i == 1 else [], written[as_of], seconds)
            logger.info(
                "day %s (%d/%d): %d rows in %d tables, %.1fs", as_of, i, len(days), sum(written[as_of].values()), len(day.rows), seconds
            )
        with _stage(stages, "checks and publish"):
            registry = update_registry(
                paths, list(settings.loaded), {d.id: days[-1] for d in settings.active_definitions}, seen_on=days[-1]
            )
            rebuilt = ensure_catalog(paths, day_table_schemas())
            # Imported here: matplotlib is a second and a half of every command's start.
            from flows.report.charts import tier_progress

            chart = tier_progress(paths, settings.program, paths.reports / "tier_progress.png")
        logger.info(
            "score definitions: %s", ", ".join(f"{r['score_id']} ({r['status']})" for r in registry.iter_rows(named=True)) or "none"
        )
        logger.info("warehouse %s ready (catalog %s)", paths.warehouse, "rebuilt" if rebuilt else "unchanged")
        logger.info("tier progress chart: %s", chart)
    logger.info("stage seconds: %s", ", ".join(f"{name} {seconds:.1f}" for name, seconds in stages.items()))
    return {
        "stage_seconds": {name: round(seconds, 3) for name, seconds in stages.items()},
        "warehouse": str(paths.warehouse),
        "snapshot_date": snapshot_date.isoformat(),
        "days": [d.isoformat() for d in days],
        "rows_written": {d.isoformat(): rows for d, rows in written.items()},
        "quarantined": {m.table: m.rows_quarantined for m in manifests if m.rows_quarantined},
    }


def dated(snapshot: str, placeholder: str, day: date) -> str:
    """`snapshot` with `{placeholder}` replaced by the ISO `day`: one folder per day's export."""
    return snapshot.replace("{" + placeholder + "}", day.isoformat())


def scheduled_day() -> date:
    """The day a scheduled run is for: its scheduled start date (UTC), or today when run by hand."""
    start = prefect_flow_run.scheduled_start_time
    return (start or datetime.now(UTC)).astimezone(UTC).date()


@flow(name="engage-daily", task_runner=task_runner())
def daily_flow(
    snapshot: str, as_of: date | None = None, warehouse: str = str(DEFAULT_WAREHOUSE), config: str = str(DEFAULT_CONFIG)
) -> dict[str, object]:
    """Ingest the snapshot of `as_of`, compute every output for that day and load it into the warehouse.

    `snapshot` may hold `{as_of}`, replaced by the ISO day, so a schedule can name each day's folder."""
    day = as_of or scheduled_day()
    return _run_days("daily", dated(snapshot, "as_of", day), [day], day, Paths.of(warehouse), Path(config))


@flow(name="engage-backfill", task_runner=task_runner())
def backfill_flow(
    snapshot: str,
    date_from: date,
    date_to: date,
    warehouse: str = str(DEFAULT_WAREHOUSE),
    config: str = str(DEFAULT_CONFIG),
    every: int = 1,
    history_only: bool = False,
) -> dict[str, object]:
    """Ingest the snapshot once (dated `date_to`), store the score history of every day of
    [date_from, date_to] in one pass, and load every `every`-th day's tables (the last day always
    included), each as it stood that day; `history_only` skips the day tables. `snapshot` may hold
    `{date_to}`, replaced by the ISO day: the folder of the range's last day."""
    if date_from > date_to:
        raise ValueError(f"backfill range is empty: {date_from} > {date_to}")
    if every < 1:
        raise ValueError(f"every must be 1 or more days, not {every}")
    days = sorted({*days_between(date_from, date_to)[::every], date_to})
    return _run_days(
        "backfill",
        dated(snapshot, "date_to", date_to),
        days,
        date_to,
        Paths.of(warehouse),
        Path(config),
        history_pass=True,
        tables=not history_only,
    )
