"""A run reuses the lake's snapshot of its day when it was ingested from the same inputs, and ingests
anew when a source file, the settings or a lake file differ."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import polars as pl

from flows.ingest import ingest_snapshot
from flows.io.lake_reuse import reusable_manifests
from flows.io.paths import Paths
from flows.io.snapshot_files import table_files
from tests.conftest import SNAPSHOT_DAY


def _version(paths: Paths) -> str:
    """The version folder the lake's snapshot of the day links to (a new ingest makes a new one)."""
    return os.readlink(paths.lake_snapshot(SNAPSHOT_DAY))


def _ingest(snapshot: Path, paths: Paths, caplog) -> tuple[list, str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="engage"):
        manifests = ingest_snapshot(snapshot, SNAPSHOT_DAY, paths, as_tasks=False)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith(paths.lake_snapshot(SNAPSHOT_DAY).name)]
    assert len(said) == 1, said
    return manifests, said[0]


def test_the_same_files_settings_and_code_reuse_the_lake(snapshot_copy, tmp_path, caplog):
    paths = Paths.of(tmp_path / "w" / "warehouse.duckdb")
    first, said = _ingest(snapshot_copy, paths, caplog)
    assert "no earlier ingest" in said
    version = _version(paths)
    again, said = _ingest(snapshot_copy, paths, caplog)
    assert said.endswith("reused") and _version(paths) == version
    # The same counts, quarantine included; the reusing run spent no time on any table.
    assert [{**vars(m), "seconds": 0.0} for m in first] == [vars(m) for m in again]
    assert any(m.rows_quarantined for m in again)


def test_a_changed_source_file_is_ingested_anew(snapshot_copy, tmp_path, caplog):
    paths = Paths.of(tmp_path / "w" / "warehouse.duckdb")
    _ingest(snapshot_copy, paths, caplog)
    version = _version(paths)
    contacts = table_files(snapshot_copy, "contacts")[0]
    pl.read_parquet(contacts).head(100).write_parquet(contacts)
    manifests, said = _ingest(snapshot_copy, paths, caplog)
    assert said.endswith("the files of contacts changed since the last ingest of this day: ingesting anew"), said
    assert _version(paths) != version
    assert next(m for m in manifests if m.table == "contacts").rows_kept == 100


def test_a_file_rewritten_with_its_size_and_time_kept_is_caught_by_its_hash(snapshot_copy, tmp_path, caplog):
    paths = Paths.of(tmp_path / "w" / "warehouse.duckdb")
    _ingest(snapshot_copy, paths, caplog)
    stored = paths.lake_inputs(SNAPSHOT_DAY).read_text()
    events = table_files(snapshot_copy, "events")[0]
    before = events.stat()
    data = bytearray(events.read_bytes())
    data[len(data) // 2] ^= 0xFF
    events.write_bytes(bytes(data))
    os.utime(events, ns=(before.st_atime_ns, before.st_mtime_ns))
    manifests, why = reusable_manifests(paths, SNAPSHOT_DAY, json.loads(stored))
    assert manifests is None and why.startswith(f"{events}: changed since the last ingest"), why


def test_other_settings_ingest_anew(snapshot_copy, tmp_path, caplog, monkeypatch):
    paths = Paths.of(tmp_path / "w" / "warehouse.duckdb")
    monkeypatch.setenv("ENGAGE_BUCKETS", "2")
    _ingest(snapshot_copy, paths, caplog)
    monkeypatch.setenv("ENGAGE_BUCKETS", "3")
    manifests, said = _ingest(snapshot_copy, paths, caplog)
    assert said.endswith("the bucket count changed since the last ingest of this day: ingesting anew"), said
    assert max(m.buckets for m in manifests) == 3


def test_a_damaged_lake_file_is_ingested_anew_and_whole_again(snapshot_copy, tmp_path, caplog):
    paths = Paths.of(tmp_path / "w" / "warehouse.duckdb")
    first, _ = _ingest(snapshot_copy, paths, caplog)
    part = paths.lake_partition("events", SNAPSHOT_DAY) / "data" / "part-0.parquet"
    # Published files are read-only hard links of a version: the damage is done as a disk would.
    os.chmod(part, 0o644)
    part.write_bytes(part.read_bytes()[:-100])
    again, said = _ingest(snapshot_copy, paths, caplog)
    assert said.startswith(f"{paths.lake_snapshot(SNAPSHOT_DAY).name}: {part.parent}: damaged"), said
    assert [m.rows_kept for m in again] == [m.rows_kept for m in first]
    assert pl.scan_parquet(part).select(pl.len()).collect().item() == next(m for m in first if m.table == "events").rows_kept
