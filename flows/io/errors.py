"""The error contract: a failure is one line naming the file or table and the reason, and its
traceback goes to a log file that line names."""

from __future__ import annotations

import errno
import os
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from flows.io.paths import PROJECT_ROOT

# Where the tracebacks of failed commands go (ENGAGE_LOG_DIR overrides).
DEFAULT_LOG_DIR = PROJECT_ROOT / "data" / "logs"


class SnapshotError(Exception):
    """A snapshot that cannot be read at all: the message names the file and the reason."""


def transient(task: object, task_run: object, state: Any) -> bool:
    """Whether a failed task is worth a retry (a Prefect retry condition): read and connection errors
    of the system are, a full disk and an input that breaks the contract are not."""
    try:
        state.result()
    except SnapshotError:
        return False
    except OSError as exc:
        return exc.errno != errno.ENOSPC
    return False


def one_line(text: str) -> str:
    """`text` on one line: control characters (a file name holding a newline) shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.strip())


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an error's message (libraries add hints below it), on one line;
    the kind of error when it has no message."""
    line = next((line for line in str(exc).splitlines() if line.strip()), "")
    return one_line(line) if line else type(exc).__name__


def describe(exc: BaseException) -> str:
    """What went wrong, for people: the message of an error engage or the system raised (it names
    the file or table), else the kind of error and the first line of its message."""
    module = type(exc).__module__
    ours = module.split(".")[0] in ("flows", "transforms")
    if ours or (module == "builtins" and isinstance(exc, OSError | ValueError | RuntimeError)):
        return one_line(str(exc) or type(exc).__name__)
    first = first_line(exc)
    return first if first == type(exc).__name__ else f"{type(exc).__name__}: {first}"


def log_traceback(exc: BaseException) -> Path | None:
    """Write `exc`'s traceback to a new file in the log folder (the temporary folder when that one
    cannot be written, say on a full disk); return the file, or None when nothing could be written."""
    name = f"engage-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    for folder in (Path(os.environ.get("ENGAGE_LOG_DIR") or DEFAULT_LOG_DIR), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
            return folder / name
        except OSError:
            continue
    return None


def failure_line(exc: BaseException) -> str:
    """The one line a failed command prints: `error: <what>`, and where its traceback was written.
    A stored file that a reader could not read comes with the command that finds every such file."""
    logged = log_traceback(exc) if exc.__traceback__ is not None else None
    what = describe(exc)
    if ".parquet" in what and "doctor" not in what and not isinstance(exc, SnapshotError):
        what += "; `engage doctor` lists every damaged file with its repair"
    return f"error: {what}" + (f" (details: {logged})" if logged else "")
