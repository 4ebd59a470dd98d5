"""Ingest on awkward files: each either keeps every good row and quarantines the bad ones (counts
reconcile) or stops with one line naming the file. No Prefect: the validation step is called directly."""

import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows.ingest import check_table, validate_snapshot_table
from flows.io.errors import SnapshotError

HEADER = "currency,rate_date,usd_per_unit\n"


def _fx(tmp_path: Path, name: str, content: bytes) -> tuple:
    folder = tmp_path / "snap" / "fx_rates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return validate_snapshot_table(tmp_path / "snap", "fx_rates", {})


@pytest.mark.parametrize(
    ("name", "content", "kept", "quarantined"),
    [
        ("bom.csv", ("\ufeff" + HEADER + "EUR,2026-01-01,1.1\n").encode(), 1, 0),
        ("header_only.csv", HEADER.encode(), 0, 0),
        ("empty.csv", b"", 0, 0),
        ("crlf.csv", (HEADER + "EUR,2026-01-01,1.1\r\nNOK,2026-01-01,0.09\r\n").encode(), 2, 0),
        (
            "mixed.csv",
            (HEADER + "EUR,2026-01-01,1.1\neur ,2026-01-02,1.2\nEUR,2026-13-01,1\nEUR,2026-01-03,-1\nEUR,2026-01-04,inf\n").encode(),
            2,
            3,
        ),
        ("quoted.csv", (HEADER + '"EUR","2026-01-01","1.1"\n"NOK, the krone",2026-01-01,0.09\n').encode(), 1, 1),
        ("huge.csv", (HEADER + "EUR,2026-01-01,1.1\n" + "X" * 1_000_000 + ",2026-01-01,1\n").encode(), 1, 1),
        (
            "rates.ndjson",
            b'{"currency": "EUR", "rate_date": "2026-01-01", "usd_per_unit": 1.1}\n{"currency": "EUR", "rate_date": "2026-01-01", "usd_per_unit": 1.2}\n',
            0,
            2,
        ),
    ],
)
def test_rows_are_kept_or_quarantined_and_counts_reconcile(tmp_path, name, content, kept, quarantined):
    manifest, good, bad = _fx(tmp_path, name, content)
    assert (good.height, manifest.rows_quarantined) == (kept, quarantined)
    assert manifest.rows_read == manifest.rows_kept + manifest.rows_quarantined
    assert bad.select("source_file").unique().to_series().to_list() in ([], [name])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("truncated.parquet", b"PAR1\x00\x00garbage", "cannot be parsed"),
        (
            "broken.ndjson",
            b'{"currency": "EUR", "rate_date": "2026-01-01", "usd_per_unit": 1.1}\n{"currency": "EUR", broken\n',
            "cannot be parsed",
        ),
        ("latin1.csv", (HEADER + "EUR,2026-01-01,1.1\n").encode() + b"\xe9\xff,2026-01-01,1\n", "cannot be parsed"),
        ("no_rate.csv", b"currency,rate_date\nEUR,2026-01-01\n", "lacks required column(s) usd_per_unit"),
        ("twice.csv", b"currency,currency,rate_date,usd_per_unit\nEUR,EUR,2026-01-01,1\n", "cannot be parsed"),
    ],
)
def test_a_file_that_cannot_be_read_stops_with_one_line_naming_it(tmp_path, name, content, reason):
    with pytest.raises(SnapshotError) as err:
        _fx(tmp_path, name, content)
    message = str(err.value)
    assert name in message and reason in message and "\n" not in message


def test_ndjson_properties_are_flattened_into_event_columns(tmp_path):
    folder = tmp_path / "snap" / "events"
    folder.mkdir(parents=True)
    rows = [
        {
            "portal_id": 1,
            "event_id": "e1",
            "contact_id": 7,
            "event_type": "form_submission",
            "occurred_at": "2026-01-01T10:00:00+01:00",
            "properties": {"form_id": "contact_us", "page_url": None},
        }
    ]
    (folder / "part.ndjson").write_text("\n".join(json.dumps(r) for r in rows))
    parents = {"contacts": pl.DataFrame({"portal_id": [1], "contact_id": [7]})}
    _, kept, _ = validate_snapshot_table(tmp_path / "snap", "events", parents)
    assert kept.select("form_id", "occurred_at").row(0)[0] == "contact_us"
    assert kept["occurred_at"][0].hour == 9


EVENTS = "portal_id,event_id,contact_id,event_type,occurred_at"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"a.csv": f"{EVENTS},SNAPSHOT_DATE\n1,e1,7,email_open,2026-01-01,x\n"}, "clashes with engage's column 'snapshot_date'"),
        ({"a.csv": f"{EVENTS},snapshot_date\n1,e1,7,email_open,2026-01-01,x\n"}, "clashes with engage's column 'snapshot_date'"),
        ({"a.csv": f"{EVENTS},Event_Type\n1,e1,7,email_open,2026-01-01,x\n"}, "clashes with engage's column 'event_type'"),
        ({"a.csv": f"{EVENTS},Plan,plan\n1,e1,7,email_open,2026-01-01,x,y\n"}, "'Plan' and 'plan' would both be stored as 'plan'"),
        ({"a.csv": f"{EVENTS},Utm Source,utm-source\n1,e1,7,email_open,2026-01-01,x,y\n"}, "would both be stored as 'utm_source'"),
        ({"a.csv": f"{EVENTS},Event Type\n1,e1,7,email_open,2026-01-01,x\n"}, "clashes with engage's column 'event_type'"),
        ({"a.csv": f"{EVENTS},%%\n1,e1,7,email_open,2026-01-01,x\n"}, "column '%%' has no letter or digit"),
        ({"a.csv": f"{EVENTS},_row\n1,e1,7,email_open,2026-01-01,x\n"}, "reserved for engage"),
    ],
)
def test_a_column_the_warehouse_would_confuse_with_another_stops_the_run(tmp_path, files, reason):
    folder = tmp_path / "snap" / "events"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    parents = {"contacts": pl.DataFrame({"portal_id": [1], "contact_id": [7]})}
    with pytest.raises(SnapshotError) as err:
        validate_snapshot_table(tmp_path / "snap", "events", parents)
    assert reason in str(err.value) and str(folder) in str(err.value)


def test_extra_columns_are_stored_in_snake_case_and_one_name_across_files_is_one_column(tmp_path):
    folder = tmp_path / "snap" / "events"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(f"{EVENTS},Plan Name\n1,e1,7,email_open,2026-01-01,x\n")
    (folder / "b.csv").write_text(f"{EVENTS},plan_name\n1,e2,7,email_open,2026-01-01,y\n")
    parents = {"contacts": pl.DataFrame({"portal_id": [1], "contact_id": [7]})}
    _, kept, _ = validate_snapshot_table(tmp_path / "snap", "events", parents)
    assert kept.sort("event_id")["plan_name"].to_list() == ["x", "y"]
    assert "Plan Name" not in kept.columns


def _events(tmp_path: Path, name: str, write) -> tuple:
    folder = tmp_path / "snap" / "events"
    folder.mkdir(parents=True)
    write(folder / name)
    parents = {"contacts": pl.DataFrame({"portal_id": [1], "contact_id": [7]})}
    return validate_snapshot_table(tmp_path / "snap", "events", parents)


ONE_EVENT = {"portal_id": [1], "event_id": ["e1"], "contact_id": [7], "event_type": ["email_open"], "occurred_at": ["2026-01-01"]}


def test_list_properties_are_kept_as_json_text(tmp_path):
    def write(path: Path) -> None:
        pl.DataFrame({**ONE_EVENT, "tags": [["a", "b"]], "owner": [{"id": 3}]}).write_parquet(path)

    _, kept, _ = _events(tmp_path, "a.parquet", write)
    assert kept.select("tags", "owner").row(0) == ('["a","b"]', '{"id":3}')


def test_an_ndjson_array_property_is_kept_as_json_text(tmp_path):
    line = json.dumps({k: v[0] for k, v in ONE_EVENT.items()} | {"properties": {"tags": [1, 2]}})
    _, kept, _ = _events(tmp_path, "a.ndjson", lambda path: path.write_text(line + "\n"))
    assert kept["tags"].to_list() == ["[1,2]"]


def test_bytes_that_are_not_utf8_stop_the_run_naming_file_and_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(path: Path) -> None:
        pq.write_table(pa.table({**ONE_EVENT, "event_id": pa.array([b"e\xff1"], pa.binary())}), path)

    with pytest.raises(SnapshotError, match=r"events/a\.parquet: cannot be parsed: column 'event_id': invalid utf8"):
        _events(tmp_path, "a.parquet", write)


def test_a_csv_row_with_more_fields_than_the_header_is_quarantined_with_its_line(tmp_path):
    text = f"{EVENTS}\n1,e1,7,email_open,2026-01-01\n1,e2,7,email_open,2026-01-01,extra,more\n1,e3,7,email_open,2026-01-01\n"
    manifest, kept, bad = _events(tmp_path, "a.csv", lambda path: path.write_text(text))
    assert kept["event_id"].to_list() == ["e1", "e3"]
    assert bad.select("source_row", "reason").rows() == [(2, "the row has more fields than the header")]
    assert manifest.rows_read == 3


def test_the_manifest_holds_each_files_sha256_in_the_preview_and_the_bounded_ingest(tmp_path):
    files = {"a.csv": HEADER + "EUR,2026-01-01,1.1\n", "b.csv": HEADER + "NOK,2026-01-01,0.09\nSEK,2026-01-01,0.1\n"}
    for name, text in files.items():
        _fx(tmp_path, name, text.encode())
    folder = tmp_path / "snap" / "fx_rates"
    expected = [
        {"path": str(folder / name), "sha256": hashlib.sha256(text.encode()).hexdigest(), "rows": text.count("\n") - 1}
        for name, text in files.items()
    ]
    preview, _, _ = validate_snapshot_table(tmp_path / "snap", "fx_rates", {})
    bounded, _ = check_table(tmp_path / "snap", "fx_rates", date(2026, 6, 30), tmp_path / "staged")
    assert preview.files == bounded.files == expected
