"""The run lock and atomic publishing, at the file level."""

import select
import subprocess
import sys
import time

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
