"""The stored score history: change rows in one Parquet file per day, swapped in as one version.

`<store>/history` is a symlink to a version folder (see `flows.io.storage`): a run links the files it
keeps into a new folder, writes the days it changes, and swaps the link, so readers see the whole
old history or the whole new one, and a daily run writes only its own day's changes.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.io.paths import Paths
from flows.io.storage import publish, staging_dir, write_parquet
from transforms.common.tables import validate_with
from transforms.scores.history_changes import CHANGE_SCHEMA, STATE_KEY, range_changes, state_diff, state_on
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY

COVERAGE = "coverage.parquet"
EMPTY = "changes__schema.parquet"


def _day_file(day: date) -> str:
    return f"changes_{day.isoformat()}.parquet"


def _files(paths: Paths) -> dict[date, Path]:
    return {date.fromisoformat(p.stem.removeprefix("changes_")): p for p in paths.history.glob("changes_*.parquet") if p.name != EMPTY}


def read_changes(paths: Paths) -> pl.DataFrame:
    """Every stored change row (empty before the first history is stored)."""
    files = sorted(_files(paths).values())
    return pl.read_parquet(files) if files else pl.DataFrame(schema=CHANGE_SCHEMA)


def covered_days(paths: Paths) -> list[date]:
    """The days a stored history covers, ascending."""
    path = paths.history / COVERAGE
    return pl.read_parquet(path)["day"].to_list() if path.exists() else []


def _write_version(paths: Paths, rows: pl.DataFrame, replaced: set[date], coverage: list[date]) -> None:
    """Publish a new version: the files of days not in `replaced` linked from the current one, the
    change rows of the `replaced` days written anew (a day without rows gets no file)."""
    staged = staging_dir(paths.history)
    for day, path in _files(paths).items():
        if day not in replaced:
            os.link(path, staged / path.name)
    write_parquet(pl.DataFrame(schema=CHANGE_SCHEMA), staged / EMPTY)
    for (day,), part in rows.filter(pl.col("valid_from").is_in(sorted(replaced))).partition_by("valid_from", as_dict=True).items():
        write_parquet(part.sort(STATE_KEY), staged / _day_file(day))
    write_parquet(pl.DataFrame({"day": sorted(set(coverage))}, schema={"day": pl.Date}), staged / COVERAGE)
    publish(staged, paths.history)


def ensure_history(paths: Paths) -> None:
    """Create an empty history the first time, so the views always have files to read."""
    if not paths.history.exists():
        _write_version(paths, pl.DataFrame(schema=CHANGE_SCHEMA), set(), [])


@task(name="store-score-history", cache_policy=NO_CACHE)
def store_history(paths: Paths, intervals: pl.DataFrame, score_ids: list[str], start: date, end: date) -> int:
    """Replace the history of `score_ids` over [start, end] with `intervals`; return the change rows written.

    The first day is stored as its difference from the stored day before; when later days are stored,
    the day after `end` is rebased on the new state of `end`, so every later day keeps its scores."""
    intervals = validate_with(ENGAGEMENT_SCORE_HISTORY, intervals)
    ensure_history(paths)
    old = read_changes(paths)
    ids = pl.col("score_id").is_in(score_ids)
    in_range = pl.col("valid_from").is_between(start, end)
    new = range_changes(state_on(old.lazy(), start - timedelta(days=1)), intervals.lazy(), score_ids, start).collect()
    rows = [new, old.filter(in_range & ~ids)]
    replaced = {start + timedelta(days=i) for i in range((end - start).days + 1)}
    after = end + timedelta(days=1)
    if old.filter(pl.col("valid_from") >= after).height:
        current = intervals.lazy().filter(pl.col("valid_to").is_null())
        rows += [
            state_diff(current, state_on(old.lazy(), after), score_ids, after).collect(),
            old.filter((pl.col("valid_from") == after) & ~ids),
        ]
        replaced.add(after)
    _write_version(paths, pl.concat(rows), replaced, [*covered_days(paths), *sorted(replaced - {after})])
    return new.height


def purge_history(paths: Paths, score_id: str) -> int:
    """Rewrite the stored history without the rows of `score_id`; return the rows removed."""
    old = read_changes(paths)
    kept = old.filter(pl.col("score_id") != score_id)
    if kept.height == old.height:
        return 0
    _write_version(paths, kept, set(_files(paths)), covered_days(paths))
    return old.height - kept.height
