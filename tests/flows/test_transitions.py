"""`engage scores suggest` and `engage scores evaluate` on a generated snapshot with the planted
signal: the draft finds it and previews, later events cannot leak in, the evaluation draws its page."""

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.browser import chromium_page
from tests.conftest import SNAPSHOT_DAY

STAGES = ["--from-stage", "subscriber", "--to-stage", "marketing_qualified_lead", "--days", "180"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    from flows.dev.generate import generate_snapshot

    out = tmp_path_factory.mktemp("planted") / "snap"
    generate_snapshot(out, contacts=6000, seed=5, as_of=SNAPSHOT_DAY)
    return out


@pytest.fixture(scope="module")
def suggested(planted, tmp_path_factory) -> tuple[Path, str]:
    """The suggestion's file and what the command printed."""
    out = tmp_path_factory.mktemp("suggested") / "suggested.yaml"
    return out, _suggest(planted, out)


def _suggest(snapshot: Path, out: Path) -> str:
    args = ["scores", "suggest", "--snapshot", str(snapshot), "--as-of", SNAPSHOT_DAY.isoformat(), *STAGES, "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_suggestion_finds_the_planted_signals_and_its_draft_previews(planted, suggested, tmp_path):
    from flows.io.config_files import load_definition

    path, output = suggested
    assert "held-out AUC" in output and "not predictive" not in output
    definition = load_definition(path)
    assert definition.status == "draft"
    points = {(r.event, r.filters[0].operands[0] if r.filters else None): r.points for r in definition.rules}
    forms = [p for (event, value), p in points.items() if event == "form_submission" and value in ("demo_request", "contact_us")]
    pricing = [p for (event, value), p in points.items() if event == "page_view" and value and "pricing" in value]
    assert forms and min(forms) > 0 and pricing and min(pricing) > 0
    assert points.get(("email_unsubscribe", None), 0) < 0 and points.get(("email_bounce", None), 0) < 0
    assert points.get(("email_reply", None), 0) > 0
    preview = CliRunner().invoke(
        app,
        [
            "score",
            "--definition",
            str(path),
            "--snapshot",
            str(planted),
            "--as-of",
            SNAPSHOT_DAY.isoformat(),
            "--out",
            str(tmp_path / "s.parquet"),
        ],
    )
    assert preview.exit_code == 0 and pl.read_parquet(tmp_path / "s.parquet").height > 0, preview.output


def test_events_after_each_transition_cannot_change_the_suggestion(planted, suggested, tmp_path):
    import shutil
    from datetime import timedelta

    changed = tmp_path / "snap"
    shutil.copytree(planted, changed)
    events = pl.read_parquet(sorted((changed / "events").glob("*.parquet")))
    moves = events.filter(pl.col("event_id").str.starts_with("ev-mql-"))
    # After each move: the strongest signals there are, which a leak would find at once.
    later = pl.concat(
        [
            moves.with_columns(
                pl.format("ev-late-{}-{}", pl.lit(i), "event_id").alias("event_id"),
                pl.lit(kind).alias("event_type"),
                (pl.col("occurred_at") + timedelta(minutes=i + 1)).alias("occurred_at"),
                pl.lit(form).alias("form_id"),
                pl.lit(None, dtype=pl.String).alias("from_stage"),
                pl.lit(None, dtype=pl.String).alias("to_stage"),
            )
            for i, (kind, form) in enumerate([("form_submission", "demo_request"), ("email_unsubscribe", None), ("chat", None)])
        ]
    ).filter(pl.col("occurred_at").dt.date() <= SNAPSHOT_DAY)
    later.write_parquet(changed / "events" / "part-late.parquet")
    _suggest(changed, tmp_path / "after.yaml")
    assert later.height > 100
    assert (tmp_path / "after.yaml").read_text() == suggested[0].read_text()


def test_evaluate_compares_the_shipped_score_with_the_suggestion_and_draws_the_page(planted, suggested, tmp_path):
    page = tmp_path / "evaluation.html"
    args = ["scores", "evaluate", "mql_engagement", *STAGES, "--suggested", str(suggested[0])]
    result = CliRunner().invoke(app, [*args, "--snapshot", str(planted), "--as-of", SNAPSHOT_DAY.isoformat(), "--chart", str(page)])
    assert result.exit_code == 0, result.output
    assert "mql_engagement" in result.output and "lift top 10%" in result.output and f"chart: {page}" in result.output
    text = page.read_text()
    assert text.count("<svg") == 1 and text.count("<table>") == 2 and "suggested_subscriber_to_marketing_qualified_lead" in text
    problems: list[str] = []
    with chromium_page(page.as_uri(), problems) as tab:
        chart = tab.locator("svg").bounding_box()
        tab.screenshot(path=str(tmp_path / "evaluation.png"), full_page=True)
    assert not problems and chart is not None and chart["width"] > 600 and chart["height"] > 200
    markdown = CliRunner().invoke(
        app, [*args, "--snapshot", str(planted), "--as-of", SNAPSHOT_DAY.isoformat(), "--chart", str(tmp_path / "e.md")]
    )
    assert markdown.exit_code == 0 and (tmp_path / "e.png").stat().st_size > 10_000 and "![" in (tmp_path / "e.md").read_text()


def test_unknown_stages_and_a_missing_definition_are_bad_arguments(planted):
    bad = CliRunner().invoke(
        app,
        [
            "scores",
            "evaluate",
            "mql_engagement",
            "--from-stage",
            "subscribr",
            "--to-stage",
            "lead",
            "--snapshot",
            str(planted),
            "--as-of",
            "2026-06-30",
        ],
    )
    assert bad.exit_code == 2 and "'subscribr' is not a lifecycle stage" in bad.output
    unknown = CliRunner().invoke(app, ["scores", "evaluate", "nope", *STAGES, "--snapshot", str(planted), "--as-of", "2026-06-30"])
    assert unknown.exit_code == 2 and "no definition with id 'nope'" in unknown.output


def test_evaluate_reads_the_warehouse_lake_when_no_snapshot_is_given(backfilled):
    args = ["scores", "evaluate", "mql_engagement", *STAGES, "--warehouse", str(backfilled)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "mql_engagement" in result.output and "AUC" in result.output
