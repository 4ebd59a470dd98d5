"""Storing score history: daily extension, replacing a range, rebasing the next day, purging, parts."""

from datetime import date

import polars as pl
import pyarrow.parquet as pq
import pytest

import flows.io.history_store
from flows.io.history_store import (
    covered_days,
    history_part,
    latest_state,
    open_history,
    publish_history,
    purge_history,
    read_before_writing,
    read_changes,
    read_company_parts,
    store_part,
    write_company_parts,
)
from flows.io.paths import Paths, bucket_part, score_parts
from flows.io.storage import publish, staging_dir, write_parquet
from transforms.common.calendar import days_between
from transforms.common.tables import OutputValidationError
from transforms.scores.history import CompanyParts
from transforms.scores.history_changes import state_on

D = [date(2026, 1, n) for n in range(1, 11)]
COLUMNS = ["score_id", "object_type", "portal_id", "record_id", "score", "band", "valid_from", "valid_to"]


def intervals(*items: tuple, score_id: str = "s") -> pl.DataFrame:
    """items: (record_id, score, valid_from, valid_to)."""
    data = [(score_id, "contact", 1, r, s, None, f, t) for r, s, f, t in items]
    return pl.DataFrame(data, schema=COLUMNS, orient="row", schema_overrides={"band": pl.String, "valid_to": pl.Date})


def store(paths: Paths, frame: pl.DataFrame, score_ids: list[str], start: date, end: date, buckets: int = 1) -> int:
    """Store `frame` as a run does: one version, each part written from its own records."""
    staged = open_history(paths, buckets)
    parts = score_parts(buckets)
    written = sum(store_part(paths, staged, name, frame.filter(history_part(buckets) == name), score_ids, start, end) for name in parts)
    publish_history(paths, staged, days_between(start, end))
    return written


def scores_on(paths: Paths, day: date) -> dict[tuple, float]:
    state = state_on(read_changes(paths).lazy(), day).collect()
    return {(s, r): v for s, r, v in state.select("score_id", "record_id", "score").rows()}


def assert_state_is_the_latest(paths: Paths) -> None:
    """The state file holds exactly what every change row says about the last day."""
    expected = state_on(read_changes(paths).lazy(), date.max).collect()
    assert latest_state(paths).sort(COLUMNS[:4]).equals(expected.select(latest_state(paths).columns).sort(COLUMNS[:4]))


def test_a_range_then_a_day_then_an_earlier_range_keep_every_day_right(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    assert store(paths, intervals((1, 5.0, D[0], D[2]), (1, 7.0, D[2], None), (2, 0.0, D[0], None)), ["s"], D[0], D[4]) == 3
    # a day where only record 2 changes and record 3 appears writes two rows
    assert store(paths, intervals((1, 7.0, D[5], None), (2, 1.0, D[5], None), (3, 2.0, D[5], None)), ["s"], D[5], D[5]) == 2
    # days 2-3 recomputed: record 1 is 9 there; day 4 must still read 7 (rebased), and day 6 is untouched
    store(paths, intervals((1, 9.0, D[1], None), (2, 0.0, D[1], None)), ["s"], D[1], D[2])
    expected = {0: {1: 5.0, 2: 0.0}, 1: {1: 9.0, 2: 0.0}, 2: {1: 9.0, 2: 0.0}, 3: {1: 7.0, 2: 0.0}, 5: {1: 7.0, 2: 1.0, 3: 2.0}}
    for day, values in expected.items():
        assert scores_on(paths, D[day]) == {("s", r): v for r, v in values.items()}, D[day]
    assert covered_days(paths) == D[:6]
    assert_state_is_the_latest(paths)


def test_a_rerun_of_a_day_changes_nothing_and_other_definitions_are_kept(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, intervals((1, 5.0, D[0], None), score_id="other"), ["other"], D[0], D[0])
    store(paths, intervals((1, 3.0, D[0], None)), ["s"], D[0], D[0])
    first = read_changes(paths).sort(COLUMNS[:-1])
    store(paths, intervals((1, 3.0, D[0], None)), ["s"], D[0], D[0])
    assert read_changes(paths).sort(COLUMNS[:-1]).equals(first)
    assert scores_on(paths, D[0]) == {("other", 1): 5.0, ("s", 1): 3.0}
    assert purge_history(paths, "other") == 1
    assert scores_on(paths, D[0]) == {("s", 1): 3.0}
    assert_state_is_the_latest(paths)


def test_a_record_leaving_the_scope_gets_no_score_from_that_day(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, intervals((1, 5.0, D[0], None), (2, 4.0, D[0], None)), ["s"], D[0], D[0])
    store(paths, intervals((1, 5.0, D[1], None)), ["s"], D[1], D[1])
    assert scores_on(paths, D[0]) == {("s", 1): 5.0, ("s", 2): 4.0}
    assert scores_on(paths, D[1]) == {("s", 1): 5.0}


def test_bad_intervals_are_refused_before_anything_is_written(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, intervals((1, 5.0, D[0], None)), ["s"], D[0], D[0])
    with pytest.raises(OutputValidationError, match="valid_to is after valid_from"):
        store(paths, intervals((1, 5.0, D[2], D[1])), ["s"], D[0], D[2])
    assert scores_on(paths, D[2]) == {("s", 1): 5.0}
    assert covered_days(paths) == D[:1]


def test_extending_the_history_reads_the_state_file_not_the_change_rows(tmp_path, monkeypatch):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, intervals((1, 5.0, D[0], D[3]), (1, 6.0, D[3], None), (2, 4.0, D[0], None)), ["s"], D[0], D[4])

    def no_full_read(_paths: Paths, _part: str | None = None) -> pl.DataFrame:
        raise AssertionError("a daily extension read every change row")

    monkeypatch.setattr(flows.io.history_store, "read_changes", no_full_read)
    for day, items in ((D[5], [(1, 6.0, D[5], None)]), (D[6], [(1, 8.0, D[6], None), (3, 1.0, D[6], None)])):
        store(paths, intervals(*items), ["s"], day, day)
    monkeypatch.undo()
    # Record 2 left the scope on D[5]; record 1 moved to 8 and record 3 appeared on D[6].
    assert scores_on(paths, D[6]) == {("s", 1): 8.0, ("s", 3): 1.0}
    assert scores_on(paths, D[4]) == {("s", 1): 6.0, ("s", 2): 4.0}
    assert_state_is_the_latest(paths)


def test_a_run_relies_on_the_states_it_extends_and_rewrites_a_damaged_day_it_stores(tmp_path, caplog):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, intervals((1, 5.0, D[0], D[2]), (1, 7.0, D[2], None)), ["s"], D[0], D[4])
    part = paths.history / score_parts(1)[0]
    extending, rewriting = read_before_writing(paths, D[5]), read_before_writing(paths, D[2])
    assert paths.history / "coverage.parquet" in extending and paths.history / "coverage.parquet" in rewriting
    assert part / "state.parquet" in extending and part / "state.parquet" not in rewriting  # rebuilt from change rows

    damaged = part / f"changes_{D[2]}.parquet"
    damaged.write_bytes(b"PAR1 truncated")  # a new file: the previous version keeps its own
    with pytest.raises(OSError, match=f"changes_{D[2]}.parquet: damaged"):
        store(paths, intervals((1, 5.0, D[1], None)), ["s"], D[1], D[1])
    store(paths, intervals((1, 7.0, D[2], None)), ["s"], D[2], D[2])
    assert f"changes_{D[2]}.parquet: damaged" in caplog.text and f"writing day {D[2]} anew" in caplog.text
    assert scores_on(paths, D[1]) == {("s", 1): 5.0} and scores_on(paths, D[4]) == {("s", 1): 7.0}
    assert_state_is_the_latest(paths)


def many(day: date, records: range, score: float) -> pl.DataFrame:
    """Contact and company intervals of `records` from `day` on, in two portals."""
    rows = [("s", kind, portal, r, score + r, None, day, None) for kind in ("contact", "company") for portal in (1, 2) for r in records]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row", schema_overrides={"band": pl.String, "valid_to": pl.Date})


def test_each_part_holds_its_own_records_and_a_new_bucket_count_splits_the_store_anew(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    store(paths, many(D[0], range(40), 1.0), ["s"], D[0], D[0], buckets=3)
    store(paths, many(D[1], range(20, 60), 2.0), ["s"], D[1], D[1], buckets=3)
    for buckets in (3, 5, 1):
        if buckets != 3:
            publish_history(paths, open_history(paths, buckets), [])
        parts = sorted(p.name for p in paths.history.iterdir() if p.is_dir())
        # Five buckets: the companies in two slices, `companies-0` and `companies-1`.
        assert parts == sorted(["_schema", *score_parts(buckets)]) and (buckets == 5) == ("companies-1" in parts)
        for part in parts[1:]:
            rows = read_changes(paths, part)
            assert rows.height and rows.select((history_part(buckets) == part).all()).item(), part
        assert scores_on(paths, D[0])[("s", 39)] == 40.0
        assert state_on(read_changes(paths).lazy(), D[1]).collect().height == 4 * 40 and covered_days(paths) == D[:2]
        assert_state_is_the_latest(paths)
    # The records of days 0 and 1 as one history: 40 rows per kind and portal, then 40 changed and 20 left.
    assert read_changes(paths).height == 4 * (40 + 40 + 20)


def test_a_store_written_before_parts_is_split_on_first_use(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    rows = many(D[0], range(10), 1.0).drop("valid_to")
    flat = staging_dir(paths.history)
    write_parquet(rows, flat / "changes_2026-01-01.parquet")
    write_parquet(pl.DataFrame({"day": [D[0]]}), flat / "coverage.parquet")
    publish(flat, paths.history)
    store(paths, many(D[1], range(10), 1.0), ["s"], D[1], D[1], buckets=2)
    assert [path.name for path in paths.history.glob("*.parquet")] == ["coverage.parquet"]
    assert read_changes(paths).sort(COLUMNS[:4]).equals(rows.sort(COLUMNS[:4]))
    assert covered_days(paths) == D[:2] and state_on(read_changes(paths).lazy(), D[1]).collect().height == 4 * 10
    assert_state_is_the_latest(paths)


def company_parts(records: range, cents: int) -> CompanyParts:
    """A bucket's parts of the companies `records` (portal 1, definition 0), each changing on D[0]."""
    keys = pl.DataFrame({"score_index": 0, "portal_id": 1, "record_id": list(records)}).cast({"score_index": pl.Int32})
    return CompanyParts(
        keys.with_columns(day=pl.lit(D[0]), cents=pl.lit(cents, dtype=pl.Int64)),
        keys.with_columns(n=pl.lit(1, dtype=pl.UInt32)),
        keys.with_columns(day=pl.lit(D[0]), cents=pl.lit(-cents, dtype=pl.Int64)),
    )


def test_the_merge_of_a_company_slice_reads_every_buckets_rows_of_that_slice_and_only_their_row_groups(tmp_path):
    parts = {0: company_parts(range(40), 100), 3: company_parts(range(20, 90), 7)}
    for bucket, part in parts.items():
        write_company_parts(tmp_path, bucket, part, 3)
    for number in range(3):
        read = read_company_parts(tmp_path, number)
        expected = [part.of_slice(number, 3) for part in parts.values()]
        assert len(read) == 2
        for got, want in zip(read, expected, strict=True):
            assert got.summed.equals(want.summed) and got.counts.equals(want.counts) and got.extremes.equals(want.extremes)
    # A row group per slice, each holding one slice: a reader of one slice skips the others by their statistics.
    footer = pq.ParquetFile(tmp_path / bucket_part(3) / "summed.parquet").metadata
    stats = [footer.row_group(i).column(footer.num_columns - 1).statistics for i in range(footer.num_row_groups)]
    assert [(s.min, s.max) for s in stats] == [(0, 0), (1, 1), (2, 2)]
    assert read_company_parts(tmp_path / "none", 0) == []
