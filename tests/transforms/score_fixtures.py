"""Tiny hand-made CRM frames and definitions for the scoring tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from transforms.scores.definition import ScoreDefinition, parse_definition
from transforms.scores.evaluate import evaluate_scores
from transforms.scores.members import ScoreInputs

AS_OF = date(2026, 6, 30)
UTC = UTC


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def events(*rows: tuple, **properties: list) -> pl.LazyFrame:
    """rows: (contact_id, event_type, occurred_at text[, portal_id]); properties: columns by name."""
    frame = pl.DataFrame(
        {
            "portal_id": [r[3] if len(r) > 3 else 1 for r in rows],
            "event_id": [f"e{i}" for i in range(len(rows))],
            "contact_id": [r[0] for r in rows],
            "event_type": [r[1] for r in rows],
            "occurred_at": [ts(r[2]) for r in rows],
            **properties,
        },
        schema_overrides={
            "portal_id": pl.Int64,
            "event_id": pl.String,
            "contact_id": pl.Int64,
            "event_type": pl.String,
            "occurred_at": pl.Datetime("us", "UTC"),
            **dict.fromkeys(properties, pl.String),
        },
    )
    return frame.lazy()


def inputs(
    ev: pl.LazyFrame,
    contacts: list[int] | pl.DataFrame = (1,),
    companies: list[int] = (),
    associations: list[tuple] = (),
    lists: list[tuple] = (),
    resets: list[tuple] = (),
) -> ScoreInputs:
    if not isinstance(contacts, pl.DataFrame):
        contacts = pl.DataFrame({"portal_id": [1] * len(contacts), "contact_id": list(contacts)})
    contacts = contacts.with_columns(pl.lit(ts("2020-01-01")).alias("created_at"))
    return ScoreInputs(
        events=ev,
        contacts=contacts.lazy(),
        companies=pl.DataFrame(
            {"portal_id": [1] * len(companies), "company_id": list(companies)}, schema={"portal_id": pl.Int64, "company_id": pl.Int64}
        ).lazy(),
        associations=pl.DataFrame(
            {
                "portal_id": [1] * len(associations),
                "contact_id": [a[0] for a in associations],
                "company_id": [a[1] for a in associations],
                "label": [a[2] if len(a) > 2 else None for a in associations],
            },
            schema={"portal_id": pl.Int64, "contact_id": pl.Int64, "company_id": pl.Int64, "label": pl.String},
        ).lazy(),
        list_memberships=pl.DataFrame(
            {
                "portal_id": [1] * len(lists),
                "list_id": [m[0] for m in lists],
                "object_type": [m[1] for m in lists],
                "record_id": [m[2] for m in lists],
            },
            schema={"portal_id": pl.Int64, "list_id": pl.String, "object_type": pl.String, "record_id": pl.Int64},
        ).lazy(),
        score_resets=pl.DataFrame(
            {
                "portal_id": [1] * len(resets),
                "score_id": [r[0] for r in resets],
                "object_type": [r[1] for r in resets],
                "record_id": [r[2] for r in resets],
                "reset_at": [ts(r[3]) for r in resets],
            },
            schema={
                "portal_id": pl.Int64,
                "score_id": pl.String,
                "object_type": pl.String,
                "record_id": pl.Int64,
                "reset_at": pl.Datetime("us", "UTC"),
            },
        ).lazy(),
    )


def definition(groups: list[dict], **extra) -> ScoreDefinition:
    return parse_definition(
        {"id": extra.pop("id", "s"), "name": "S", "object": "contact", "score_limit": 100, "groups": groups, **extra}, "test.yaml"
    )


def rules(*rule_list: dict, **group) -> list[dict]:
    return [{"name": group.pop("name", "G"), "rules": list(rule_list), **group}]


def scores(defs: ScoreDefinition | list[ScoreDefinition], data: ScoreInputs, as_of=AS_OF) -> dict[int, float]:
    defs = defs if isinstance(defs, list) else [defs]
    out = evaluate_scores(defs, data, as_of).scores.collect()
    return dict(zip(out["record_id"].to_list(), out["score"].to_list(), strict=True))
