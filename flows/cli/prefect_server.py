"""A temporary Prefect server started the moment a command knows it will run a flow.

With no Prefect server configured, Prefect starts a temporary one when a flow is first called: 13-17 s
on this machine, after the 10 s of importing the flows, one after the other. Started here first, as
a process of its own, the server comes up while the command imports and checks its inputs; the
flow then finds `PREFECT_API_URL` set and waits only for what is left. The server stops when the
command ends, as Prefect's own temporary server does. A configured server (`PREFECT_API_URL`, in
the environment or the active Prefect profile) is used as it is.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Callable
from pathlib import Path

STARTUP_SECONDS = 180.0


def _configured() -> bool:
    """Whether a Prefect API is already configured: in this process's settings (when Prefect is
    loaded, as under a test harness), the environment, or the active profile."""
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return bool(PREFECT_API_URL.value())
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return bool(profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_early() -> Callable[[], None]:
    """Start a temporary Prefect server now unless one is configured; return the function that waits
    until it answers (call it just before the first flow)."""
    if _configured():
        return lambda: None
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.submodule_search_locations
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.submodule_search_locations[0]).parent)]
    command += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "error", "--lifespan", "on"]
    # What Prefect sets for its own temporary server: no UI, the ephemeral server's settings.
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    server = subprocess.Popen(command, env=env)
    atexit.register(_stop, server)
    os.environ["PREFECT_API_URL"] = url

    def ready() -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server on port {port} exited with code {server.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the temporary Prefect server on port {port} did not answer within {STARTUP_SECONDS:.0f} s")

    return ready


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
