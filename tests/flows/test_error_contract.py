"""The error contract, walked through `engage` itself: every failure kind ends in one line naming the
file or table and the reason, a non-zero exit, and the traceback in the log file that line names."""

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli.app import main
from flows.io.paths import Paths
from flows.io.snapshot_files import MAX_LINE_BYTES
from tests.conftest import SNAPSHOT_DAY

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

DAY = SNAPSHOT_DAY.isoformat()
EVENT = {"portal_id": [1], "event_id": ["x1"], "contact_id": [1], "event_type": ["email_open"], "occurred_at": ["2026-01-01"]}


def _engage(capsys, *args: str) -> tuple[int, str]:
    """Run `engage args`; return the exit code and the one `error:` line (asserting there is one)."""
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, errors
    return int(ended.value.code or 0), errors[0]


def _details(line: str) -> str:
    logged = re.search(r"\(details: (.+)\)$", line)
    assert logged, f"no log file named: {line}"
    return Path(logged.group(1)).read_text()


def _clash(events: Path) -> None:
    (events / "extra.csv").write_text("portal_id,event_id,contact_id,event_type,occurred_at,SNAPSHOT_DATE\n")


def _binary(events: Path) -> None:
    pq.write_table(pa.table({**EVENT, "event_id": pa.array([b"x\xff"], pa.binary())}), events / "zz-bytes.parquet")


def _long_line(events: Path) -> None:
    header = ",".join(EVENT).encode()
    (events / "long.csv").write_bytes(header + b"\n1,x2,1,email_open," + b"2" * (2 * MAX_LINE_BYTES) + b"\n")


@pytest.mark.parametrize(
    ("plant", "said"),
    [
        (_long_line, "long.csv: line 2 is longer than 16 MiB"),
        (_clash, "extra.csv: column 'SNAPSHOT_DATE' clashes with engage's column 'snapshot_date'"),
        (lambda events: (events / "rates.json").write_text("{}"), "rates.json: is not in a format engage reads"),
        (lambda events: (events / "bad\nname.xlsx").write_text(""), "bad\\nname.xlsx: is not in a format"),
        (_binary, "zz-bytes.parquet: cannot be parsed: column 'event_id': invalid utf8"),
    ],
)
def test_a_hostile_snapshot_file_ends_the_run_in_one_line(capsys, snapshot_copy, tmp_path, plant, said):
    plant(snapshot_copy / "events")
    code, line = _engage(
        capsys, "run", "--snapshot", str(snapshot_copy), "--as-of", DAY, "--warehouse", str(tmp_path / "w" / "warehouse.duckdb")
    )
    assert code == 1 and said in line and str(snapshot_copy / "events") in line, line
    assert "Traceback" in _details(line)


def test_a_missing_snapshot_and_a_refused_database_are_one_line(capsys, tmp_path):
    warehouse = str(tmp_path / "warehouse.duckdb")
    code, line = _engage(capsys, "run", "--snapshot", str(tmp_path / "nope"), "--as-of", DAY, "--warehouse", warehouse)
    assert code == 1 and f"{tmp_path / 'nope'}: snapshot folder not found" in line
    url = "postgresql://u:pw@127.0.0.1:1/db?schema=crm"
    code, line = _engage(capsys, "run", "--snapshot", url, "--as-of", DAY, "--warehouse", warehouse)
    assert code == 1 and "postgresql://u@127.0.0.1:1/db?schema=crm: cannot connect:" in line and "pw" not in line


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a: " + "[" * 200 + "]" * 200, "more than 64 nested levels"),
        ("a: &a [x, x]\n" + "\n".join(f"b{i}: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]" for i in range(120)), "more than 1000 aliases"),
        (
            "id: big\nname: Big\nobject: contact\nscore_limit: 100\ngroups:\n  - name: g\n    rules:\n"
            "      - {event: email_open, points: 5, limit_to: 99999999999999999999}\n",
            "limit_to",
        ),
    ],
)
def test_a_hostile_definition_is_one_line_naming_the_file(capsys, small_snapshot, tmp_path, text, said):
    definition = tmp_path / "hostile.yaml"
    definition.write_text(text)
    out = str(tmp_path / "scores.parquet")
    code, line = _engage(capsys, "score", "--definition", str(definition), "--snapshot", str(small_snapshot), "--as-of", DAY, "--out", out)
    assert code == 1 and str(definition) in line and said in line, line


def test_a_damaged_store_file_stops_the_run_and_the_doctor_names_its_repair(capsys, backfilled, small_snapshot, tmp_path):
    warehouse = tmp_path / "copy" / "warehouse.duckdb"
    shutil.copytree(backfilled.parent, warehouse.parent, symlinks=True)
    # Every run reads the coverage before it writes (a part's state it may rebuild from change rows).
    coverage = warehouse.parent / "warehouse_store" / "history" / "coverage.parquet"
    damaged = coverage.resolve()
    damaged.unlink()  # the previous version shares the file: damage this copy only
    damaged.write_bytes(b"PAR1 truncated")
    code, line = _engage(capsys, "run", "--snapshot", str(small_snapshot), "--as-of", DAY, "--warehouse", str(warehouse))
    assert code == 1 and f"{coverage}: damaged" in line and "repair: rm " in line and "then engage backfill --history-only" in line, line
    with pytest.raises(SystemExit) as ended:
        main(["doctor", "--warehouse", str(warehouse)])
    said = capsys.readouterr().out
    assert ended.value.code == 1 and "1 damaged or missing" in said and f"{coverage}: damaged" in said, said


def test_a_damaged_file_an_analyst_reads_is_one_line_pointing_at_the_doctor(capsys, backfilled, tmp_path):
    from flows.io.warehouse import relink

    warehouse = tmp_path / "copy" / "warehouse.duckdb"
    shutil.copytree(backfilled.parent, warehouse.parent, symlinks=True)
    relink(Paths.of(warehouse))
    store = warehouse.parent / "warehouse_store"
    run_log = sorted((store / "run_log").glob("2*.parquet"))[0]
    scores = sorted((store / f"day={DAY}" / "engagement_scores").glob("*.parquet"))[0]
    for command, damaged in (("status", run_log), ("report", scores)):
        damaged.unlink()  # a version of the day may share the file: damage this copy only
        damaged.write_bytes(b"PAR1 truncated")
        code, line = _engage(capsys, command, "--warehouse", str(warehouse))
        assert code == 1 and str(damaged) in line and "`engage doctor` lists every damaged file" in line, line
