"""The snapshot data contract: tables, columns, keys and foreign keys, stated once.

Parsing, the Pandera snapshot schemas, the generator and the docs all read this
module, so the contract cannot drift between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

Kind = Literal["id", "str", "ts", "date", "money", "int", "float", "enum"]
# Days a CRM record can carry: a year 0 or 10000 is a typing or export slip, quarantined.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)

DTYPES: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "str": pl.String(),
    "ts": pl.Datetime("us", "UTC"),
    "date": pl.Date(),
    "money": pl.Decimal(18, 2),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "enum": pl.String(),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    nullable: bool = False
    enum: tuple[str, ...] = ()
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    pattern: str | None = None

    @property
    def dtype(self) -> pl.DataType:
        return DTYPES[self.kind]


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    # Polymorphic references (list memberships, resets) name their parent per
    # value of this column: {"contact": "contacts", "company": "companies"}.
    parent_by: tuple[str, tuple[tuple[str, str, str], ...]] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    extra_columns: bool = False
    optional: bool = False
    # The order rows are stored in the lake: readers that filter on the leading column skip whole
    # row groups by their statistics.
    cluster_by: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


OBJECT_TYPES = ("contact", "company")
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketing_qualified_lead",
    "sales_qualified_lead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
EVENT_TYPES = (
    "form_submission",
    "email_open",
    "email_click",
    "email_reply",
    "email_bounce",
    "email_unsubscribe",
    "page_view",
    "meeting_booked",
    "meeting_outcome_change",
    "call",
    "chat",
    "document_view",
    "ad_click",
    "lifecycle_stage_change",
)
PRODUCTS = (
    "marketing_hub",
    "sales_hub",
    "service_hub",
    "content_hub",
    "operations_hub",
    "commerce_hub",
    "data_hub",
    "smart_crm",
)
EDITIONS = ("free", "starter", "professional", "enterprise")
RELATIONSHIPS = ("sold", "managed", "sold_and_managed")
BILLING_FREQUENCIES = ("monthly", "quarterly", "semiannual", "annual", "other")
DEAL_TYPES = ("new_client", "upgrade", "cross_sell")
SOLD_TYPES = ("sourced", "assisted")
CONTRACT_TYPES = ("renewal", "contact_upgrade", "email_overage")
COMMUNICATION_OWNERS = ("hubspot", "partner")
MARKET_TYPES = ("growth", "standard")

COUNTRY_PATTERN = r"^[A-Z]{2}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
_PORTAL = Column("portal_id", "id")
_RECORD_PARENTS = ("object_type", (("contact", "contacts", "contact_id"), ("company", "companies", "company_id")))

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "contacts",
            (
                _PORTAL,
                Column("contact_id", "id"),
                Column("email", "str", nullable=True),
                Column("lifecycle_stage", "enum", nullable=True, enum=LIFECYCLE_STAGES),
                Column("created_at", "ts"),
            ),
            key=("portal_id", "contact_id"),
            extra_columns=True,
        ),
        Table(
            "companies",
            (
                _PORTAL,
                Column("company_id", "id"),
                Column("name", "str", nullable=True),
                Column("domain", "str", nullable=True),
                Column("created_at", "ts"),
            ),
            key=("portal_id", "company_id"),
            extra_columns=True,
        ),
        Table(
            "associations",
            (
                _PORTAL,
                Column("contact_id", "id"),
                Column("company_id", "id"),
                Column("label", "str", nullable=True),
            ),
            key=("portal_id", "contact_id", "company_id", "label"),
            foreign_keys=(
                ForeignKey(("portal_id", "contact_id"), "contacts", ("portal_id", "contact_id")),
                ForeignKey(("portal_id", "company_id"), "companies", ("portal_id", "company_id")),
            ),
        ),
        Table(
            "events",
            (
                _PORTAL,
                Column("event_id", "str"),
                Column("contact_id", "id"),
                Column("event_type", "enum"),
                Column("occurred_at", "ts"),
            ),
            key=("portal_id", "event_id"),
            foreign_keys=(ForeignKey(("portal_id", "contact_id"), "contacts", ("portal_id", "contact_id")),),
            extra_columns=True,
            # Scoring reads one event type at a time, then sums per contact.
            cluster_by=("event_type", "portal_id", "contact_id", "occurred_at", "event_id"),
        ),
        Table(
            "list_memberships",
            (
                _PORTAL,
                Column("list_id", "str"),
                Column("object_type", "enum", enum=OBJECT_TYPES),
                Column("record_id", "id"),
            ),
            key=("portal_id", "list_id", "object_type", "record_id"),
            foreign_keys=(ForeignKey(("portal_id", "record_id"), "", (), parent_by=_RECORD_PARENTS),),
            optional=True,
        ),
        Table(
            "score_resets",
            (
                _PORTAL,
                Column("score_id", "str"),
                Column("object_type", "enum", enum=OBJECT_TYPES),
                Column("record_id", "id"),
                Column("reset_at", "ts"),
            ),
            key=("portal_id", "score_id", "object_type", "record_id", "reset_at"),
            foreign_keys=(ForeignKey(("portal_id", "record_id"), "", (), parent_by=_RECORD_PARENTS),),
            optional=True,
        ),
        Table(
            "clients",
            (
                Column("client_id", "id"),
                Column("name", "str"),
                Column("domain", "str", nullable=True),
                Column("country", "str", pattern=COUNTRY_PATTERN),
                Column("currency", "str", pattern=CURRENCY_PATTERN),
                Column("relationship", "enum", enum=RELATIONSHIPS),
                Column("managing_partners", "int", ge=1),
                Column("associated_since", "date"),
                Column("ended_at", "date", nullable=True),
            ),
            key=("client_id",),
        ),
        Table(
            "subscriptions",
            (
                Column("subscription_id", "str"),
                Column("client_id", "id"),
                Column("product", "enum", enum=PRODUCTS),
                Column("edition", "enum", enum=EDITIONS),
                Column("mrr", "money", ge=0),
                Column("start_date", "date"),
                Column("end_date", "date", nullable=True),
                Column("billing_frequency", "enum", enum=BILLING_FREQUENCIES),
                Column("term_months", "int", ge=0),
                Column("max_contacts", "int", nullable=True, ge=0),
                Column("email_limit", "int", nullable=True, ge=0),
            ),
            key=("subscription_id",),
            foreign_keys=(ForeignKey(("client_id",), "clients", ("client_id",)),),
        ),
        Table(
            "tool_usage",
            (
                Column("client_id", "id"),
                Column("tool", "str"),
                Column("activity_date", "date"),
                Column("actions", "int", ge=0),
            ),
            key=("client_id", "tool", "activity_date"),
            foreign_keys=(ForeignKey(("client_id",), "clients", ("client_id",)),),
        ),
        Table(
            "deals",
            (
                Column("deal_id", "str"),
                Column("client_id", "id"),
                Column("deal_type", "enum", enum=DEAL_TYPES),
                Column("sold_type", "enum", enum=SOLD_TYPES),
                Column("closed_on", "date"),
                Column("mrr", "money", ge=0),
            ),
            key=("deal_id",),
            foreign_keys=(ForeignKey(("client_id",), "clients", ("client_id",)),),
        ),
        Table(
            "contract_changes",
            (
                Column("change_id", "str"),
                Column("client_id", "id"),
                Column("contract_type", "enum", enum=CONTRACT_TYPES),
                Column("renewal_start_date", "date"),
                Column("accepted_at", "ts", nullable=True),
                Column("cancellation_requested_at", "ts", nullable=True),
                Column("communication_owner", "enum", nullable=True, enum=COMMUNICATION_OWNERS),
                Column("primary_contact_email", "str", nullable=True),
                Column("current_mrr", "money", ge=0),
                Column("estimated_new_mrr", "money", ge=0),
            ),
            key=("change_id",),
            foreign_keys=(ForeignKey(("client_id",), "clients", ("client_id",)),),
        ),
        Table(
            "fx_rates",
            (
                Column("currency", "str", pattern=CURRENCY_PATTERN),
                Column("rate_date", "date"),
                # No currency is worth a millionth of a cent or a million dollars a unit.
                Column("usd_per_unit", "float", ge=1e-9, le=1e6),
            ),
            key=("currency", "rate_date"),
        ),
        Table(
            "markets",
            (
                Column("country", "str", pattern=COUNTRY_PATTERN),
                Column("market_type", "enum", enum=MARKET_TYPES),
                Column("multiplier", "float", ge=1),
            ),
            key=("country",),
            optional=True,
        ),
    )
}

# Parents before children, so foreign keys are checked against kept parent rows.
INGEST_ORDER: tuple[str, ...] = (
    "contacts",
    "companies",
    "associations",
    "events",
    "list_memberships",
    "score_resets",
    "clients",
    "subscriptions",
    "tool_usage",
    "deals",
    "contract_changes",
    "fx_rates",
    "markets",
)

# Codes (ISO 4217 / 3166-1 alpha-2) are stored upper-case; enums lower-case.
UPPER_CASE_COLUMNS = {("clients", "country"), ("clients", "currency"), ("fx_rates", "currency"), ("markets", "country")}
