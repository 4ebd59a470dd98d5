"""A snapshot's files: which files hold a table, and their rows in batches as read.

A table is `<table>.<format>` in the snapshot folder and/or every file under `<table>/` (subfolders
included, as a Hive-style export writes them). Formats are named by the file's suffix, in any case:
Parquet, CSV, NDJSON (`.ndjson`, `.jsonl`), the text ones optionally compressed (`.gz`, `.zst`).
Hidden and marker files (`.DS_Store`, `_SUCCESS`) are left out and said so; any other file a table
folder holds stops the run with its name, so no rows are ever skipped without a word.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from flows.io.errors import SnapshotError, first_line
from flows.io.logs import run_logger
from transforms.snapshot.parse import EXTRA_FIELDS

KINDS = {".parquet": "parquet", ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd"}
SUPPORTED = ".parquet, .csv, .ndjson or .jsonl (text ones also as .gz or .zst), in any case"
# Rows read and checked at a time: memory follows this, not the size of a file.
BATCH_ROWS = 500_000
# CSV and NDJSON lines longer than this are refused before they are parsed: parsing holds a line
# several times over (a 1 GiB line took 8.4 GiB), and a CRM export's rows are far shorter.
MAX_LINE_BYTES = 16 << 20


@dataclass(frozen=True)
class FileFormat:
    kind: str
    compression: str | None = None


def file_format(path: Path) -> FileFormat | None:
    """The format a file's name says, or None when it names none engage reads."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] in COMPRESSIONS and len(suffixes) == 2 and KINDS.get(suffixes[0]) in ("csv", "ndjson"):
        return FileFormat(KINDS[suffixes[0]], COMPRESSIONS[suffixes[-1]])
    kind = KINDS.get(suffixes[-1]) if suffixes else None
    return FileFormat(kind) if kind else None


def _problem(path: Path) -> str | None:
    """Why `path` cannot be read as a snapshot file, or None when it can."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc}): a broken or looping link?"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a pipe, socket or device)"
    if file_format(path) is None:
        return f"is not in a format engage reads ({SUPPORTED}); convert, move or remove it"
    return None


def _ignored(name: str) -> bool:
    return name.startswith((".", "_"))


def _folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Every file under `folder` (subfolders walked, links to folders not followed) and the hidden or
    marker files left out."""
    files: list[Path] = []
    ignored: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=_walk_error):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        for name in sorted(names):
            (ignored if _ignored(name) else files).append(Path(root) / name)
        # A link to a folder is listed among `dirs` but never walked: name it rather than skip it.
        files += [Path(root) / d for d in dirs if (Path(root) / d).is_symlink()]
    return files, ignored


def _walk_error(exc: OSError) -> None:
    raise SnapshotError(f"{exc.filename}: cannot be listed: {exc.strerror or exc}")


def table_files(snapshot: Path, table: str) -> list[Path]:
    """Return the files holding `table` in `snapshot`: `<table>.<format>` and every file under
    `<table>/`. A file that cannot be read as one stops the run, naming it and the reason."""
    top = sorted(p for p in snapshot.iterdir() if p.name.lower().startswith(f"{table}.") and not p.is_dir())
    folder = snapshot / table
    inside, ignored = _folder_files(folder) if folder.is_dir() else ([], [])
    if ignored:
        run_logger().warning("%s: left out %d hidden or marker file(s): %s", folder, len(ignored), ", ".join(p.name for p in ignored[:5]))
    files = [*top, *sorted(inside)]
    problems = [(path, reason) for path in files if (reason := _problem(path))]
    if problems:
        path, reason = problems[0]
        more = f" (and {len(problems) - 1} more file(s) of {table})" if len(problems) > 1 else ""
        raise SnapshotError(f"{path}: {reason}{more}")
    return files


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# One thread hashes each file while the ingest reads it: the manifest's hashes cost no pass of their own.
_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engage-sha256")


def sha256_beside(path: Path) -> Future[str]:
    """The SHA-256 of a file's bytes, computed in a thread of its own while the caller reads the file."""
    return _HASHER.submit(sha256, path)


def _decompressed(path: Path, compression: str) -> Path:
    """A temporary copy of a compressed text file, decompressed in blocks (memory stays flat)."""
    handle, name = tempfile.mkstemp(prefix="engage-", suffix=".txt")
    try:
        with pa.CompressedInputStream(pa.OSFile(str(path)), compression) as source, os.fdopen(handle, "wb") as out:
            while block := source.read(1 << 22):
                out.write(block)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _check_lines(path: Path, shown: Path, blocks: int | None = None) -> None:
    """Stop the run, naming `shown`, when a line of the text file `path` (of its first `blocks` blocks
    of MAX_LINE_BYTES) is too long: some whole block holds no line break. Lines up to MAX_LINE_BYTES
    always pass, lines of twice that never do; the check reads blocks, it never splits lines."""
    lines = 0
    with open(path, "rb") as handle:
        while (blocks is None or blocks > 0) and (block := handle.read(MAX_LINE_BYTES)):
            if len(block) == MAX_LINE_BYTES and b"\n" not in block:
                raise SnapshotError(
                    f"{shown}: line {lines + 1} is longer than {MAX_LINE_BYTES >> 20} MiB, the longest line engage reads "
                    "(is the file an export of rows, with line breaks?)"
                )
            lines += block.count(b"\n")
            blocks = None if blocks is None else blocks - 1


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line."""
    return pl.scan_csv(path, infer_schema=False, raise_if_empty=False, glob=False, n_rows=0).collect_schema().names()


def _scan(path: Path, kind: str, handle: BinaryIO) -> pl.LazyFrame:
    # Paths are passed as they are, never as patterns: a snapshot's own path may hold `*?[`.
    if kind == "parquet":
        return pl.scan_parquet(path, glob=False)
    if kind == "csv":
        header = _csv_header(path)
        if not header:
            return pl.LazyFrame()
        # One column past the header catches a row with more fields, so that row is quarantined
        # with its number instead of failing the file.
        names = dict.fromkeys([*header, EXTRA_FIELDS], pl.String)
        return pl.scan_csv(
            path, has_header=False, skip_rows=1, schema=names, truncate_ragged_lines=True, missing_columns="insert", glob=False
        )
    # scan_ndjson expands patterns in a path, so it reads the open file instead.
    return pl.scan_ndjson(handle, infer_schema_length=None)


def file_header(path: Path) -> list[str] | None:
    """The column names of a file when they can be read without its rows (Parquet, plain CSV), else
    None: a compressed or NDJSON file's header is checked as the file is read."""
    fmt = file_format(path)
    if fmt is None or fmt.compression or fmt.kind == "ndjson":
        return None
    try:
        if fmt.kind == "parquet":
            return pq.read_schema(path).names
        # The ingest checks every line before it reads a file; a header check reads the first block only.
        _check_lines(path, path, blocks=1)
        return _csv_header(path)
    except Exception:  # unreadable: reading the file names it with the parser's reason
        return None


def raw_batches(path: Path, batch_rows: int | None = None) -> tuple[list[str], Iterator[pl.DataFrame]]:
    """The header of one file and its rows in batches of at most `batch_rows` (BATCH_ROWS), as read
    (NDJSON `properties` flattened); any parser failure stops the run, naming the file."""
    fmt = file_format(path)
    if fmt is None:
        raise SnapshotError(f"{path}: is not in a format engage reads ({SUPPORTED})")

    def failed(exc: Exception) -> SnapshotError:
        return SnapshotError(f"{path}: cannot be parsed: {first_line(exc)}")

    with ExitStack() as cleanup:
        try:
            source = _decompressed(path, fmt.compression) if fmt.compression else path
            if source != path:
                cleanup.callback(source.unlink, missing_ok=True)
            if fmt.kind != "parquet":
                _check_lines(source, path)
            handle = cleanup.enter_context(open(source, "rb"))
            scan = _scan(source, fmt.kind, handle)
            header = [name for name in scan.collect_schema().names() if name != EXTRA_FIELDS]
        except SnapshotError:
            raise
        except (Exception, pl.exceptions.PanicException) as exc:
            raise failed(exc) from exc
        # The batches own the open file and the temporary copy from here on.
        owned = cleanup.pop_all()

    def batches() -> Iterator[pl.DataFrame]:
        with owned:
            try:
                for batch in scan.collect_batches(chunk_size=batch_rows or BATCH_ROWS):
                    if "properties" in batch.columns and isinstance(batch.schema["properties"], pl.Struct):
                        batch = batch.unnest("properties")
                    yield batch
            except (Exception, pl.exceptions.PanicException) as exc:
                raise failed(exc) from exc

    return header, batches()
