"""The computations of one day: lake tables in, output tables out (each transform is pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.ingest import lake_table
from flows.paths import Paths
from transforms.contract import INGEST_ORDER
from transforms.output_schemas import OUTPUT_SCHEMAS, polars_schema


@dataclass(frozen=True)
class Settings:
    """Everything read from the config folder, validated."""

    config_dir: Path


@dataclass(frozen=True)
class DayInputs:
    """The validated snapshot tables, as lazy scans of the lake."""

    tables: dict[str, pl.LazyFrame]

    @classmethod
    def from_lake(cls, paths: Paths, snapshot_date: date) -> DayInputs:
        return cls({name: lake_table(paths, name, snapshot_date) for name in INGEST_ORDER})

    def __getitem__(self, name: str) -> pl.LazyFrame:
        return self.tables[name]


def load_settings(config_dir: Path) -> Settings:
    """Read and validate the config folder."""
    if not config_dir.is_dir():
        raise FileNotFoundError(f"config folder not found: {config_dir}")
    return Settings(config_dir)


@task(name="compute-day", cache_policy=NO_CACHE)
def compute_day(inputs: DayInputs, settings: Settings, as_of: date) -> dict[str, pl.DataFrame]:
    """Return every output table of the day `as_of`."""
    return {}


def day_table_schemas() -> dict[str, dict[str, pl.DataType]]:
    """The column types of every table a day holds."""
    return {name: polars_schema(name) for name in OUTPUT_SCHEMAS}
