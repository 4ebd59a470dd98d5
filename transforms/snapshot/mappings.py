"""Column mappings: a CRM export's own headers and values, mapped onto the contract before parsing.

A mapping file names, per contract table, which source header holds which contract column
(HubSpot's "Record ID" -> contact_id), values to put in columns the export lacks (portal_id), per
table or once for every table of the export (top-level `constants`), and value translations ("Marketing Qualified Lead" -> marketing_qualified_lead). Headers and values
match after trimming, case-insensitively; a header the file does not have is simply not used.
"""

from __future__ import annotations

import polars as pl
from pydantic import model_validator

from transforms.common.config import StrictConfig, validate_config
from transforms.snapshot.contract import TABLES


class MappingError(ValueError):
    """A mapping file that cannot be used: names the file, the path inside it and the reason."""


class TableMapping(StrictConfig):
    columns: dict[str, str] = {}
    constants: dict[str, str | int | float] = {}
    values: dict[str, dict[str, str]] = {}


class ColumnMappings(StrictConfig):
    tables: dict[str, TableMapping] = {}
    # Values for every table that has the column (an export of one portal names its portal_id once).
    constants: dict[str, str | int | float] = {}

    def for_table(self, name: str) -> TableMapping | None:
        """The mapping of table `name`: its own, with the export-wide constants of its columns added
        (the table's own constants win)."""
        own = self.tables.get(name)
        shared = {k: v for k, v in self.constants.items() if k in TABLES[name].column_names}
        if not shared:
            return own
        base = own or TableMapping()
        return base.model_copy(update={"constants": shared | base.constants})

    @model_validator(mode="after")
    def _targets_exist(self) -> ColumnMappings:
        every_column = {c for table in TABLES.values() for c in table.column_names}
        problems = [f"constants: {name!r} is not a column of any table" for name in sorted(set(self.constants) - every_column)]
        for name, mapping in self.tables.items():
            if name not in TABLES:
                problems.append(f"tables[{name!r}]: not a contract table (one of {', '.join(sorted(TABLES))})")
                continue
            known = set(TABLES[name].column_names)
            targets = [*mapping.columns.values(), *mapping.constants, *mapping.values]
            problems += [f"tables.{name}: {t!r} is not a column of {name}" for t in sorted(set(targets) - known)]
            sources = [s.strip().lower() for s in mapping.columns]
            problems += [
                f"tables.{name}.columns: header {s!r} is mapped twice" for s in sorted({s for s in sources if sources.count(s) > 1})
            ]
            mapped = list(mapping.columns.values())
            problems += [
                f"tables.{name}.columns: {t!r} has more than one source header" for t in sorted({t for t in mapped if mapped.count(t) > 1})
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_mappings(data: object, source: str) -> ColumnMappings:
    """The validated column mappings of a parsed YAML file."""
    return validate_config(ColumnMappings, data, source, MappingError, "a column mapping file")


def apply_mapping(raw: pl.DataFrame, mapping: TableMapping | None) -> pl.DataFrame:
    """`raw` with mapped headers renamed to contract columns, constants added and values translated."""
    if mapping is None:
        return raw
    by_header = {header.strip().lower(): target for header, target in mapping.columns.items()}
    renames = {c: by_header[c.strip().lower()] for c in raw.columns if c.strip().lower() in by_header and c not in by_header.values()}
    # A contract column already in the file wins over a mapped header of the same meaning.
    renames = {c: t for c, t in renames.items() if t not in raw.columns}
    frame = raw.rename(renames)
    frame = frame.with_columns(pl.lit(str(v)).alias(k) for k, v in mapping.constants.items() if k not in frame.columns)
    for column, table in mapping.values.items():
        if column in frame.columns:
            lookup = {k.strip().lower(): v for k, v in table.items()}
            key = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
            frame = frame.with_columns(key.replace_strict(lookup, default=pl.col(column).cast(pl.String)).alias(column))
    return frame
