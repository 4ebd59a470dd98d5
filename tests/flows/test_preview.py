"""`engage score`: a preview reads only what the definition needs and says what it quarantined."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

import flows.ingest
from flows.cli.app import app
from flows.io.config_files import load_definition
from flows.io.paths import DEFAULT_CONFIG
from tests.conftest import SNAPSHOT_DAY

MQL = DEFAULT_CONFIG / "scores" / "mql_engagement.yaml"


def test_a_contact_score_reads_only_its_tables_and_columns(small_snapshot, monkeypatch):
    read: dict[str, set[str] | None] = {}
    real = flows.ingest.validate_snapshot_table

    def recording(snapshot, name, parents, mappings=None, extras=None):
        read[name] = extras
        return real(snapshot, name, parents, mappings, extras)

    monkeypatch.setattr(flows.ingest, "validate_snapshot_table", recording)
    inputs, manifests = flows.ingest.read_score_inputs(small_snapshot, [load_definition(MQL)])
    # Companies are read only as parents of the resets' and lists' references; associations not at all.
    assert set(read) == {"contacts", "companies", "events", "list_memberships", "score_resets"}
    assert read["events"] == {"form_id", "page_url"}
    assert set(inputs.events.collect_schema().names()) == {*flows.ingest.TABLES["events"].column_names, "form_id", "page_url"}
    assert inputs.associations.collect().height == 0 and inputs.companies.collect().height == 0
    assert [m.table for m in manifests] == list(read)


def test_the_preview_counts_quarantined_rows_and_scores_the_rest(small_snapshot, tmp_path):
    out = tmp_path / "scores.parquet"
    args = ["score", "--definition", str(MQL), "--snapshot", str(small_snapshot), "--as-of", SNAPSHOT_DAY.isoformat(), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    # The generator plants bad contact and event rows: the line names both tables with their counts.
    line = next(text for text in result.output.splitlines() if text.startswith("rows quarantined"))
    assert "contacts " in line and "events " in line and " of " in line
    scored = pl.read_parquet(out)
    assert scored.height > 0 and scored["score_id"].unique().to_list() == ["mql_engagement"]
