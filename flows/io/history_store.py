"""The stored score history: change rows per part and day, swapped in as one version.

`<store>/history` is a symlink to a version folder (see `flows.io.storage`). A version holds
`coverage.parquet` (the days the history covers) and one folder per part: `bucket-<n>` for the
contacts of contact bucket n (a day's score tables have the same), `companies` (or `companies-<j>`,
see `flows.io.paths.company_slices`) for the companies of a company slice. A part
folder holds `changes_<day>.parquet` for each day with change rows, and `state.parquet`: one row per
record and score in scope after the part's last change. `_schema/` holds an empty change file, so
the view always has a file to read.

A run stages a version (`open_history`), stores each part as soon as its intervals are computed
(`store_part` reads that part's files alone, so its memory follows a bucket, not the store), and
publishes once (`publish_history`); parts it did not write are linked from the current version. A
part extended past its last change (the daily run) starts from its state file, so the cost follows
the day; only a rewrite of days inside the stored range reads the part's change rows.

Parts follow the lake's contact buckets: when a run's bucket count differs from the store's, the
stored history is first split anew, one part at a time.

The company history needs every bucket's contribution to each company (`CompanyParts`). A run's
bucket tasks write theirs into a scratch folder beside the versions (`write_company_parts`), a row
group per company slice, and the merge of each slice reads its own rows back from every bucket
(`read_company_parts`): no process holds the parts of every company, and tasks pass paths.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from flows.io.errors import first_line
from flows.io.paths import Paths, bucket_part, company_part, company_slices, score_parts
from flows.io.storage import log, publish, staging_dir, write_parquet
from transforms.common.calendar import days_between
from transforms.common.tables import validate_with
from transforms.scores.history import CompanyParts
from transforms.scores.history_changes import CHANGE_SCHEMA, STATE_KEY, range_changes, state_diff, state_on
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY
from transforms.snapshot.buckets import contact_bucket

COVERAGE = "coverage.parquet"
STATE = "state.parquet"
SCHEMA_PART = "_schema"
EMPTY = "changes__schema.parquet"


def _day_file(day: date) -> str:
    return f"changes_{day.isoformat()}.parquet"


def _files(folder: Path) -> dict[date, Path]:
    """The change files of a part folder (or of a store written before parts), by day."""
    return {date.fromisoformat(p.stem.removeprefix("changes_")): p for p in folder.glob("changes_*.parquet") if p.name != EMPTY}


def _parts(paths: Paths) -> list[str]:
    """The parts the current version holds."""
    if not paths.history.is_dir():
        return []
    return sorted(p.name for p in paths.history.iterdir() if p.is_dir() and p.name != SCHEMA_PART)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=CHANGE_SCHEMA)


def read_changes(paths: Paths, part: str | None = None) -> pl.DataFrame:
    """The stored change rows of `part`, or of every part (empty before the first history is stored)."""
    files = sorted(f for name in ([part] if part else _parts(paths)) for f in _files(paths.history / name).values())
    return pl.read_parquet(files, glob=False) if files else _empty()


def _stored_changes(folder: Path, replaced: set[date]) -> pl.DataFrame:
    """The change rows of the part in `folder`, for a run that writes the `replaced` days anew. A
    stored day that cannot be read is left out, with a warning, when it is one of them: that run is
    its repair (`engage doctor` names it). Elsewhere the damage stops the run, naming the file."""
    files = _files(folder)
    try:
        return pl.read_parquet(sorted(files.values()), glob=False) if files else _empty()
    except (pl.exceptions.PolarsError, OSError):
        pass  # read them one at a time to find the damaged ones
    frames = []
    for day, path in sorted(files.items()):
        try:
            frames.append(pl.read_parquet(path, glob=False))
        except (pl.exceptions.PolarsError, OSError) as exc:
            if day not in replaced:
                raise OSError(f"{path}: damaged ({first_line(exc)})") from exc
            # Its rows of scores this run computes come back from the lake; any of other scores are lost with the file.
            log.warning("%s: damaged (%s); writing day %s anew from the lake", path, first_line(exc), day)
    return pl.concat(frames) if frames else _empty()


def latest_state(paths: Paths, part: str | None = None) -> pl.DataFrame:
    """(score_id, object_type, portal_id, record_id, score, band) of every record of `part` (or of
    every part) in scope after its last stored change."""
    files = [paths.history / name / STATE for name in ([part] if part else _parts(paths))]
    files = [path for path in files if path.exists()]
    return pl.read_parquet(files, glob=False) if files else state_on(_empty().lazy(), date.max).collect()


def last_change(folder: Path) -> date | None:
    """The last day with change rows of the part in `folder` (None without any)."""
    return max(_files(folder), default=None)


def change_days(paths: Paths) -> list[date]:
    """The days with change rows in any part, ascending."""
    return sorted({day for name in _parts(paths) for day in _files(paths.history / name)})


def read_before_writing(paths: Paths, start: date) -> list[Path]:
    """The history files a run storing days from `start` on reads before it publishes: the coverage,
    and the state of every part that `start` extends past its last change (a part rewritten from an
    earlier day is read from its change rows, see `store_part`)."""
    states = [paths.history / name / STATE for name in _parts(paths) if (last_change(paths.history / name) or date.min) < start]
    return [path for path in [paths.history / COVERAGE, *states] if path.exists() or path.is_symlink()]


def covered_days(paths: Paths) -> list[date]:
    """The days a stored history covers, ascending."""
    path = paths.history / COVERAGE
    return pl.read_parquet(path, glob=False)["day"].to_list() if path.exists() else []


def _advanced(state: pl.DataFrame, changes: pl.DataFrame, since: date) -> pl.DataFrame:
    """`state` (the latest state before `since`) moved on by `changes` (change rows from `since` on)."""
    before = state.with_columns(pl.lit(since - timedelta(days=1)).alias("valid_from")).select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)
    return state_on(pl.concat([before, changes]).lazy(), date.max).collect()


def _write_part(source: Path | None, target: Path, rows: pl.DataFrame, replaced: set[date], state: pl.DataFrame) -> None:
    """Write a part into a staged version: the change files of `source` for days not in `replaced`
    linked, the rows of the `replaced` days written anew (a day without rows gets no file), `state`.
    A part left half written (its task killed and run again elsewhere) is written anew."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for day, path in (_files(source) if source else {}).items():
        if day not in replaced:
            os.link(path, target / path.name)
    for (day,), part in rows.filter(pl.col("valid_from").is_in(sorted(replaced))).partition_by("valid_from", as_dict=True).items():
        write_parquet(part.sort(STATE_KEY), target / _day_file(day))
    write_parquet(state.sort(STATE_KEY), target / STATE)


def publish_history(paths: Paths, staged: Path, days: list[date], keep_parts: bool = True) -> None:
    """Publish the staged version, covering `days` besides the days covered already; with
    `keep_parts`, the parts it does not hold are linked from the current version."""
    written = {p.name for p in staged.iterdir()}
    for name in _parts(paths) if keep_parts else []:
        if name not in written:
            (staged / name).mkdir()
            for path in (paths.history / name).iterdir():
                os.link(path, staged / name / path.name)
    write_parquet(_empty(), staged / SCHEMA_PART / EMPTY)
    write_parquet(pl.DataFrame({"day": sorted({*covered_days(paths), *days})}, schema={"day": pl.Date}), staged / COVERAGE)
    publish(staged, paths.history)


def write_company_parts(scratch: Path, bucket: int, parts: CompanyParts, slices: int) -> None:
    """Write contact bucket `bucket`'s company parts into the run's `scratch` folder, each frame with
    row groups of its own per company slice of `slices`."""
    for name, frame in parts.sliced(slices).items():
        write_parquet(frame, scratch / bucket_part(bucket) / f"{name}.parquet", scratch=True, groups="slice")


def read_company_parts(scratch: Path, number: int) -> list[CompanyParts]:
    """The company parts of company slice `number`, one per bucket that wrote some to `scratch`."""
    folders = sorted(p for p in scratch.iterdir() if p.is_dir()) if scratch.is_dir() else []
    names = [field.name for field in fields(CompanyParts)]
    frames = [
        pl.scan_parquet(folder / f"{name}.parquet", glob=False).filter(pl.col("slice") == number).drop("slice")
        for folder in folders
        for name in names
    ]
    read = pl.collect_all(frames)
    return [CompanyParts(*read[i : i + len(names)]) for i in range(0, len(read), len(names))]


def history_part(buckets: int) -> pl.Expr:
    """The part a change row belongs to when contacts are split into `buckets` buckets: a contact's
    bucket, a company's slice (the same stable hash of its keys), named as the parts are."""
    slices = company_slices(buckets)
    company = contact_bucket(pl.col("portal_id"), pl.col("record_id"), slices)
    contact = contact_bucket(pl.col("portal_id"), pl.col("record_id"), buckets)
    return (
        pl.when(pl.col("object_type") == "company")
        .then(company.replace_strict({j: company_part(j, slices) for j in range(slices)}, return_dtype=pl.String))
        .otherwise(contact.replace_strict({b: bucket_part(b) for b in range(buckets)}, return_dtype=pl.String))
    )


def _split(paths: Paths, buckets: int) -> None:
    """Publish the stored history split into `buckets` contact parts and the companies' part, reading
    the stored change rows once per new part."""
    folders = [paths.history, *(paths.history / name for name in _parts(paths))]
    files = [f for folder in folders for f in _files(folder).values()]
    staged = staging_dir(paths.history)
    for name in score_parts(buckets):
        rows = pl.scan_parquet(files, glob=False).filter(history_part(buckets) == name).collect() if files else _empty()
        days = set(rows["valid_from"].unique().to_list())
        _write_part(None, staged / name, rows, days, state_on(rows.lazy(), date.max).collect())
    publish_history(paths, staged, [], keep_parts=False)


def _flat(paths: Paths) -> bool:
    """Whether the stored history was written before parts: change rows in the version folder itself."""
    return bool(_files(paths.history)) or (paths.history / STATE).exists()


def ensure_history(paths: Paths, buckets: int = 1) -> None:
    """Create an empty history the first time, so the views always have files to read; split a store
    written before parts into `buckets` parts."""
    if not paths.history.exists():
        publish_history(paths, staging_dir(paths.history), [])
    elif _flat(paths):
        _split(paths, buckets)


def open_history(paths: Paths, buckets: int) -> Path:
    """A staged folder for the next version of the history, whose contacts are split into `buckets`
    parts (the stored history is split anew first when it was split otherwise)."""
    ensure_history(paths, buckets)
    stored = _parts(paths)
    if stored and stored != sorted(score_parts(buckets)):
        _split(paths, buckets)
    return staging_dir(paths.history)


def store_part(paths: Paths, staged: Path, part: str, intervals: pl.DataFrame, score_ids: list[str], start: date, end: date) -> int:
    """Replace the history of `score_ids` over [start, end] in part `part` with `intervals` (the
    part's records), writing the part into `staged`; return the change rows written.

    The first day is stored as its difference from the stored day before; when later days are stored,
    the day after `end` is rebased on the new state of `end`, so every later day keeps its scores."""
    intervals = validate_with(ENGAGEMENT_SCORE_HISTORY, intervals)
    current = paths.history / part
    replaced = set(days_between(start, end))
    last = last_change(current)
    if last is None or start > last:
        # Past the part's last change: its latest state is the day before `start`; no change row is read.
        previous = latest_state(paths, part)
        new = range_changes(previous.lazy(), intervals.lazy(), score_ids, start).collect()
        _write_part(current, staged / part, new, replaced, _advanced(previous, new, start))
        return new.height
    old = _stored_changes(current, replaced)
    ids = pl.col("score_id").is_in(score_ids)
    in_range = pl.col("valid_from").is_between(start, end)
    new = range_changes(state_on(old.lazy(), start - timedelta(days=1)), intervals.lazy(), score_ids, start).collect()
    rows = [new, old.filter(in_range & ~ids)]
    after = end + timedelta(days=1)
    if old.filter(pl.col("valid_from") >= after).height:
        current_state = intervals.lazy().filter(pl.col("valid_to").is_null())
        rows += [
            state_diff(current_state, state_on(old.lazy(), after), score_ids, after).collect(),
            old.filter((pl.col("valid_from") == after) & ~ids),
        ]
        replaced.add(after)
    stored = pl.concat([old.filter(~pl.col("valid_from").is_in(sorted(replaced))), *rows])
    _write_part(current, staged / part, stored, replaced, state_on(stored.lazy(), date.max).collect())
    return new.height


def purge_history(paths: Paths, score_id: str) -> int:
    """Rewrite the stored history without the rows of `score_id`, part by part; return the rows removed."""
    ensure_history(paths)
    staged = staging_dir(paths.history)
    removed = 0
    for name in _parts(paths):
        old = read_changes(paths, name)
        kept = old.filter(pl.col("score_id") != score_id)
        removed += old.height - kept.height
        state = latest_state(paths, name).filter(pl.col("score_id") != score_id)
        _write_part(paths.history / name, staged / name, kept, set(_files(paths.history / name)), state)
    if removed:
        publish_history(paths, staged, [])
    return removed
