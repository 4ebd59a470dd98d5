"""Progress of long steps: a bar on a terminal, log lines otherwise, both with rows per second and
the time left."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flows.io.logs import run_logger

# At most one log line per step this often (a terminal bar redraws itself).
PROGRESS_SECONDS = 10.0


class StepProgress:
    """How far one long step is (`done` of `total` units, rows processed so far). On a terminal a
    bar, else a log line at most every PROGRESS_SECONDS; the time left once the total is known."""

    def __init__(self, step: str, total: int | None, unit: str, console: Console | None = None) -> None:
        self.step, self.total, self.unit = step, total, unit
        self.started = self.shown = time.perf_counter()
        if console is None and sys.stderr.isatty():
            console = Console(stderr=True)
        self.bar: Progress | None = None
        if console is not None:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(f"{unit} · {{task.fields[rate]}}"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self.task = self.bar.add_task(step, total=total, rate="")
            self.bar.start()

    def __enter__(self) -> StepProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self.bar is not None:
            self.bar.stop()

    def update(self, done: int, rows: int) -> None:
        """`done` units of the total are finished, `rows` rows processed in all."""
        now = time.perf_counter()
        rate = rows / max(now - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, rate=f"{rate:,.0f} rows/s")
            return
        if now - self.shown < PROGRESS_SECONDS and not (self.total and done >= self.total):
            return
        self.shown = now
        of = f" of {self.total:,}" if self.total else ""
        left = ""
        if self.total and done:
            left = f", {(now - self.started) * (self.total - done) / done:.0f}s left"
        run_logger().info("%s: %s%s %s, %.0f rows/s%s", self.step, f"{done:,}", of, self.unit, rate, left)
