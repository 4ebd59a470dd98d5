"""Every file of a table is read, or named in one clear line: no rows are skipped without a word."""

import gzip
import logging
import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from flows.ingest import validate_snapshot_table
from flows.io import snapshot_files
from flows.io.errors import SnapshotError
from flows.io.snapshot_files import raw_batches, table_files

CSV = b"currency,rate_date,usd_per_unit\nEUR,2026-01-01,1.1\n"
NDJSON = b'{"currency": "NOK", "rate_date": "2026-01-01", "usd_per_unit": 0.09}\n'


def _zstd(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def _snapshot(tmp_path: Path, files: dict[str, bytes]) -> Path:
    snap = tmp_path / "snap"
    for name, content in files.items():
        (snap / name).parent.mkdir(parents=True, exist_ok=True)
        (snap / name).write_bytes(content)
    return snap


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fx_rates/a.csv.gz", gzip.compress(CSV)),
        ("fx_rates/a.CSV", CSV),
        ("fx_rates/a.csv.zst", _zstd(CSV)),
        ("fx_rates/a.ndjson.GZ", gzip.compress(NDJSON)),
        ("fx_rates/day=2026-06-01/p.csv", CSV),
        ("fx_rates.csv.gz", gzip.compress(CSV)),
        ("FX_RATES.Jsonl", NDJSON),
    ],
)
def test_compressed_upper_case_and_nested_files_are_read(tmp_path, name, content):
    snap = _snapshot(tmp_path, {name: content})
    manifest, kept, _ = validate_snapshot_table(snap, "fx_rates", {})
    assert kept.height == 1 and manifest.rows_read == 1


def test_hidden_and_marker_files_are_left_out_and_said(tmp_path, caplog):
    snap = _snapshot(tmp_path, {"fx_rates/a.csv": CSV, "fx_rates/.DS_Store": b"x", "fx_rates/_SUCCESS": b""})
    with caplog.at_level(logging.WARNING, logger="engage"):
        files = table_files(snap, "fx_rates")
    assert [p.name for p in files] == ["a.csv"]
    assert ".DS_Store" in caplog.text and "_SUCCESS" in caplog.text


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.csv")


def _looping_link(path: Path) -> None:
    path.symlink_to(path)


def _folder_link(path: Path) -> None:
    path.symlink_to(path.parent.parent)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("rates.json", lambda p: p.write_bytes(NDJSON), "not in a format engage reads"),
        ("rates.xlsx", lambda p: p.write_bytes(b"PK"), "not in a format engage reads"),
        ("pipe.csv", _fifo, "not a regular file"),
        ("gone.csv", _broken_link, "broken or looping link"),
        ("loop.csv", _looping_link, "broken or looping link"),
        ("linked", _folder_link, "not a regular file"),
    ],
)
def test_a_file_that_cannot_be_read_stops_the_run_naming_it(tmp_path, name, make, reason):
    snap = _snapshot(tmp_path, {"fx_rates/a.csv": CSV})
    make(snap / "fx_rates" / name)
    with pytest.raises(SnapshotError) as err:
        table_files(snap, "fx_rates")
    assert str(err.value).startswith(str(snap / "fx_rates" / name)) and reason in str(err.value)


def test_a_top_level_file_of_a_table_in_an_unread_format_stops_the_run(tmp_path):
    snap = _snapshot(tmp_path, {"fx_rates.json": NDJSON})
    with pytest.raises(SnapshotError, match=r"fx_rates\.json: is not in a format"):
        table_files(snap, "fx_rates")


def test_a_compressed_markets_file_replaces_the_shipped_markets(tmp_path):
    snap = _snapshot(tmp_path, {"markets.csv.gz": gzip.compress(b"country,market_type,multiplier\nNO,growth,2\n")})
    manifest, kept, _ = validate_snapshot_table(snap, "markets", {})
    assert manifest.source == "snapshot" and kept.height == 1


@pytest.mark.parametrize("kind", ["csv", "ndjson", "parquet"])
def test_pattern_characters_in_a_snapshot_path_are_not_patterns(tmp_path, kind):
    decoy = _snapshot(tmp_path / "decoy", {})
    real = tmp_path / "s[n]ap*"
    for folder, currency in ((real, "EUR"), (decoy.parent / "snap1", "SEK")):
        (folder / "fx_rates").mkdir(parents=True)
        frame = pl.DataFrame({"currency": [currency], "rate_date": ["2026-01-01"], "usd_per_unit": [1.5]})
        path = folder / "fx_rates" / f"a.{kind}"
        getattr(frame, f"write_{kind}")(path)
    _, kept, _ = validate_snapshot_table(real, "fx_rates", {})
    assert kept["currency"].to_list() == ["EUR"]


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("a.csv", CSV + b"EUR,2026-01-02," + b"9" * 200 + b"\n", 3),
        ("a.csv", b"currency" * 30, 1),
        ("a.csv.gz", gzip.compress(CSV + b"x" * 200), 3),
        ("a.ndjson", NDJSON * 3 + b'{"currency": "' + b"N" * 200 + b'"}\n', 4),
    ],
)
def test_a_line_longer_than_engage_reads_stops_the_run_before_it_is_parsed(tmp_path, monkeypatch, name, content, line):
    monkeypatch.setattr(snapshot_files, "MAX_LINE_BYTES", 96)
    snap = _snapshot(tmp_path, {f"fx_rates/{name}": content})
    with pytest.raises(SnapshotError) as err:
        next(raw_batches(snap / "fx_rates" / name)[1])
    assert str(err.value).startswith(f"{snap / 'fx_rates' / name}: line {line} is longer than")
    # The check before a run (`engage check`) reads a header's first block only and leaves the rest to the ingest.
    assert snapshot_files.file_header(snap / "fx_rates" / name) in (None, ["currency", "rate_date", "usd_per_unit"])


def test_lines_up_to_the_longest_engage_reads_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot_files, "MAX_LINE_BYTES", 96)
    row = b"EUR,2026-01-02," + b"1" * 80 + b"\n"
    snap = _snapshot(tmp_path, {"fx_rates/a.csv": CSV + row * 5})
    header, batches = raw_batches(snap / "fx_rates" / "a.csv")
    assert len(row) == 96 and header == ["currency", "rate_date", "usd_per_unit"]
    assert sum(batch.height for batch in batches) == 6
