"""The stored score history: change rows in one Parquet file per day, swapped in as one version.

`<store>/history` is a symlink to a version folder (see `flows.io.storage`): a run links the files it
keeps into a new folder, writes the days it changes, and swaps the link, so readers see the whole
old history or the whole new one, and a daily run writes only its own day's changes.

Beside the change rows, `state.parquet` holds the latest state: one row per record and score in
scope after the last stored change. A run that extends the history past its last change (the daily
run) starts from that file, so its cost follows the day and the number of records, not the length
of the history; only a run that rewrites days inside the stored range reads every change row.
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
STATE = "state.parquet"
EMPTY = "changes__schema.parquet"


def _day_file(day: date) -> str:
    return f"changes_{day.isoformat()}.parquet"


def _files(paths: Paths) -> dict[date, Path]:
    return {date.fromisoformat(p.stem.removeprefix("changes_")): p for p in paths.history.glob("changes_*.parquet") if p.name != EMPTY}


def read_changes(paths: Paths) -> pl.DataFrame:
    """Every stored change row (empty before the first history is stored)."""
    files = sorted(_files(paths).values())
    return pl.read_parquet(files) if files else pl.DataFrame(schema=CHANGE_SCHEMA)


def latest_state(paths: Paths) -> pl.DataFrame:
    """(score_id, object_type, portal_id, record_id, score, band) of every record in scope after the
    last stored change: the state file, or the change rows when it is missing (an older store)."""
    path = paths.history / STATE
    if path.exists():
        return pl.read_parquet(path)
    return state_on(read_changes(paths).lazy(), date.max).collect()


def _advanced(state: pl.DataFrame, changes: pl.DataFrame, since: date) -> pl.DataFrame:
    """`state` (the latest state before `since`) moved on by `changes` (change rows from `since` on)."""
    before = state.with_columns(pl.lit(since - timedelta(days=1)).alias("valid_from")).select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)
    return state_on(pl.concat([before, changes]).lazy(), date.max).collect()


def covered_days(paths: Paths) -> list[date]:
    """The days a stored history covers, ascending."""
    path = paths.history / COVERAGE
    return pl.read_parquet(path)["day"].to_list() if path.exists() else []


def _write_version(paths: Paths, rows: pl.DataFrame, replaced: set[date], coverage: list[date], state: pl.DataFrame) -> None:
    """Publish a new version: the files of days not in `replaced` linked from the current one, the
    change rows of the `replaced` days written anew (a day without rows gets no file), and `state`."""
    staged = staging_dir(paths.history)
    for day, path in _files(paths).items():
        if day not in replaced:
            os.link(path, staged / path.name)
    write_parquet(pl.DataFrame(schema=CHANGE_SCHEMA), staged / EMPTY)
    for (day,), part in rows.filter(pl.col("valid_from").is_in(sorted(replaced))).partition_by("valid_from", as_dict=True).items():
        write_parquet(part.sort(STATE_KEY), staged / _day_file(day))
    write_parquet(pl.DataFrame({"day": sorted(set(coverage))}, schema={"day": pl.Date}), staged / COVERAGE)
    write_parquet(state.sort(STATE_KEY), staged / STATE)
    publish(staged, paths.history)


def ensure_history(paths: Paths) -> None:
    """Create an empty history the first time, so the views always have files to read."""
    if not paths.history.exists():
        empty = pl.DataFrame(schema=CHANGE_SCHEMA)
        _write_version(paths, empty, set(), [], state_on(empty.lazy(), date.max).collect())


@task(name="store-score-history", cache_policy=NO_CACHE)
def store_history(paths: Paths, intervals: pl.DataFrame, score_ids: list[str], start: date, end: date) -> int:
    """Replace the history of `score_ids` over [start, end] with `intervals`; return the change rows written.

    The first day is stored as its difference from the stored day before; when later days are stored,
    the day after `end` is rebased on the new state of `end`, so every later day keeps its scores."""
    intervals = validate_with(ENGAGEMENT_SCORE_HISTORY, intervals)
    ensure_history(paths)
    replaced = {start + timedelta(days=i) for i in range((end - start).days + 1)}
    stored_days = _files(paths)
    if not stored_days or start > max(stored_days):
        # Past the last change: the latest state is the day before `start`; no change row is read.
        previous = latest_state(paths)
        new = range_changes(previous.lazy(), intervals.lazy(), score_ids, start).collect()
        _write_version(paths, new, replaced, [*covered_days(paths), *sorted(replaced)], _advanced(previous, new, start))
        return new.height
    old = read_changes(paths)
    ids = pl.col("score_id").is_in(score_ids)
    in_range = pl.col("valid_from").is_between(start, end)
    new = range_changes(state_on(old.lazy(), start - timedelta(days=1)), intervals.lazy(), score_ids, start).collect()
    rows = [new, old.filter(in_range & ~ids)]
    after = end + timedelta(days=1)
    if old.filter(pl.col("valid_from") >= after).height:
        current = intervals.lazy().filter(pl.col("valid_to").is_null())
        rows += [
            state_diff(current, state_on(old.lazy(), after), score_ids, after).collect(),
            old.filter((pl.col("valid_from") == after) & ~ids),
        ]
        replaced.add(after)
    kept = old.filter(~pl.col("valid_from").is_in(sorted(replaced)))
    stored = pl.concat([kept, *rows])
    _write_version(
        paths, stored, replaced, [*covered_days(paths), *sorted(replaced - {after})], state_on(stored.lazy(), date.max).collect()
    )
    return new.height


def purge_history(paths: Paths, score_id: str) -> int:
    """Rewrite the stored history without the rows of `score_id`; return the rows removed."""
    old = read_changes(paths)
    kept = old.filter(pl.col("score_id") != score_id)
    if kept.height == old.height:
        return 0
    _write_version(paths, kept, set(_files(paths)), covered_days(paths), latest_state(paths).filter(pl.col("score_id") != score_id))
    return old.height - kept.height
