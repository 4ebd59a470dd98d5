"""The `engage` command line."""

from __future__ import annotations

import logging
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn, cast

import typer

from flows.io.paths import DEFAULT_CONFIG, DEFAULT_WAREHOUSE, DEMO_SNAPSHOT, SQL_DIR, Paths

if TYPE_CHECKING:
    import polars as pl

# Plain click output (no boxes): errors are one `Error:` line under the usage, help text wraps at
# word boundaries. Shell completion: `engage --install-completion`.
app = typer.Typer(
    add_completion=True,
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Engagement scores, platform index, partner points and renewals, in batch.",
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"engage {version('engage')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")] = False,
) -> None:
    """Engagement scores, platform index, partner points and renewals, in batch."""


JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON (for scripts)")]


def _print_json(value: object) -> None:
    import json

    typer.echo(json.dumps(value, indent=2, default=str))


def _records(relation) -> list[dict]:
    """The rows of a DuckDB relation as records (plain Python: quick commands load no dataframe library)."""
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _print_rows(records: list[dict], json_output: bool, empty: str) -> None:
    """Records as a table for people (a header, no type rows, whole text, numbers right-aligned) or as JSON."""
    if json_output:
        _print_json(records)
        return
    if not records:
        typer.echo(empty)
        return
    columns = list(records[0])
    cells = [["" if r[c] is None else f"{r[c]:,.3f}" if isinstance(r[c], float) else str(r[c]) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[c], int | float) or r[c] is None for r in records) for c in columns]
    line = lambda values: "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))  # noqa: E731
    typer.echo("\n".join([line(columns), line(["-" * w for w in widths]), *(line(row) for row in cells)]))


# A rate older than this (days before the quote's day) is used with a warning.
STALE_RATE_DAYS = 7
# A definition's status in the registry: its file's, or deleted.
REGISTRY_STATUSES = ("active", "inactive", "draft", "deleted")
DEMO_AS_OF = date(2026, 6, 30)
DEMO_CONTACTS = 5_000
DEMO_SEED = 42


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date (YYYY-MM-DD)", param_hint=option) from None


def _fail(exc: BaseException) -> NoReturn:
    from flows.io.errors import failure_line

    typer.secho(failure_line(exc), fg="red", err=True)
    raise typer.Exit(1)


def _analyst_connection(warehouse: Path):
    """A read-only connection to an existing warehouse (never blocks a load), relinked first when
    it was copied or moved."""
    from flows.io.analyst import connect_read_only

    paths = Paths.of(warehouse)
    if not paths.warehouse.exists():
        _fail(FileNotFoundError(f"no warehouse at {paths.warehouse}: run the daily flow first"))
    _relink(paths)
    return connect_read_only(paths)


def _relink(paths: Paths) -> bool:
    """Relink the catalog of a copied or moved warehouse to its own files; say so when it did."""
    from flows.io.analyst import built_for

    built = built_for(paths)
    if built == paths.warehouse:
        return False
    from flows.io.storage import exclusive_lock
    from flows.io.warehouse import relink

    with exclusive_lock(paths.lock, f"warehouse {paths.warehouse}"):
        relink(paths)
    typer.secho(f"relinked {paths.warehouse} to its own files (its catalog was built for {built or 'an older engage'})", err=True)
    return True


@app.command("relink")
def relink_command(
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file, after a copy or a move")] = DEFAULT_WAREHOUSE,
) -> None:
    """Point a copied or moved warehouse's views at its own files (every engage command does this on
    its own; analysts' tools need it once)."""
    paths = Paths.of(warehouse)
    if not paths.warehouse.exists():
        _fail(FileNotFoundError(f"no warehouse at {paths.warehouse}"))
    if not _relink(paths):
        typer.echo(f"{paths.warehouse} already reads its own files")


def _wide_tables() -> pl.Config:
    """Print whole tables: every row and column, text not cut."""
    import polars as pl

    return pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=1000, fmt_str_lengths=200, tbl_hide_dataframe_shape=True)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="folder to write the snapshot to")],
    contacts: Annotated[int, typer.Option(min=1, help="number of contacts")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed; same seed, same snapshot")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="snapshot date (default 2026-06-30)")] = None,
    bad_rows: Annotated[bool, typer.Option("--bad-rows", help="plant known-bad rows of every kind")] = False,
    events_per_contact: Annotated[float, typer.Option(help="mean events per contact")] = 20.0,
) -> None:
    """Write a synthetic snapshot of every contract table."""
    from flows.dev.generate import generate_snapshot

    _setup_logging()
    day = _date(as_of, "--as-of") if as_of else DEMO_AS_OF
    try:
        rows = generate_snapshot(out, contacts, seed, day, bad_rows, events_per_contact)
    except (FileExistsError, OSError) as exc:
        _fail(exc)
    typer.echo(f"snapshot {out} dated {day}: " + ", ".join(f"{t} {n}" for t, n in rows.items()))


SNAPSHOT_HELP = "snapshot folder, or a PostgreSQL source: postgresql://user@host/db?schema=crm"


def _source(snapshot: str) -> str:
    """The snapshot argument as the flow gets it: a source URL's password moved to PGPASSWORD (the
    flow runs in this process), since Prefect stores a flow run's parameters."""
    import os

    from flows.io.source_urls import is_source_url, without_password

    if not is_source_url(snapshot):
        return snapshot
    url, password = without_password(snapshot)
    if password is not None:
        os.environ["PGPASSWORD"] = password
    return url


def _start_server(snapshot: str | None = None):
    """Check the snapshot argument, then start the temporary Prefect server in the background (when
    none is configured): it comes up while the flows are imported. Returns the wait for it."""
    from flows.cli.prefect_server import start_early
    from flows.io.source_urls import is_source_url

    if snapshot is not None and not is_source_url(snapshot) and not Path(snapshot.replace("{as_of}", "")).is_dir():
        _fail(FileNotFoundError(f"{snapshot}: snapshot folder not found"))
    return start_early()


def _quarantine_summary(summary: dict) -> str:
    """What a run quarantined, for people: `quarantined rows: contacts 6, events 6` or none."""
    counts = summary.get("quarantined") or {}
    listed = ", ".join(f"{table} {rows:,}" for table, rows in counts.items())
    return f"quarantined rows: {listed} (engage status, or the quarantine view, says why)" if listed else "no rows quarantined"


def _run_flow(call, server_ready) -> dict:
    from flows.io.errors import SnapshotError

    _setup_logging()
    try:
        server_ready()
        return call()
    except (SnapshotError, ValueError, OSError) as exc:
        # OSError: a full disk, a read-only folder, a missing file; its message names the path.
        _fail(exc)


DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask", envvar="ENGAGE_DASK_ADDRESS", help="run the bucket tasks on the Dask scheduler at this address (tcp://host:8786)"
    ),
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="run the bucket tasks on a local Dask cluster of N worker processes")
]


def _on_runner(flow, dask: str | None, workers: int | None):
    """A call of `flow` with its bucket tasks on the Dask cluster chosen, or in this process."""
    from flows.cluster import shared_prefect_api, task_runner

    try:
        runner = task_runner(dask, workers)
    except ValueError as exc:
        _fail(exc)
    on_runner = flow.with_options(task_runner=runner)

    def call(*args, **kwargs):
        with shared_prefect_api():
            return on_runner(*args, **kwargs)

    return call if workers else on_runner


@app.command()
def run(
    snapshot: Annotated[str, typer.Option(help=SNAPSHOT_HELP)],
    as_of: Annotated[str, typer.Option("--as-of", help="the day to compute, YYYY-MM-DD")],
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
    dask: DaskOption = None,
    workers: WorkersOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the daily flow for one day."""
    day = _date(as_of, "--as-of")
    server_ready = _start_server(snapshot)
    from flows.daily import daily_flow

    flow = _on_runner(daily_flow, dask, workers)
    summary = _run_flow(lambda: flow(_source(snapshot), day, str(warehouse), str(config)), server_ready)
    if json_output:
        _print_json(summary)
        return
    typer.echo(f"loaded {day} into {summary['warehouse']}; {_quarantine_summary(summary)}")


@app.command()
def backfill(
    snapshot: Annotated[str, typer.Option(help=SNAPSHOT_HELP)],
    date_from: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD")],
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
    every: Annotated[int, typer.Option(min=1, help="compute every N-th day's tables (the last day always)")] = 1,
    history_only: Annotated[bool, typer.Option("--history-only", help="store only the score history (one pass), no day tables")] = False,
    dask: DaskOption = None,
    workers: WorkersOption = None,
) -> None:
    """Run the backfill flow over a range of days: the score history of every day, and the day tables."""
    first, last = _date(date_from, "--from"), _date(date_to, "--to")
    server_ready = _start_server(snapshot)
    from flows.daily import backfill_flow

    flow = _on_runner(backfill_flow, dask, workers)
    summary = _run_flow(lambda: flow(_source(snapshot), first, last, str(warehouse), str(config), every, history_only), server_ready)
    tables = "no day tables" if history_only else f"the tables of {len(summary['days'])} days"
    typer.echo(f"loaded the score history of {first} .. {last} and {tables} into {summary['warehouse']}")


def _preview(definition, snapshot: Path, day: date, config: Path) -> dict[str, pl.DataFrame]:
    """Score one definition on the tables it reads, validated in memory; nothing is written to the
    warehouse. Says how many rows of each table were quarantined (they are not scored)."""
    import polars as pl

    from flows.compute import score_tables
    from flows.ingest import read_score_inputs
    from flows.io.config_files import load_mappings
    from transforms.outputs import validate_output
    from transforms.scores.definition import unmatched_events

    inputs, manifests = read_score_inputs(snapshot, [definition], load_mappings(config / "column_mappings.yaml"))
    quarantined = _quarantined(manifests)
    typer.echo(f"rows quarantined, not scored: {quarantined}" if quarantined else "rows quarantined: none")
    seen = set(inputs.events.select(pl.col("event_type").unique()).collect().get_column("event_type").drop_nulls())
    for score_id, events in unmatched_events([definition], seen).items():
        typer.secho(
            f"warning: {score_id}: no event of type {', '.join(events)} in {snapshot} (it has {', '.join(sorted(seen)) or 'none'}); "
            "a misspelt type scores 0",
            fg="yellow",
            err=True,
        )
    outputs = score_tables([definition], inputs, day)
    return {name: validate_output(name, frame) for name, frame in outputs.items()}


def _quarantined(manifests) -> str:
    """The tables that lost rows to the quarantine, `table n of m` each; empty when none did."""
    return ", ".join(f"{m.table} {m.rows_quarantined} of {m.rows_read}" for m in manifests if m.rows_quarantined)


def _definition_with_id(config: Path, score_id: str):
    """The definition of `config`'s scores with id `score_id`, or None."""
    from flows.io.config_files import load_definition_files

    return next((item.definition for item in load_definition_files(config / "scores") if item.definition.id == score_id), None)


def _print_breakdown(outputs: dict[str, pl.DataFrame], records: pl.DataFrame) -> None:
    """Each record's breakdown rows, every rule named by its event type, filters and window."""
    import polars as pl

    keys = ["score_id", "as_of", "group_name", "rule_index"]
    named = outputs["engagement_score_breakdown"].join(
        outputs["engagement_score_rules"].select(*keys, "rule"), on=keys, how="left", nulls_equal=False, maintain_order="left"
    )
    for record in records.iter_rows(named=True):
        rows = named.filter((pl.col("portal_id") == record["portal_id"]) & (pl.col("record_id") == record["record_id"]))
        parts = (
            f" (fit {record['fit_score']}, engagement {record['engagement_score']}), matrix {record['matrix']}"
            if record.get("matrix")
            else ""
        )
        typer.echo(f"\nrecord {record['record_id']} (portal {record['portal_id']}): score {record['score']}, band {record['band']}{parts}")
        with pl.Config(
            tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, fmt_str_lengths=120, tbl_width_chars=200
        ):
            typer.echo(str(rows.select("group_name", "rule", "value", "component", "events", "points")))


@app.command()
def score(
    definition: Annotated[Path, typer.Option(help="score definition file (any status, drafts included)")],
    snapshot: Annotated[Path, typer.Option(help="snapshot folder")],
    as_of: Annotated[str, typer.Option("--as-of", help="the day to score, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option(help="Parquet file for the scores (columns of engagement_scores)")],
    explain: Annotated[int | None, typer.Option(help="print the breakdown of this record id")] = None,
    config: Annotated[Path, typer.Option(help="config folder (its column_mappings.yaml applies)")] = DEFAULT_CONFIG,
) -> None:
    """Preview one definition on a snapshot without the warehouse: scores, histogram, breakdown."""
    import polars as pl

    from flows.io.config_files import ConfigError, load_definition
    from flows.io.errors import SnapshotError
    from flows.io.storage import write_parquet
    from flows.report.text_charts import histogram

    _setup_logging()
    day = _date(as_of, "--as-of")
    try:
        parsed = load_definition(definition)
        outputs = _preview(parsed, snapshot, day, config)
    except (ConfigError, SnapshotError, ValueError) as exc:
        _fail(exc)
    scores = outputs["engagement_scores"]
    write_parquet(scores, out)
    typer.echo(f"{parsed.id} ({parsed.status}) at {day}: {scores.height} records scored -> {out}")
    typer.echo(histogram(outputs["engagement_score_distribution"]))
    if explain is not None:
        record = scores.filter(pl.col("record_id") == explain)
        if record.is_empty():
            raise typer.BadParameter(f"record {explain} is not in scope of {parsed.id} (the scores were written)", param_hint="--explain")
        _print_breakdown(outputs, record)


scores_app = typer.Typer(no_args_is_help=True, help="Manage score definitions: list, preview, delete.")
app.add_typer(scores_app, name="scores")


@scores_app.command("list")
def scores_list(
    search: Annotated[str | None, typer.Option(help="text in the id or name (case-insensitive)")] = None,
    status: Annotated[str | None, typer.Option(help="active, inactive, draft or deleted (default: all but deleted)")] = None,
    changed_since: Annotated[str | None, typer.Option("--changed-since", help="last changed on or after this day")] = None,
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    json_output: JsonOption = False,
) -> None:
    """The score definitions registry, searchable and filterable."""
    from flows.io.queries import query

    if status is not None and status not in REGISTRY_STATUSES:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(REGISTRY_STATUSES)}", param_hint="--status")
    since = _date(changed_since, "--changed-since") if changed_since else None
    with _analyst_connection(warehouse) as con:
        rows = _records(
            con.sql(query("score_definitions_list"), params={"search": search or None, "status": status, "changed_since": since})
        )
    _print_rows(rows, json_output, "no score definitions match")


@scores_app.command("preview")
def scores_preview(
    score_id: Annotated[str, typer.Argument(help="the definition's id")],
    snapshot: Annotated[Path, typer.Option(help="snapshot folder")],
    as_of: Annotated[str, typer.Option("--as-of", help="the day to score, YYYY-MM-DD")],
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
) -> None:
    """Review a definition (a draft before activating it): distribution, band counts, the three highest
    and three lowest records with their breakdowns. Nothing is written."""
    from flows.io.config_files import ConfigError
    from flows.io.errors import SnapshotError
    from flows.report.text_charts import histogram

    _setup_logging()
    day = _date(as_of, "--as-of")
    try:
        definition = _definition_with_id(config, score_id)
        if definition is None:
            raise ConfigError(f"{config / 'scores'}: no definition with id {score_id!r}")
        outputs = _preview(definition, snapshot, day, config)
    except (ConfigError, SnapshotError, ValueError) as exc:
        _fail(exc)
    scores = outputs["engagement_scores"].sort("score", "portal_id", "record_id")
    typer.echo(f"{definition.id} ({definition.status}) at {day}: {scores.height} records")
    typer.echo(histogram(outputs["engagement_score_distribution"]))
    typer.echo("\nhighest:")
    _print_breakdown(outputs, scores.reverse().head(3))
    typer.echo("\nlowest:")
    _print_breakdown(outputs, scores.head(3))


def _period(as_of: date, from_stage: str, to_stage: str, days: int):
    """The transition period of the options; an unknown stage is a bad argument."""
    from transforms.scores.transitions import Period
    from transforms.snapshot.contract import LIFECYCLE_STAGES

    for option, stage in (("--from-stage", from_stage), ("--to-stage", to_stage)):
        if stage not in LIFECYCLE_STAGES:
            raise typer.BadParameter(f"{stage!r} is not a lifecycle stage ({', '.join(LIFECYCLE_STAGES)})", param_hint=option)
    if from_stage == to_stage:
        raise typer.BadParameter("the stages must differ", param_hint="--to-stage")
    return Period(from_stage, to_stage, as_of, days)


FromStage = Annotated[str, typer.Option("--from-stage", help="the stage contacts are evaluated in, e.g. subscriber")]
ToStage = Annotated[str, typer.Option("--to-stage", help="the stage they may move to, e.g. marketing_qualified_lead")]
Days = Annotated[int, typer.Option(min=1, help="the period: this many days ending with --as-of")]


@scores_app.command("suggest")
def scores_suggest(
    snapshot: Annotated[Path, typer.Option(help="snapshot folder")],
    as_of: Annotated[str, typer.Option("--as-of", help="the period's last day, YYYY-MM-DD")],
    from_stage: FromStage,
    to_stage: ToStage,
    out: Annotated[Path, typer.Option(help="the YAML file to write the draft definition to")],
    days: Days = 90,
    seed: Annotated[int, typer.Option(help="random seed of the train/test split and the model")] = 1,
    config: Annotated[Path, typer.Option(help="config folder (its column_mappings.yaml applies)")] = DEFAULT_CONFIG,
) -> None:
    """Suggest a draft contact score from who moved between two lifecycle stages, with each rule's
    evidence, trained on part of the contacts and measured on the rest."""
    import polars as pl

    from flows.io.config_files import ConfigError, load_mappings
    from flows.io.errors import SnapshotError
    from flows.transitions import suggest

    _setup_logging()
    period = _period(_date(as_of, "--as-of"), from_stage, to_stage, days)
    try:
        suggestion, manifests = suggest(snapshot, period, seed, load_mappings(config / "column_mappings.yaml"))
    except (ConfigError, SnapshotError, ValueError) as exc:
        _fail(exc)
    if quarantined := _quarantined(manifests):
        typer.echo(f"rows quarantined, not used: {quarantined}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(suggestion.text)
    moved = f"{suggestion.converted:,} of {suggestion.contacts:,} contacts moved {period.describe()}"
    typer.echo(f"{moved}; held-out AUC {suggestion.auc_rules:.3f} (model {suggestion.auc_model:.3f})")
    if not suggestion.predictive:
        typer.echo("this score is not predictive: its rules rank the held-out contacts little better than chance")
    shown = suggestion.rules.select("event", "property", "value", "points", "within_days", "contacts_with", "lift").head(10)
    with _wide_tables(), pl.Config(tbl_hide_column_data_types=True):
        typer.echo(str(shown))
    typer.echo(f"draft definition {suggestion.definition.id} -> {out} (review it, then set status: active)")


@scores_app.command("evaluate")
def scores_evaluate(
    from_stage: FromStage,
    to_stage: ToStage,
    score_id: Annotated[str | None, typer.Argument(help="the id of a definition in the config")] = None,
    definition: Annotated[Path | None, typer.Option(help="a definition file instead of an id")] = None,
    suggested: Annotated[Path | None, typer.Option(help="a suggested definition to measure beside it")] = None,
    days: Days = 90,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the period's last day (default: the latest snapshot in the warehouse)")
    ] = None,
    snapshot: Annotated[Path | None, typer.Option(help="read this snapshot folder instead of the warehouse's lake")] = None,
    chart: Annotated[Path | None, typer.Option(help="write the ROC curve and conversion by band to this .html or .md file")] = None,
    warehouse: Annotated[Path, typer.Option(help="warehouse whose lake is read without --snapshot")] = DEFAULT_WAREHOUSE,
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
) -> None:
    """How well a score predicts a lifecycle transition: each contact's score on the day before it
    moved (the period's last day for the others): AUC, conversion by band, lift of the top 10% and 20%."""
    import polars as pl

    from flows.io.config_files import ConfigError, load_definition, load_mappings
    from flows.io.errors import SnapshotError
    from flows.io.lake import snapshot_dates
    from flows.report.prediction import bands_table, figures_table, write_evaluation
    from flows.transitions import evaluate

    _setup_logging()
    if (score_id is None) == (definition is None):
        raise typer.BadParameter("give a definition id or --definition FILE, one of them", param_hint="SCORE_ID")
    if chart is not None and chart.suffix.lower() not in (".html", ".md"):
        raise typer.BadParameter(f"{chart.name}: the chart is written as .html or .md", param_hint="--chart")
    paths = Paths.of(warehouse)
    if paths.warehouse.exists():
        _relink(paths)
    try:
        if definition is not None:
            chosen = [load_definition(definition)]
        else:
            found = _definition_with_id(config, score_id) if score_id else None
            if found is None:
                typer.secho(f"error: {config / 'scores'}: no definition with id {score_id!r}", fg="red", err=True)
                raise typer.Exit(2)
            chosen = [found]
        if suggested is not None:
            chosen.append(load_definition(suggested))
        if as_of is not None:
            day = _date(as_of, "--as-of")
        elif snapshot is None and (stored := snapshot_dates(paths, "events")):
            day = stored[-1]
        else:
            raise typer.BadParameter("give the period's last day", param_hint="--as-of")
        period = _period(day, from_stage, to_stage, days)
        evaluations, manifests = evaluate(chosen, period, snapshot, paths, load_mappings(config / "column_mappings.yaml"))
    except (ConfigError, SnapshotError, ValueError, FileNotFoundError) as exc:
        _fail(exc)
    if quarantined := _quarantined(manifests):
        typer.echo(f"rows quarantined, not used: {quarantined}")
    with _wide_tables(), pl.Config(tbl_hide_column_data_types=True, float_precision=3):
        typer.echo(str(figures_table(evaluations)))
        typer.echo(str(bands_table(evaluations)))
    for evaluation in evaluations:
        if not evaluation.predictive:
            typer.echo(f"{evaluation.score_id} is not predictive of this transition (AUC {evaluation.auc:.3f})")
    if chart is not None:
        typer.echo(f"chart: {write_evaluation(evaluations, period, chart)}")


@scores_app.command("delete")
def scores_delete(
    score_id: Annotated[str, typer.Argument(help="the definition's id")],
    drop_values: Annotated[bool, typer.Option("--drop-values", help="also remove its stored scores and breakdown")] = False,
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
) -> None:
    """Remove a definition from the registry (its file moves to scores/.deleted/); with --drop-values
    its stored values go too, else they stay, marked as belonging to a deleted score."""
    from datetime import datetime

    from flows.io.registry_store import delete_definition
    from flows.io.storage import exclusive_lock
    from flows.io.warehouse import day_table_schemas, ensure_catalog

    _setup_logging()
    paths = Paths.of(warehouse)
    try:
        with exclusive_lock(paths.lock, f"warehouse {paths.warehouse}"):
            moved = delete_definition(paths, config / "scores", score_id, datetime.now(UTC).date(), drop_values)
            ensure_catalog(paths, day_table_schemas())
    except KeyError as exc:
        _fail(ValueError(exc.args[0]))
    typer.echo(
        f"deleted {score_id}"
        + (f"; its file moved to {moved}" if moved else "")
        + ("; its values were dropped" if drop_values else "; its values stay")
    )


points_app = typer.Typer(no_args_is_help=True, help="Partner points: the calculator and the tier progress chart.")
app.add_typer(points_app, name="points")


def _rates_and_markets(warehouse: Path, snapshot: Path | None) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """fx_rates and markets: from a snapshot folder when given, else the latest snapshot in the warehouse's lake."""
    from flows.io.lake import lake_table, snapshot_dates

    if snapshot is not None:
        from flows.ingest import read_snapshot

        tables = read_snapshot(snapshot, ["fx_rates", "markets"])
        return tables["fx_rates"].lazy(), tables["markets"].lazy()
    paths = Paths.of(warehouse)
    dates = snapshot_dates(paths, "fx_rates")
    if not dates:
        raise FileNotFoundError(f"no snapshot in {paths.lake}: run the daily flow first or pass --snapshot")
    return lake_table(paths, "fx_rates", dates[-1]), lake_table(paths, "markets", dates[-1])


@points_app.command("calc")
def points_calc(
    currency: Annotated[str, typer.Option(help="the client's currency (ISO 4217)")],
    country: Annotated[str, typer.Option(help="the client's country (ISO 3166-1 alpha-2): decides the market")],
    sold_type: Annotated[str, typer.Option("--sold-type", help="sourced or assisted")],
    amount: Annotated[float | None, typer.Option(help="monthly recurring revenue sold, in the client's currency")] = None,
    points: Annotated[float | None, typer.Option(help="points to convert with --to-currency")] = None,
    manage: Annotated[bool, typer.Option("--manage/--no-manage", help="you will also manage the client")] = False,
    other_partners: Annotated[int, typer.Option(min=0, help="how many other partners will manage it")] = 0,
    to_currency: Annotated[bool, typer.Option("--to-currency", help="currency mode: --points to the amounts that earn them")] = False,
    to_points: Annotated[bool, typer.Option("--to-points", help="currency mode: --amount to sold and managed points")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="rates and program of this day (default today)")] = None,
    warehouse: Annotated[Path, typer.Option(help="warehouse whose lake holds fx_rates and markets")] = DEFAULT_WAREHOUSE,
    snapshot: Annotated[Path | None, typer.Option(help="read fx_rates and markets from this snapshot instead")] = None,
    config: Annotated[Path, typer.Option(help="config folder (partner_program.yaml)")] = DEFAULT_CONFIG,
    json_output: JsonOption = False,
) -> None:
    """The points calculator: the same rates, multipliers, FX and rounding as the pipeline."""
    from datetime import datetime

    from flows.io.config_files import ConfigError, load_program
    from flows.io.errors import SnapshotError
    from transforms.points.calculator import terms
    from transforms.points.calculator import to_currency as amounts_for
    from transforms.points.calculator import to_points as points_for

    if sold_type not in ("sourced", "assisted"):
        raise typer.BadParameter("sourced or assisted", param_hint="--sold-type")
    if to_currency == (points is None) or (not to_currency and amount is None) or (to_currency and to_points):
        raise typer.BadParameter("give --amount (optionally with --to-points), or --to-currency with --points")
    day = _date(as_of, "--as-of") if as_of else datetime.now(UTC).date()
    try:
        program = load_program(config / "partner_program.yaml")
        fx_rates, markets = _rates_and_markets(warehouse, snapshot)
        t = terms(
            currency, country, cast(Literal["sourced", "assisted"], sold_type), manage, other_partners, day, program, markets, fx_rates
        )
    except (ConfigError, SnapshotError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
    if t.rate_age_days > STALE_RATE_DAYS:
        typer.secho(
            f"warning: the latest {t.currency} rate is from {t.rate_date}, {t.rate_age_days} days before {day}; "
            "load newer fx_rates or pass --as-of",
            fg="yellow",
            err=True,
        )
    if json_output:
        from dataclasses import asdict

        result = asdict(amounts_for(points, t)) if points is not None else asdict(points_for(cast(float, amount), t))
        _print_json({"terms": asdict(t), "result": result})
        return
    split = f", split over {t.managing_partners} partner(s)" if t.managing_partners else ""
    typer.echo(
        f"{t.country}: {t.market_type} market, multiplier {t.multiplier:g}; "
        f"1 {t.currency} = {t.usd_per_unit:.6g} USD (rate of {t.rate_date or day})"
    )
    if points is not None:  # --to-currency, checked above
        a = amounts_for(points, t)
        typer.echo(f"{a.points:,.2f} sold points ({sold_type}, {t.sold_rate:g} per US$100) = {a.sold_amount:,.2f} {t.currency} MRR")
        if a.managed_amount is not None:
            typer.echo(f"{a.points:,.2f} managed points ({t.managed_rate:g} per US$100{split}) = {a.managed_amount:,.2f} {t.currency} MRR")
        return
    q = points_for(cast(float, amount), t)
    typer.echo(f"{q.amount:,.2f} {t.currency} MRR = {q.usd_amount:,.2f} USD")
    typer.echo(f"sold points:    {q.sold_points:>12,.2f}  ({sold_type}, {t.sold_rate:g} per US$100 x {t.multiplier:g})")
    typer.echo(f"managed points: {q.managed_points:>12,.2f}  ({t.managed_rate:g} per US$100 x {t.multiplier:g}{split})")
    typer.echo(f"total points:   {q.total_points:>12,.2f}")


@points_app.command("chart")
def points_chart(
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    out: Annotated[Path | None, typer.Option(help="PNG file (default: reports/tier_progress.png beside the warehouse)")] = None,
    config: Annotated[Path, typer.Option(help="config folder (partner_program.yaml)")] = DEFAULT_CONFIG,
) -> None:
    """Draw tier progress over time (total, sold, managed points against the tier thresholds)."""
    from flows.io.config_files import load_program
    from flows.report.charts import tier_progress

    paths = Paths.of(warehouse)
    if paths.warehouse.exists():
        _relink(paths)
    written = tier_progress(paths, load_program(config / "partner_program.yaml"), out or paths.reports / "tier_progress.png")
    typer.echo(f"wrote {written}" if written else "no partner_tier rows in the warehouse yet")


@app.command()
def report(
    as_of: Annotated[str | None, typer.Option("--as-of", help="the day to report, YYYY-MM-DD (default: the latest loaded)")] = None,
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    out: Annotated[Path | None, typer.Option(help="HTML file (default: reports/report-<day>.html beside the warehouse)")] = None,
    config: Annotated[Path, typer.Option(help="config folder (partner_program.yaml for the tier thresholds)")] = DEFAULT_CONFIG,
) -> None:
    """Write a static HTML report with charts and the key tables, read from the warehouse."""
    from flows.io.config_files import ConfigError, load_program
    from flows.report.page import build_report

    paths = Paths.of(warehouse)
    day = _date(as_of, "--as-of") if as_of else None
    if not paths.warehouse.exists():
        _fail(FileNotFoundError(f"{paths.warehouse}: no warehouse yet; run `engage run` or `make demo` first"))
    _relink(paths)
    try:
        written = build_report(paths, load_program(config / "partner_program.yaml"), day, out)
    except (ConfigError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"wrote {written}")


@app.command()
def status(
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
    runs: Annotated[int, typer.Option(min=1, help="how many recent runs to show")] = 10,
    json_output: JsonOption = False,
) -> None:
    """The last runs with their figures, the days stored, and the latest quarantine counts."""
    import duckdb

    from flows.io.queries import query

    with _analyst_connection(warehouse) as con:
        try:
            days = con.sql(query("days_loaded")).fetchall()[0]
        except duckdb.CatalogException:
            _fail(RuntimeError(f"{Paths.of(warehouse).warehouse} was built by an older engage: one `engage run` refreshes its catalog"))
        recent = _records(con.sql(query("recent_runs"), params={"runs": runs}))
        quarantine = _records(con.sql(query("latest_quarantine")))
    where = str(Paths.of(warehouse).warehouse)
    if json_output:
        _print_json(
            {
                "warehouse": where,
                "days": days[0],
                "first_day": days[1],
                "last_day": days[2],
                "runs": recent,
                "quarantine": quarantine,
            }
        )
        return
    typer.echo(f"warehouse {where}: {days[0]} day(s) loaded, {days[1]} .. {days[2]}")
    _print_rows(recent, False, "no runs yet")
    typer.echo("quarantined rows of the latest snapshot:")
    _print_rows(quarantine, False, "none")


def _print_check(report: dict) -> None:
    """`engage check`'s findings for people: what each output needs, each table's rows, problems."""
    typer.echo(f"snapshot {report['snapshot']} (for {report['purpose']}):")
    for need in report["needs"]:
        state = f"missing {', '.join(need['missing'])}" if need["missing"] else "ready"
        typer.echo(f"  {need['computation']}: needs {', '.join(need['tables'])}: {state}  ({need['outputs']})")
    typer.echo("tables:")
    for table in report["tables"]:
        if table["problem"]:
            typer.echo(f"  {table['table']}: not loaded: {table['problem']}")
            continue
        shipped = " (none in the snapshot: the shipped default)" if table["source"] != "snapshot" else ""
        typer.echo(
            f"  {table['table']}{shipped}: {table['rows_read']:,} rows read, {table['rows_kept']:,} kept, {table['rows_quarantined']:,} quarantined"
            + (f"; extra columns: {', '.join(table['extra_columns'])}" if table["extra_columns"] else "")
        )
        for reason in table["reasons"]:
            column = f"{reason['column_name']}: " if reason["column_name"] else ""
            typer.echo(f"      {reason['rows']:,} row(s): {column}{reason['reason']}")
        if table["other_reasons"]:
            typer.echo(f"      and {table['other_reasons']} other reason(s): the quarantine of a run lists every row")
    for heading, lines in (("problems", report["problems"]), ("score definitions", report["definitions"])):
        if lines:
            typer.echo(f"{heading}:")
            for line in lines:
                typer.echo(f"  {line}")
    typer.echo("ready" if report["ready"] else f"not ready for {report['purpose']}: see above")


@app.command()
def check(
    snapshot: Annotated[Path, typer.Option(help="snapshot folder")],
    purpose: Annotated[str, typer.Option("--for", help="what the snapshot is for: scores, partner or all")] = "all",
    config: Annotated[Path, typer.Option(help="config folder")] = DEFAULT_CONFIG,
    json_output: JsonOption = False,
) -> None:
    """Check a snapshot without loading it: every missing table and column at once, what each output
    needs, rows each table would quarantine and why, what the score definitions name that it lacks.
    Exit 1 when it is not ready for --for."""
    from transforms.needs import PURPOSES

    if purpose not in PURPOSES:
        raise typer.BadParameter(f"{purpose!r} is not one of {', '.join(PURPOSES)}", param_hint="--for")
    from flows.compute import load_settings
    from flows.snapshot_check import check_snapshot

    settings = load_settings(config)
    report = check_snapshot(snapshot, settings.definitions, settings.mappings, purpose)
    if json_output:
        _print_json(report)
    else:
        _print_check(report)
    if not report["ready"]:
        raise typer.Exit(1)


@app.command()
def doctor(
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
) -> None:
    """Read every file the warehouse depends on; name the damaged or missing ones and how to repair each."""
    import time

    from flows.doctor import diagnose

    paths = Paths.of(warehouse)
    if not paths.warehouse.exists():
        _fail(FileNotFoundError(f"{paths.warehouse}: no warehouse yet; run `engage run` or `make demo` first"))
    started = time.perf_counter()
    checked, found = diagnose(paths)
    typer.echo(
        f"read {checked:,} files of {paths.warehouse} in {time.perf_counter() - started:.1f}s: {len(found) or 'none'} damaged or missing"
    )
    for damage in found:
        typer.echo(damage.line())
    if found:
        raise typer.Exit(1)


# Shown by `engage demo`; each file's first line is the question it answers.
EXAMPLE_QUERIES = ("score_bands.sql", "top_contacts.sql", "low_band_cross_sell.sql", "crossed_into_high.sql", "score_on_a_day.sql")
DEMO_HISTORY_DAYS = 90


@app.command()
def demo(
    warehouse: Annotated[Path, typer.Option(help="DuckDB warehouse file")] = DEFAULT_WAREHOUSE,
) -> None:
    """Generate the bundled demo snapshot if absent, load its last 90 days (score history for every day,
    the day tables every 30 days), show example queries."""
    server_ready = _start_server()
    from flows.daily import backfill_flow
    from flows.dev.generate import generate_snapshot

    _setup_logging()
    if not (DEMO_SNAPSHOT / "_snapshot.json").exists():
        generate_snapshot(DEMO_SNAPSHOT, DEMO_CONTACTS, DEMO_SEED, DEMO_AS_OF, bad_rows=True)
    first = DEMO_AS_OF - timedelta(days=DEMO_HISTORY_DAYS - 1)
    summary = _run_flow(
        lambda: backfill_flow(str(DEMO_SNAPSHOT), first, DEMO_AS_OF, str(warehouse), str(DEFAULT_CONFIG), every=30), server_ready
    )
    typer.echo(f"\nwarehouse: {summary['warehouse']}  (open it with: .venv/bin/duckdb -readonly {summary['warehouse']})")
    with _analyst_connection(warehouse) as con:
        for file in EXAMPLE_QUERIES:
            sql = (SQL_DIR / "examples" / file).read_text()
            typer.echo(f"\n{sql.strip()}")
            typer.echo(str(con.sql(sql)))


def main(args: list[str] | None = None) -> None:
    """`engage`: any failure a command does not name itself still ends in one line, its traceback in a log file."""
    try:
        app(args=args, prog_name="engage")
    except KeyboardInterrupt:
        typer.secho("interrupted", fg="red", err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        from flows.io.errors import failure_line

        typer.secho(failure_line(exc), fg="red", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
