"""engage's process settings are in place before Polars loads, or they do nothing."""

import os
import subprocess
import sys

# Records the allocator setting at the moment Polars is first imported, by `engage`'s entry module or after it.
PROBE = """
import importlib.abc, os, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "polars" and "polars" not in seen:
            seen["polars"] = os.environ.get("_RJEM_MALLOC_CONF")
        return None
sys.meta_path.insert(0, Watch())
import flows.cli.app
import polars
print(seen.get("polars", "polars not imported"))
"""


def test_the_allocator_setting_is_in_the_environment_before_polars_loads():
    # A setting the caller already made wins (setdefault), so the probe starts without one.
    env = {name: value for name, value in os.environ.items() if name != "_RJEM_MALLOC_CONF"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env)
    assert "background_thread:true" in done.stdout, done.stdout + done.stderr
