"""Progress of long steps: log lines with rows per second and time left, or a bar on a terminal."""

from __future__ import annotations

import io
import logging

from rich.console import Console

import flows.progress
from flows.progress import StepProgress


def test_without_a_terminal_a_long_step_logs_how_far_it_is_with_rows_per_second_and_time_left(caplog, monkeypatch):
    monkeypatch.setattr(flows.progress, "PROGRESS_SECONDS", 0.0)
    with caplog.at_level(logging.INFO, logger="engage"), StepProgress("events", 1_000_000, "rows read and checked") as progress:
        progress.update(250_000, 250_000)
    assert "events: 250,000 of 1,000,000 rows read and checked" in caplog.text
    assert "rows/s" in caplog.text and "s left" in caplog.text


def test_lines_come_at_most_every_few_seconds_and_once_more_when_the_step_ends(caplog):
    with caplog.at_level(logging.INFO, logger="engage"), StepProgress("scores 2026-06-30", 3, "buckets") as progress:
        progress.update(1, 10)
        progress.update(2, 20)
        progress.update(3, 30)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("scores")]
    assert len(lines) == 1 and lines[0].startswith("scores 2026-06-30: 3 of 3 buckets")


def test_on_a_terminal_a_bar_shows_the_step_its_count_and_rate(caplog):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with caplog.at_level(logging.INFO, logger="engage"), StepProgress("scores 2026-06-30", 4, "buckets", console) as progress:
        progress.update(2, 5000)
        assert progress.bar is not None
        progress.bar.refresh()
    drawn = screen.getvalue()
    assert "scores 2026-06-30" in drawn and "2/4" in drawn and "rows/s" in drawn
    assert not [r for r in caplog.records if r.getMessage().startswith("scores")]
