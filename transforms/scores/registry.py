"""The score definitions registry: what each definition is, when it changed, when it was last computed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from transforms.common.tables import polars_types
from transforms.scores.combined import expanded
from transforms.scores.definition import ScoreDefinition
from transforms.scores.schemas import SCORE_DEFINITIONS

REGISTRY_SCHEMA = polars_types(SCORE_DEFINITIONS)


@dataclass(frozen=True)
class Loaded:
    """A definition as read from its file."""

    definition: ScoreDefinition
    file: str


def content_hash(definition: ScoreDefinition) -> str:
    """Hash of the parsed definition: edits to comments or layout of the file are not changes."""
    # Keys added since (`type: engagement`, a rule without `frequency`, no combined parts) are left
    # out when they hold their defaults, so a definition hashes as it did before them: an upgrade
    # changes none.
    unused: dict[str, Any] = {"type": True} if definition.type == "engagement" else {}
    unused |= {part: True for part in ("fit", "engagement") if getattr(definition, part) is None}
    unused["groups"] = {
        g: {"rules": {r: {"frequency"} for r, rule in enumerate(group.rules) if rule.frequency is None}}
        for g, group in enumerate(definition.groups)
    }
    return hashlib.sha256(definition.model_dump_json(exclude=unused).encode()).hexdigest()[:16]


def refresh_registry(previous: pl.DataFrame, loaded: list[Loaded], computed: dict[str, date], seen_on: date) -> pl.DataFrame:
    """The registry after a run: current definitions (new hash -> last_changed = seen_on), the days they
    were last computed, and every earlier row kept (deleted ones stay deleted)."""
    current = pl.DataFrame(
        [
            {
                "score_id": item.definition.id,
                "name": item.definition.name,
                "score_type": item.definition.type,
                "object_type": item.definition.object,
                "status": item.definition.status,
                "score_limit": item.definition.score_limit,
                "threshold_medium": item.definition.thresholds.medium if item.definition.thresholds else None,
                "threshold_high": item.definition.thresholds.high if item.definition.thresholds else None,
                "groups": sum(len(d.groups) for d in expanded([item.definition])),
                "rules": len(item.definition.rules),
                "file": item.file,
                "content_hash": content_hash(item.definition),
                "computed": computed.get(item.definition.id),
            }
            for item in loaded
        ],
        schema={
            **{
                k: v
                for k, v in REGISTRY_SCHEMA.items()
                if k not in ("first_seen", "last_changed", "last_computed", "deleted_on", "values_dropped")
            },
            "computed": pl.Date,
        },
    )
    before = previous.select(
        "score_id",
        pl.col("content_hash").alias("old_hash"),
        pl.col("first_seen").alias("old_first"),
        pl.col("last_changed").alias("old_changed"),
        pl.col("last_computed").alias("old_computed"),
    )
    refreshed = current.join(before, on="score_id", how="left").select(
        *[c for c in current.columns if c != "computed"],
        pl.col("old_first").fill_null(seen_on).alias("first_seen"),
        pl.when(pl.col("old_hash") == pl.col("content_hash")).then(pl.col("old_changed")).otherwise(pl.lit(seen_on)).alias("last_changed"),
        pl.max_horizontal("computed", "old_computed").alias("last_computed"),
        pl.lit(None, dtype=pl.Date).alias("deleted_on"),
        pl.lit(False).alias("values_dropped"),
    )
    kept = previous.join(current.select("score_id"), on="score_id", how="anti")
    return pl.concat([frame.select(REGISTRY_SCHEMA.names()).cast(REGISTRY_SCHEMA) for frame in (refreshed, kept)]).sort("score_id")


def upgraded(registry: pl.DataFrame) -> pl.DataFrame:
    """A stored registry in today's columns: one written before score types holds engagement scores only."""
    if "score_type" in registry.columns:
        return registry
    return registry.with_columns(pl.lit("engagement").alias("score_type")).select(REGISTRY_SCHEMA.names())


def mark_deleted(registry: pl.DataFrame, score_id: str, on: date, drop_values: bool) -> pl.DataFrame:
    """The registry with `score_id` marked deleted on `on` (and its values dropped when asked)."""
    if score_id not in registry["score_id"].to_list():
        raise KeyError(f"no score definition {score_id!r} in the registry")
    target = pl.col("score_id") == score_id
    return registry.with_columns(
        pl.when(target).then(pl.lit("deleted")).otherwise(pl.col("status")).alias("status"),
        pl.when(target).then(pl.lit(on)).otherwise(pl.col("deleted_on")).alias("deleted_on"),
        pl.when(target).then(pl.lit(drop_values)).otherwise(pl.col("values_dropped")).alias("values_dropped"),
    )
