"""The score definitions registry in the warehouse store, and deleting a definition."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl

from flows.io.config_files import ConfigError, read_yaml
from flows.io.history_store import purge_history
from flows.io.paths import Paths
from flows.io.storage import write_parquet
from flows.io.warehouse import publish_staged_day, published_days, stage_day, write_day_part
from transforms.scores.registry import REGISTRY_SCHEMA, Loaded, mark_deleted, refresh_registry, upgraded

SCORE_TABLES = ("engagement_scores", "engagement_score_breakdown", "engagement_score_distribution", "engagement_score_rules")


def read_registry(paths: Paths) -> pl.DataFrame:
    """The registry as stored (empty before the first run)."""
    path = paths.registry
    return upgraded(pl.read_parquet(path, glob=False)) if path.exists() else pl.DataFrame(schema=REGISTRY_SCHEMA)


def update_registry(paths: Paths, loaded: list[Loaded], computed: dict[str, date], seen_on: date) -> pl.DataFrame:
    """Refresh and store the registry after a run; one file rename makes the new one visible."""
    registry = refresh_registry(read_registry(paths), loaded, computed, seen_on)
    write_parquet(registry, paths.registry)
    return registry


def _definition_file(folder: Path, score_id: str) -> Path | None:
    """The file in `folder` that defines `score_id` (read for its id only), or None."""
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            data = read_yaml(path)
        except ConfigError:
            continue  # another, broken file: not the one asked for
        if isinstance(data, dict) and data.get("id") == score_id:
            return path
    return None


def delete_definition(paths: Paths, config_scores: Path, score_id: str, on: date, drop_values: bool) -> Path | None:
    """Remove `score_id` from the registry; its file in `config_scores` (the folder the user named,
    not the path a run recorded, which may be another checkout's) moves to `.deleted/`, so runs
    with that config no longer see it. Return where it moved, None when that folder has none.

    With `drop_values` its stored rows leave every view at once (the registry write is the one
    transaction), then every day folder is rewritten without them to reclaim the space."""
    registry = mark_deleted(read_registry(paths), score_id, on, drop_values)
    source = _definition_file(config_scores, score_id)
    moved = None
    if source is not None:
        moved = config_scores / ".deleted" / source.name
        moved.parent.mkdir(exist_ok=True)
        shutil.move(source, moved)
    write_parquet(registry, paths.registry)
    if drop_values:
        purge_values(paths, score_id)
    return moved


def purge_values(paths: Paths, score_id: str) -> int:
    """Rewrite every stored day and the history without the rows of `score_id`; return the rows removed."""
    removed = purge_history(paths, score_id)
    for day in published_days(paths):
        staged = stage_day(paths, day)
        # Part by part: a day's score tables are never read whole.
        for path in sorted(paths.day(day).glob("*/*.parquet")):
            frame = pl.read_parquet(path, glob=False)
            if path.parent.name in SCORE_TABLES:
                kept = frame.filter(pl.col("score_id") != score_id)
                removed += frame.height - kept.height
                frame = kept
            write_day_part(staged, path.parent.name, path.stem, frame)
        publish_staged_day(paths, day, staged)
    return removed
