"""Suggested scores and how well scores predict a lifecycle transition: the tables read from a
snapshot or from the warehouse's lake, the transforms run, nothing written to the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flows.compute import DayInputs
from flows.ingest import TableManifest, read_score_inputs
from flows.io.lake import snapshot_dates
from flows.io.paths import Paths
from transforms.scores.definition import ScoreDefinition
from transforms.scores.history import score_history
from transforms.scores.members import ScoreInputs
from transforms.scores.predictive import Evaluation, evaluate_prediction, scores_before_transition
from transforms.scores.suggest import Suggestion, suggest_score
from transforms.scores.transition_features import event_properties, feature_counts
from transforms.scores.transitions import Period, transition_cohort
from transforms.snapshot.mappings import ColumnMappings

# The event properties that tell a stage change: read even when no rule filters on them.
STAGE_COLUMNS: dict[str, set[str] | None] = {"events": {"from_stage", "to_stage"}}


@dataclass(frozen=True)
class Read:
    """The scoring tables of a period and the manifests of the snapshot tables read (none from the lake)."""

    inputs: ScoreInputs
    manifests: list[TableManifest]


def suggest(snapshot: Path, period: Period, seed: int, mappings: ColumnMappings | None = None) -> tuple[Suggestion, list[TableManifest]]:
    """The score suggested for `period` from the contacts and events of `snapshot`."""
    # Every property of the events: a suggested rule may filter on any of them.
    inputs, manifests = read_score_inputs(snapshot, [], mappings, {"contacts": set(), "events": None})
    cohort = transition_cohort(inputs.contacts, inputs.events, period).collect()
    properties = event_properties(inputs.events.collect_schema().names())
    counts = feature_counts(cohort.lazy(), inputs.events, properties).collect()
    return suggest_score(cohort, counts, period, seed), manifests


def evaluate(
    definitions: list[ScoreDefinition], period: Period, snapshot: Path | None, paths: Paths, mappings: ColumnMappings | None = None
) -> tuple[list[Evaluation], list[TableManifest]]:
    """How well each contact score of `definitions` predicts `period`'s transition, from the
    engine's history over the period (each contact's score the day before its cutoff's day), on
    `snapshot` or, without one, on the latest snapshot in the warehouse's lake."""
    companies = [d.id for d in definitions if d.object != "contact"]
    if companies:
        raise ValueError(f"{', '.join(companies)}: only contact scores predict a contact's lifecycle transition")
    read = _period_inputs(definitions, snapshot, paths, mappings)
    cohort = transition_cohort(read.inputs.contacts, read.inputs.events, period).collect()
    intervals = score_history(definitions, read.inputs, period.first_day - timedelta(days=1), period.as_of).collect()
    evaluations = [
        evaluate_prediction(scores_before_transition(cohort.lazy(), intervals.lazy(), d.id).collect(), d.id) for d in definitions
    ]
    return evaluations, read.manifests


def _period_inputs(definitions: list[ScoreDefinition], snapshot: Path | None, paths: Paths, mappings: ColumnMappings | None) -> Read:
    if snapshot is not None:
        inputs, manifests = read_score_inputs(snapshot, definitions, mappings, STAGE_COLUMNS)
        return Read(inputs, manifests)
    dates = snapshot_dates(paths, "events")
    if not dates:
        raise FileNotFoundError(f"no snapshot in {paths.lake}: run the daily flow first or pass --snapshot")
    return Read(DayInputs.from_lake(paths, dates[-1]).score_inputs(), [])
