"""The run lock and atomic publishing, at the file level."""

import select
import subprocess
import sys
import time
from pathlib import Path

from flows.io.storage import exclusive_lock, publish, staging_dir

WAITER = """
import logging, sys, time
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
from pathlib import Path
from flows.io.storage import exclusive_lock
with exclusive_lock(Path(sys.argv[1]), "warehouse test"):
    print("acquired", time.monotonic(), flush=True)
"""


def test_a_second_run_waits_for_the_lock_and_says_so(tmp_path):
    lock = tmp_path / ".warehouse.lock"
    with exclusive_lock(lock, "warehouse test"):
        proc = subprocess.Popen([sys.executable, "-c", WAITER, str(lock)], stdout=subprocess.PIPE, text=True)
        # However slowly the second run starts, it must find the lock taken and say it waits.
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        said = proc.stdout.readline() if ready else ""
        assert "warehouse test is locked by pid" in said and "waiting for it to finish" in said, said
        time.sleep(0.5)
        assert proc.poll() is None, "the second run did not wait"
        released = time.monotonic()
    out, _ = proc.communicate(timeout=30)
    assert float(out.strip().splitlines()[-1].split()[1]) >= released


def test_publish_swaps_the_folder_and_keeps_one_previous_version(tmp_path):
    link = tmp_path / "day=2026-06-30"
    for content in ("one", "two", "three"):
        staged = staging_dir(link)
        (staged / "t.txt").write_text(content)
        publish(staged, link)
    assert (link / "t.txt").read_text() == "three"
    assert len(list((tmp_path / ".versions" / link.name).iterdir())) == 2


def test_a_full_disk_is_one_error_naming_the_file_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import errno

    import polars as pl
    import pytest

    from flows.io.storage import write_parquet

    def full(self, path, **kwargs):
        Path(path).write_bytes(b"PAR1 partial")
        raise pl.exceptions.ComputeError("failed to write: No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    target = tmp_path / "day" / "table.parquet"
    with pytest.raises(OSError) as err:
        write_parquet(pl.DataFrame({"a": [1]}), target)
    assert str(err.value) == f"{target}: cannot be written: failed to write: No space left on device (os error 28)"
    assert err.value.errno == errno.ENOSPC
    assert list(target.parent.iterdir()) == []


def test_leftovers_are_the_temporaries_and_the_versions_never_swapped_in(tmp_path):
    from flows.io.storage import leftovers, remove_leftovers

    link = tmp_path / "store" / "day=2026-06-30"
    old = staging_dir(link)
    publish(old, link)
    time.sleep(1.1)
    current = staging_dir(link)
    publish(current, link)
    time.sleep(1.1)
    killed = staging_dir(link)
    (killed / "half.parquet").write_bytes(b"x" * 100)
    never = staging_dir(tmp_path / "store" / "day=2026-07-01")
    temporary = tmp_path / "store" / "run_log" / ".r.parquet.0123abcd.tmp"
    temporary.parent.mkdir()
    temporary.write_bytes(b"y" * 10)
    staging = tmp_path / "lake" / ".staging-2026-06-30.89abcdef.tmp"
    (staging / "events").mkdir(parents=True)
    catalog = tmp_path / ".warehouse.duckdb.deadbeef.tmp"
    catalog.write_bytes(b"z")
    kept = [old, current, tmp_path / "store" / "run_log" / "r.parquet"]
    kept[2].write_bytes(b"ok")
    found = leftovers([tmp_path / "store", tmp_path / "lake"], beside=tmp_path / "warehouse.duckdb")
    assert found == sorted([killed, never, temporary, staging, catalog])
    assert remove_leftovers([tmp_path / "store", tmp_path / "lake"], beside=tmp_path / "warehouse.duckdb") == (5, 111)
    assert all(path.exists() for path in kept) and link.resolve() == current.resolve()
    assert leftovers([tmp_path / "store", tmp_path / "lake"], beside=tmp_path / "warehouse.duckdb") == []
