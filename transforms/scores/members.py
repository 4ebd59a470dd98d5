"""Scope and members: the records each definition scores (lists included or excluded), the contacts
whose events count toward each record, and the resets that apply to them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import polars as pl

from transforms.scores.columns import KEY
from transforms.scores.combined import expanded
from transforms.scores.definition import ScoreDefinition
from transforms.scores.filters import all_filters, missing_properties
from transforms.scores.units import definition_table
from transforms.snapshot.buckets import contact_bucket


@dataclass(frozen=True)
class ScoreInputs:
    """The snapshot tables scoring reads."""

    events: pl.LazyFrame
    contacts: pl.LazyFrame
    companies: pl.LazyFrame
    associations: pl.LazyFrame
    list_memberships: pl.LazyFrame
    score_resets: pl.LazyFrame

    def of_company_slice(self, number: int, slices: int) -> ScoreInputs:
        """These inputs with only the companies of company slice `number` of `slices` (a stable hash
        of their keys, as `CompanyParts.of_slice` and the history's parts take it)."""
        mine = contact_bucket(pl.col("portal_id"), pl.col("company_id"), slices) == number
        return replace(self, companies=self.companies.filter(mine))


# A contact fit rule reads its primary company's properties under this prefix (`company.industry`).
COMPANY_PREFIX = "company."


def needed_inputs(definitions: list[ScoreDefinition]) -> dict[str, set[str]]:
    """The snapshot tables `definitions` read, each with the extra (property) columns they read:
    associations only for company scores and contact fit scores reading `company.` properties, list
    memberships only with list scopes."""
    definitions = expanded(definitions)
    engagement = [d for d in definitions if d.type == "engagement"]
    companies = [d for d in engagement if d.object == "company"]
    fit = {(d.object, f.property) for d in definitions if d.type == "fit" for f in d.filters}
    of_company = {p.removeprefix(COMPANY_PREFIX) for o, p in fit if o == "contact" and p.startswith(COMPANY_PREFIX)}
    needed: dict[str, set[str]] = {
        "contacts": {f.property for d in companies for f in d.company_settings.contact_filters}
        | {p for o, p in fit if o == "contact" and not p.startswith(COMPANY_PREFIX)},
        "score_resets": set(),
    }
    if engagement:
        needed["events"] = {f.property for d in engagement for f in d.filters}
    if companies or of_company or any(o == "company" for o, _ in fit):
        needed["companies"] = of_company | {p for o, p in fit if o == "company"}
    if companies or of_company:
        needed["associations"] = set()
    if any(d.records.include_lists or d.records.exclude_lists for d in definitions):
        needed["list_memberships"] = set()
    return needed


def _list_scope(records: pl.LazyFrame, id_column: str, definition: ScoreDefinition, lists: pl.LazyFrame) -> pl.LazyFrame:
    members = lists.filter(pl.col("object_type") == definition.object)
    if definition.records.include_lists:
        included = (
            members.filter(pl.col("list_id").is_in(definition.records.include_lists))
            .select("portal_id", pl.col("record_id").alias(id_column))
            .unique()
        )
        records = records.join(included, on=["portal_id", id_column], how="semi")
    if definition.records.exclude_lists:
        excluded = members.filter(pl.col("list_id").is_in(definition.records.exclude_lists)).select(
            "portal_id", pl.col("record_id").alias(id_column)
        )
        records = records.join(excluded, on=["portal_id", id_column], how="anti")
    return records


def scoped_records(definition: ScoreDefinition, inputs: ScoreInputs) -> pl.LazyFrame:
    """(portal_id, record_id) of the records `definition` scores, sorted by key: its object's
    records, in or out of the lists its scope names."""
    table, id_column = (inputs.contacts, "contact_id") if definition.object == "contact" else (inputs.companies, "company_id")
    scoped = _list_scope(table.select("portal_id", id_column), id_column, definition, inputs.list_memberships)
    return scoped.select("portal_id", pl.col(id_column).alias("record_id")).sort("portal_id", "record_id")


def score_members(definitions: list[ScoreDefinition], inputs: ScoreInputs) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(records in scope, their members) of every definition, and warnings for missing contact properties.

    records: (record, score_index, portal_id, record_id), sorted by the key, `record` its row number;
    members: (member, record, score_index, portal_id, record_id, contact_id), `member` its row number,
    a contact being its own member for a contact score. Inside the engines a member and a record are
    these integers: joins and groupings stay on one column."""
    plans, warnings = [], []
    contact_columns = set(inputs.contacts.collect_schema().names())
    for definition in definitions:
        scoped = scoped_records(definition, inputs)
        plans.append(scoped)
        if definition.object == "contact":
            continue
        company = definition.company_settings
        links = inputs.associations
        if company.association_labels:
            links = links.filter(pl.col("label").is_in(company.association_labels))
        qualifying = inputs.contacts.filter(all_filters(company.contact_filters, contact_columns)).select("portal_id", "contact_id")
        for prop in missing_properties(company.contact_filters, contact_columns):
            warnings.append(f"{definition.id}: contacts have no property {prop!r}; it is unknown on every contact")
        linked = (
            links.select("portal_id", pl.col("company_id").alias("record_id"), "contact_id")
            .unique()
            .join(qualifying, on=["portal_id", "contact_id"], how="semi")
            .join(scoped.with_row_index("record"), on=["portal_id", "record_id"])
            .sort("record", "contact_id")
        )
        plans.append(linked)
    collected = iter(pl.collect_all(plans))
    records: list[pl.DataFrame] = []
    members: list[pl.DataFrame] = []
    first = 0
    for index, definition in enumerate(definitions):
        in_scope = next(collected)
        score = pl.lit(index, dtype=pl.Int32).alias("score_index")
        numbered = in_scope.select(
            pl.int_range(first, first + in_scope.height, dtype=pl.Int64).alias("record"), score, "portal_id", "record_id"
        )
        records.append(numbered)
        if definition.object == "contact":
            members.append(numbered.with_columns(pl.col("record_id").alias("contact_id")))
        else:
            members.append(
                next(collected).select(
                    (pl.col("record").cast(pl.Int64) + first).alias("record"), score, "portal_id", "record_id", "contact_id"
                )
            )
        first += in_scope.height
    indexed_members = pl.concat(members).with_row_index("member").with_columns(pl.col("member").cast(pl.Int64))
    return pl.concat(records), indexed_members, warnings


def resets_until(resets: pl.LazyFrame, definitions: list[ScoreDefinition], until: datetime) -> pl.LazyFrame:
    """(score_index, portal_id, record_id, reset_at): the resets of each definition on or before `until`.
    A reset applies to records of the definition's own object: company resets to company scores."""
    ids = definition_table(definitions).select("score_index", "score_id", "object_type")
    return resets.filter(pl.col("reset_at") <= until).join(ids, on=["score_id", "object_type"]).select(*KEY, "reset_at")


def latest_resets(resets: pl.LazyFrame, definitions: list[ScoreDefinition], as_of: datetime) -> pl.LazyFrame:
    """(score_index, portal_id, record_id, reset_at): each record's latest reset of the score on or before `as_of`."""
    return resets_until(resets, definitions, as_of).group_by(KEY).agg(pl.col("reset_at").max())


def score_ranges(frame: pl.DataFrame, scores: int) -> list[tuple[int, int]]:
    """(first row, row count) of each score index in `frame` (members or records, numbered in key
    order, so each score's rows are one run)."""
    starts = frame["score_index"].search_sorted(pl.Series(range(scores + 1), dtype=frame.schema["score_index"])).to_list()
    return [(starts[i], starts[i + 1] - starts[i]) for i in range(scores)]
