"""`engage report`: the HTML page opens in a real headless Chromium without console errors."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.io.paths import Paths
from tests.browser import chromium_page
from tests.conftest import SNAPSHOT_DAY

pytestmark = pytest.mark.flow

SECTIONS = [
    "Engagement score distribution",
    "Band counts over time",
    "Platform engagement index and opportunities",
    "Partner tier progress",
    "Upcoming renewals",
]


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
    # Every kind of score is charted (chart text stays text in the SVG).
    assert all(score_id in page for score_id in ("lead_fit", "account_fit", "lead_matrix", "contact_activity"))


def test_the_report_loads_in_headless_chromium_without_console_errors(report):
    problems: list[str] = []
    with chromium_page(report.as_uri(), problems) as page:
        assert page.locator("h2").all_inner_texts() == SECTIONS
        assert page.locator("section svg").count() == len(SECTIONS)
        assert min(page.locator("section svg").evaluate_all("nodes => nodes.map(n => n.getBoundingClientRect().height)")) > 100
        shot = report.with_suffix(".png")
        page.screenshot(path=str(shot), full_page=True)
    assert problems == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_the_screenshot_shows_every_renewal_status_and_the_next_tier_line(report, backfilled):
    from flows.io.analyst import connect_read_only
    from flows.io.config_files import load_program
    from flows.io.paths import DEFAULT_CONFIG
    from transforms.dashboard.renewals import RENEWAL_STATUSES

    program = load_program(DEFAULT_CONFIG / "partner_program.yaml")
    with connect_read_only(Paths.of(backfilled)) as con:
        total = con.sql("select total_points from partner_tier where as_of = ?", params=[SNAPSHOT_DAY]).fetchall()[0][0]
    following = min(t.min_total for t in program.versions[-1].tiers if t.min_total > total)
    problems: list[str] = []
    with chromium_page(report.as_uri(), problems) as page:
        page.set_viewport_size({"width": 1400, "height": 900})

        def shown(section: str) -> list[str]:
            """The texts of a section's chart that the browser lays out with a size (what a screenshot shows)."""
            chart = page.locator("section", has=page.locator("h2", has_text=section)).locator("svg text")
            return chart.evaluate_all(
                "nodes => nodes.filter(n => { const r = n.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"
                ".map(n => n.textContent)"
            )

        renewals, tier = shown("Upcoming renewals"), shown("Partner tier progress")
        page.screenshot(path=str(report.with_name("report-checked.png")), full_page=True)
    assert problems == []
    assert [status for status in RENEWAL_STATUSES if status in renewals] == list(RENEWAL_STATUSES), renewals
    assert any(f"({following:,.0f})" in text for text in tier), tier


def test_a_report_without_any_loaded_day_says_what_to_do(tmp_path):
    result = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "no warehouse yet" in result.output


def test_the_renewals_chart_draws_every_status_of_the_spec():
    import duckdb

    from flows.report.page import STATUS_COLORS, renewals_figure
    from transforms.dashboard.renewals import RENEWAL_STATUSES

    with duckdb.connect() as con:
        con.execute(
            "create table upcoming_renewals as select * from (values "
            + ", ".join(
                f"('client {i}', date '2026-07-0{i + 1}', '{status}', 10.0, date '2026-06-30')" for i, status in enumerate(RENEWAL_STATUSES)
            )
            + ") t(client_name, renewal_deadline, status, estimated_new_mrr_usd, as_of)"
        )
        figure = renewals_figure(con, SNAPSHOT_DAY)
    axis = figure.axes[0]
    drawn = {collection.get_label(): len(collection.get_offsets()) for collection in axis.collections}
    assert drawn == dict.fromkeys(RENEWAL_STATUSES, 1)
    assert [text.get_text() for text in axis.get_legend().get_texts()] == list(RENEWAL_STATUSES)
    assert list(STATUS_COLORS) == list(RENEWAL_STATUSES)


def test_the_renewals_chart_of_a_loaded_day_shows_each_of_its_rows(backfilled):
    from flows.io.analyst import connect_read_only
    from flows.report.page import renewals_figure

    with connect_read_only(Paths.of(backfilled)) as con:
        rows = con.sql("select status, count(*) from upcoming_renewals where as_of = ? group by status", params=[SNAPSHOT_DAY]).fetchall()
        figure = renewals_figure(con, SNAPSHOT_DAY)
    drawn = {c.get_label(): len(c.get_offsets()) for c in figure.axes[0].collections if len(c.get_offsets())}
    assert drawn == dict(rows)


def test_a_day_never_loaded_is_an_error_and_the_default_file_is_named_for_the_day(backfilled):
    result = CliRunner().invoke(app, ["report", "--as-of", "2020-01-01", "--warehouse", str(backfilled)])
    assert result.exit_code == 1 and "2020-01-01 is not loaded" in result.output
    from flows.io.analyst import connect_read_only

    with connect_read_only(Paths.of(backfilled)) as con:
        latest = con.sql("select max(as_of) from run_summary").fetchall()[0][0]
    result = CliRunner().invoke(app, ["report", "--warehouse", str(backfilled)])
    assert result.exit_code == 0 and result.output.strip().endswith(f"report-{latest}.html")


def test_the_tier_chart_draws_the_next_tier_however_far(backfilled):
    from flows.io.analyst import connect_read_only
    from flows.io.config_files import load_program
    from flows.io.paths import DEFAULT_CONFIG
    from flows.report.charts import tier_progress_figure

    program = load_program(DEFAULT_CONFIG / "partner_program.yaml")
    with connect_read_only(Paths.of(backfilled)) as con:
        total = con.sql("select total_points from partner_tier order by as_of desc limit 1").fetchall()[0][0]
        figure = tier_progress_figure(con, program)
    following = sorted(t.min_total for t in program.versions[-1].tiers if t.min_total > total)
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert following and any(f"({following[0]:,.0f})" in label for label in labels), labels
    assert ".." in figure.axes[0].get_title()


def test_the_renewals_table_lists_every_open_renewal_coming_deadlines_first(report, backfilled):
    from flows.io.analyst import connect_read_only

    with connect_read_only(Paths.of(backfilled)) as con:
        rows = con.sql(
            "select count(*), count(*) filter (where days_to_deadline >= 0) from upcoming_renewals where as_of = ?", params=[SNAPSHOT_DAY]
        ).fetchall()[0]
    section = report.read_text().split("<h2>Upcoming renewals</h2>")[1]
    assert section.count("<tr>") == rows[0] + 1 and "more rows in the warehouse" not in section
