"""`engage report`: the HTML page opens in a real headless Chromium without console errors."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.paths import Paths
from tests.conftest import SNAPSHOT_DAY, require_service

pytestmark = pytest.mark.flow

SECTIONS = [
    "Engagement score distribution",
    "Band counts over time",
    "Platform engagement index and opportunities",
    "Partner tier progress",
    "Upcoming renewals",
]
# Headless Chromium as root on a machine with no network or display (see /usr/bin/chromium's flags).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def report(backfilled) -> Path:
    out = Paths.of(backfilled).reports / "report.html"
    result = CliRunner().invoke(app, ["report", "--as-of", SNAPSHOT_DAY.isoformat(), "--warehouse", str(backfilled), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_report_has_every_chart_and_table(report):
    page = report.read_text()
    assert all(f"<h2>{title}</h2>" in page for title in SECTIONS)
    assert page.count("<svg") == len(SECTIONS), "a chart is missing"
    assert page.count("<table>") == len(SECTIONS)
    assert "<script" not in page


def test_the_report_loads_in_headless_chromium_without_console_errors(report):
    from playwright.sync_api import sync_playwright

    chromium = require_service("ENGAGE_TEST_CHROMIUM", "Chromium (Debian's chromium package)")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append(f"failed to load {request.url}"))
        page.goto(report.as_uri(), wait_until="load")
        assert page.locator("h2").all_inner_texts() == SECTIONS
        assert page.locator("section svg").count() == len(SECTIONS)
        assert min(page.locator("section svg").evaluate_all("nodes => nodes.map(n => n.getBoundingClientRect().height)")) > 100
        shot = report.with_suffix(".png")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert problems == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_a_report_without_any_loaded_day_says_what_to_do(tmp_path):
    result = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "no warehouse yet" in result.output
