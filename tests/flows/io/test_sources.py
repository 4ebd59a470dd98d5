"""The PostgreSQL source against a real server (`.ci/services` starts one; ENGAGE_TEST_POSTGRES names it)."""

import os
import uuid

import pytest

from flows.ingest import read_snapshot
from flows.io.analyst import connect_read_only
from flows.io.errors import SnapshotError
from flows.io.paths import Paths
from flows.io.source_urls import redacted, split_source
from flows.io.sources import pull_postgres
from tests.conftest import SNAPSHOT_DAY, require_service
from transforms.snapshot.contract import INGEST_ORDER

pytestmark = pytest.mark.flow


@pytest.fixture(scope="module")
def postgres() -> str:
    return require_service("ENGAGE_TEST_POSTGRES", "a PostgreSQL server")


@pytest.fixture(scope="module")
def crm_schema(postgres, small_snapshot) -> str:
    """A schema holding the contract tables of the small snapshot (its valid rows)."""
    import adbc_driver_postgresql.dbapi as pg

    schema = f"crm_{uuid.uuid4().hex[:8]}"
    tables = read_snapshot(small_snapshot, list(INGEST_ORDER))
    with pg.connect(postgres) as con, con.cursor() as cur:
        cur.execute(f"create schema {schema}")
        for name, frame in tables.items():
            cur.adbc_ingest(name, frame.to_arrow(), mode="create", db_schema_name=schema)
        con.commit()
    return schema


def test_pulled_tables_validate_to_the_same_rows_as_the_files(postgres, crm_schema, small_snapshot, tmp_path):
    counts = pull_postgres.fn(f"{postgres}?schema={crm_schema}", tmp_path / "pulled")
    expected = read_snapshot(small_snapshot, list(INGEST_ORDER))
    assert counts == {name: frame.height for name, frame in expected.items()}
    pulled = read_snapshot(tmp_path / "pulled", list(INGEST_ORDER))
    for name in INGEST_ORDER:
        key = pulled[name].columns[:3]
        assert pulled[name].sort(key).equals(expected[name].sort(key)), name


@pytest.mark.usefixtures("prefect_harness")
def test_the_daily_flow_loads_straight_from_the_source(postgres, crm_schema, tmp_path):
    from flows.daily import daily_flow

    warehouse = tmp_path / "warehouse.duckdb"
    daily_flow(f"{postgres}?schema={crm_schema}", SNAPSHOT_DAY, str(warehouse))
    with connect_read_only(Paths.of(warehouse)) as con:
        assert con.sql("select count(*) from engagement_scores").fetchall()[0][0] > 400
        assert con.sql("select count(*) from quarantine").fetchall()[0][0] == 0
    assert (Paths.of(warehouse).root / "snapshots" / f"postgres-{SNAPSHOT_DAY}" / "events.parquet").exists()


def test_a_schema_that_is_not_a_plain_name_is_refused_before_any_query(postgres, tmp_path):
    with pytest.raises(SnapshotError, match="is not a plain lower-case identifier"):
        pull_postgres.fn(f"{postgres}?schema=crm%22%3B%20drop%20table%20x%3B--", tmp_path / "pulled")


def test_a_schema_without_the_contract_tables_names_what_is_missing(postgres, tmp_path):
    with pytest.raises(SnapshotError, match="lacks required table\\(s\\) contacts, companies"):
        pull_postgres.fn(f"{postgres}?schema=nowhere", tmp_path / "pulled")
    assert not (tmp_path / "pulled").exists()


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_on_a_schema_without_its_tables_stops_at_the_first_attempt_naming_them_all(postgres, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.daily import daily_flow

    state = daily_flow(f"{postgres}?schema=nowhere", SNAPSHOT_DAY, str(tmp_path / "w.duckdb"), return_state=True)
    assert state.is_failed()
    with pytest.raises(SnapshotError, match=r"schema nowhere lacks required table\(s\) contacts, events$"):
        state.result()
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    # A missing table is not worth a retry: the pull ran once.
    assert [(run.name.split("-")[0:2], run.run_count) for run in runs] == [(["pull", "postgres"], 1)]


def test_passwords_never_reach_logs_and_the_schema_leaves_the_connection_url():
    assert redacted("postgresql://u:secret@h:5432/db?schema=crm") == "postgresql://u:***@h:5432/db?schema=crm"
    assert split_source("postgresql://u@h/db?schema=crm&sslmode=disable") == ("postgresql://u@h/db?sslmode=disable", "crm")


@pytest.mark.usefixtures("prefect_harness")
def test_the_cli_passes_a_source_url_through_and_refuses_a_bad_schema_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from flows.cli.app import app

    url = "postgresql://engage@127.0.0.1:1/db?schema=Crm-1"
    result = CliRunner().invoke(app, ["run", "--snapshot", url, "--as-of", "2026-06-30", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "error: postgresql://engage@127.0.0.1:1/db?schema=Crm-1: schema 'Crm-1' is not a plain lower-case identifier" in result.output


def test_a_password_in_the_url_is_masked_everywhere_and_kept_out_of_the_url():
    from flows.io.source_urls import without_password

    assert redacted("postgresql://u@h/db?schema=crm&password=secret") == "postgresql://u@h/db?schema=crm&password=***"
    assert without_password("postgresql://u:p%40ss@h/db?schema=crm") == ("postgresql://u@h/db?schema=crm", "p@ss")
    assert without_password("postgresql://u@h/db?password=s&schema=crm") == ("postgresql://u@h/db?schema=crm", "s")


def test_the_flow_refuses_a_password_in_its_parameters(tmp_path):
    with pytest.raises(SnapshotError, match="would be stored with the run's parameters; set it in PGPASSWORD"):
        pull_postgres.fn("postgresql://u:secret@127.0.0.1:1/db?schema=crm", tmp_path / "pulled")


def test_a_refused_connection_is_one_line_without_the_password(tmp_path):
    with pytest.raises(ConnectionError) as err:
        pull_postgres.fn("postgresql://u@127.0.0.1:1/db?schema=crm", tmp_path / "pulled")
    assert "postgresql://u@127.0.0.1:1/db?schema=crm: cannot connect:" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.usefixtures("prefect_harness")
def test_the_cli_keeps_the_password_out_of_the_stored_run_parameters(postgres, crm_schema, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client
    from typer.testing import CliRunner

    from flows.cli.app import app

    monkeypatch.delenv("PGPASSWORD", raising=False)
    with_password = postgres.replace("://engage@", "://engage:s3cret-word@") + f"?schema={crm_schema}"
    result = CliRunner().invoke(
        app, ["run", "--snapshot", with_password, "--as-of", "2026-06-30", "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 0, result.output
    assert os.environ.get("PGPASSWORD") == "s3cret-word"

    async def stored() -> str:
        async with get_client() as client:
            runs = await client.read_flow_runs(limit=200)
            return repr([(run.parameters, run.name) for run in runs])

    import asyncio

    assert crm_schema in asyncio.run(stored()) and "s3cret-word" not in asyncio.run(stored())
