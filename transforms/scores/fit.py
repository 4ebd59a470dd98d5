"""Fit scores: points for who a record is (its own property values), not for what it does.

A fit rule is an engagement rule without events: its filters read the record's columns (a contact
score may also read its primary company's, prefixed `company.`), and a record that matches gets the
rule's points once. The clamps are the engagement score's: a rule's value choice (`together`) or
points per value (`individually`), group limits, the score limit; so are the breakdown rows, with
`events` 1 on a rule row (the record matched). There is no decay and no window: properties do not
age, and a snapshot holds their values on its date."""

from __future__ import annotations

import polars as pl

from transforms.scores.columns import unit_cents, unit_events
from transforms.scores.definition import ScoreDefinition
from transforms.scores.filters import missing_properties
from transforms.scores.members import COMPANY_PREFIX, ScoreInputs, scoped_records
from transforms.scores.points import RowKind, member_points
from transforms.scores.units import fit_matches, rule_units

PRIMARY_LABEL = "primary"


def primary_companies(associations: pl.LazyFrame) -> pl.LazyFrame:
    """(portal_id, contact_id, company_id): each contact's primary company, the association labelled
    `primary` (any case), else its only associated company; none when it has several and no primary."""
    labelled = associations.with_columns(
        (pl.col("label").str.strip_chars().str.to_lowercase() == PRIMARY_LABEL).fill_null(False).alias("primary")
    )
    per_contact = labelled.group_by("portal_id", "contact_id").agg(
        pl.col("company_id").filter(pl.col("primary")).min().alias("labelled"),
        pl.col("company_id").unique().alias("companies"),
    )
    only = pl.when(pl.col("companies").list.len() == 1).then(pl.col("companies").list.first())
    return per_contact.select("portal_id", "contact_id", pl.coalesce("labelled", only).alias("company_id")).drop_nulls("company_id")


def fit_records(definition: ScoreDefinition, inputs: ScoreInputs) -> pl.LazyFrame:
    """The records `definition` scores, sorted by key, numbered `record` from 0, with the columns its
    rules read: the record's own, and for a contact score its primary company's as `company.<name>`."""
    records = scoped_records(definition, inputs)
    wanted = {f.property for f in definition.filters}
    own = inputs.contacts if definition.object == "contact" else inputs.companies
    id_column = "contact_id" if definition.object == "contact" else "company_id"
    own_columns = [c for c in own.collect_schema().names() if c in wanted and c not in ("portal_id", id_column)]
    frame = records.join(
        own.select("portal_id", pl.col(id_column).alias("record_id"), *own_columns), on=["portal_id", "record_id"], how="left"
    )
    of_company = sorted(p.removeprefix(COMPANY_PREFIX) for p in wanted if p.startswith(COMPANY_PREFIX))
    if definition.object == "contact" and of_company:
        present = [c for c in inputs.companies.collect_schema().names() if c in of_company]
        companies = inputs.companies.select("portal_id", "company_id", *[pl.col(c).alias(COMPANY_PREFIX + c) for c in present])
        primary = (
            primary_companies(inputs.associations)
            .rename({"contact_id": "record_id"})
            .join(companies, on=["portal_id", "company_id"], how="left")
        )
        frame = frame.join(primary.drop("company_id"), on=["portal_id", "record_id"], how="left")
    return frame.sort("portal_id", "record_id").with_row_index("record").with_columns(pl.col("record").cast(pl.Int64))


def fit_warnings(definition: ScoreDefinition, columns: set[str]) -> list[str]:
    """One warning per property the rules read that the records lack: it is unknown on every record."""
    return [
        f"{definition.id}: {definition.object} records have no property {name!r}; it is unknown on every record"
        for name in missing_properties(definition.filters, columns)
    ]


def fit_points(definition: ScoreDefinition, records: pl.LazyFrame) -> tuple[pl.LazyFrame, list[RowKind]]:
    """`records` (from `fit_records`) with each unit's cents and matches (1 when the record matches
    the rule, or the value of its multi-value filter), then `member_points`: totals, clamps and the
    columns of each breakdown row kind."""
    columns = set(records.collect_schema().names())
    matches = fit_matches(definition, columns)
    units = rule_units([definition])
    points = dict(zip(units["unit_id"].to_list(), units["points"].to_list(), strict=True))
    wide = records.select(
        "record",
        *[
            expr
            for unit_id, matched in matches
            for expr in (
                pl.when(matched).then(100 * points[unit_id]).otherwise(0).cast(pl.Int64).alias(unit_cents(unit_id)),
                matched.cast(pl.Int64).alias(unit_events(unit_id)),
            )
        ],
    )
    return member_points(wide, units, 100 * definition.score_limit)
