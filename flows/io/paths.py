"""Where a warehouse keeps its files: the DuckDB catalog, its Parquet store, and the lake."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"
DEFAULT_CONFIG = PROJECT_ROOT / "data" / "config"
DEFAULT_MARKETS = PROJECT_ROOT / "data" / "markets.csv"
SQL_DIR = PROJECT_ROOT / "sql"
DEMO_SNAPSHOT = PROJECT_ROOT / "data" / "demo" / "snapshot"
# Folder names of dated partitions: a lake table's snapshot dates, a store's days.
SNAPSHOT_PREFIX, DAY_PREFIX = "snapshot_date=", "day="


@dataclass(frozen=True)
class Paths:
    warehouse: Path

    @classmethod
    def of(cls, warehouse: str | Path) -> Paths:
        return cls(Path(warehouse).expanduser().resolve())

    @property
    def root(self) -> Path:
        return self.warehouse.parent

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def store(self) -> Path:
        return self.root / f"{self.warehouse.stem}_store"

    @property
    def lock(self) -> Path:
        return self.root / f".{self.warehouse.name}.lock"

    def lake_partition(self, table: str, snapshot_date: date) -> Path:
        return self.lake / table / f"{SNAPSHOT_PREFIX}{snapshot_date.isoformat()}"

    def lake_data(self, table: str, snapshot_date: date) -> Path:
        """The folder of `table`'s part files as ingested for `snapshot_date`."""
        return self.lake_partition(table, snapshot_date) / "data"

    def lake_snapshot(self, snapshot_date: date) -> Path:
        """The ingest of `snapshot_date` as one folder (a link to its current version): every table's
        rows, the quarantine and the manifest, swapped in together."""
        return self.lake / "_snapshots" / f"{SNAPSHOT_PREFIX}{snapshot_date.isoformat()}"

    def lake_manifest(self, snapshot_date: date) -> Path:
        """What the ingest of `snapshot_date` read and kept, table by table (bucket count included)."""
        return self.lake_snapshot(snapshot_date) / "manifest.json"

    def lake_inputs(self, snapshot_date: date) -> Path:
        """What decided the ingest of `snapshot_date`: its source files, settings and engage's code."""
        return self.lake_snapshot(snapshot_date) / "inputs.json"

    def quarantine_partition(self, snapshot_date: date) -> Path:
        return self.lake / "_quarantine" / f"{SNAPSHOT_PREFIX}{snapshot_date.isoformat()}"

    def day(self, as_of: date) -> Path:
        return self.store / f"{DAY_PREFIX}{as_of.isoformat()}"

    @property
    def schema_day(self) -> Path:
        """A 'day' holding one empty file per table, so every view has a file to read and its types."""
        return self.store / f"{DAY_PREFIX}_schema"

    @property
    def registry(self) -> Path:
        """The score definitions registry (one Parquet file, replaced whole)."""
        return self.store / "registry" / "score_definitions.parquet"

    @property
    def history(self) -> Path:
        """The score history: change rows, one file per day (a symlink to its current version)."""
        return self.store / "history"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def run_log(self) -> Path:
        return self.store / "run_log"


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def dated_folders(folder: Path, prefix: str) -> list[date]:
    """The days of the folders in `folder` named `<prefix><YYYY-MM-DD>` (a store's days, a lake
    table's snapshot dates), ascending; none when `folder` does not exist."""
    if not folder.is_dir():
        return []
    # A link whose target is not there yet (a first ingest that has not swapped in) holds no day.
    names = [p.name.removeprefix(prefix) for p in folder.iterdir() if p.name.startswith(prefix) and p.exists()]
    return sorted(date.fromisoformat(name) for name in names if _ISO_DAY.fullmatch(name))


# Parts of a day's score tables and of the score history: one per contact bucket, one per company slice.
COMPANY_PART, BUCKET_PART_PREFIX = "companies", "bucket-"
# Contact buckets per company slice: a company merge (the day's scores, the history) holds one slice's
# companies at a time.
BUCKETS_PER_COMPANY_SLICE = 4


def bucket_part(bucket: int) -> str:
    """The part name of contact bucket `bucket`."""
    return f"{BUCKET_PART_PREFIX}{bucket}"


def company_slices(buckets: int) -> int:
    """How many slices the companies are split into when contacts are split into `buckets` buckets."""
    return -(-buckets // BUCKETS_PER_COMPANY_SLICE)


def company_part(number: int, slices: int) -> str:
    """The part of company slice `number` of `slices` (one slice: the companies' part)."""
    return COMPANY_PART if slices == 1 else f"{COMPANY_PART}-{number}"


def score_parts(buckets: int) -> list[str]:
    """The parts of a day's score tables and of the score history when contacts are split into `buckets` buckets."""
    slices = company_slices(buckets)
    return [*(bucket_part(b) for b in range(buckets)), *(company_part(j, slices) for j in range(slices))]
