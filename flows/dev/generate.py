"""Synthetic snapshot generator: every contract table, deterministic for a seed, streamed in chunks.

Contacts and their events are produced CHUNK contacts at a time and written as Parquet parts, so
memory stays bounded by one chunk however many contacts are asked for.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from flows.io.storage import write_parquet
from transforms.snapshot.contract import (
    BILLING_FREQUENCIES,
    CONTRACT_TYPES,
    DEAL_TYPES,
    EDITIONS,
    LIFECYCLE_STAGES,
    PRODUCTS,
    RELATIONSHIPS,
)

log = logging.getLogger("engage")

CHUNK = 250_000
EVENTS_PER_CONTACT = 20
PLANTED_CHANGE_ID = "chg-planted-renewal"
PLANTED_RENEWAL_LEAD_DAYS = 30
PORTALS = (101, 202, 303)
SCORE_IDS = ("mql_engagement", "contact_activity", "company_engagement")

# (event_type, weight) — opens and page views dominate, as in real CRM exports.
EVENT_MIX = (
    ("email_open", 30),
    ("page_view", 25),
    ("email_click", 10),
    ("form_submission", 6),
    ("email_reply", 3),
    ("email_bounce", 2),
    ("email_unsubscribe", 1),
    ("meeting_booked", 2),
    ("meeting_outcome_change", 2),
    ("call", 3),
    ("chat", 3),
    ("document_view", 5),
    ("ad_click", 6),
    ("lifecycle_stage_change", 2),
)
FORMS = ("contact_us", "newsletter", "demo_request", "ebook_download", "webinar_signup")
PAGES = tuple(f"https://www.example.com/{p}" for p in ("", "pricing", "blog/a", "blog/b", "docs", "careers", "product", "contact"))
MEETING_OUTCOMES = ("scheduled", "completed", "rescheduled", "no_show", "canceled")
JOB_TITLES = ("ceo", "cto", "marketing manager", "sales rep", "engineer", "analyst")
SENIORITY = {"ceo": "executive", "cto": "executive", "marketing manager": "manager"} | dict.fromkeys(
    ("sales rep", "engineer", "analyst"), "individual contributor"
)
INDUSTRIES = ("software", "retail", "manufacturing", "finance", "health", "education", "media")
LABELS = ("primary", "billing", "decision_maker")

# country -> (currency, market); growth markets per the partner program.
COUNTRIES = {
    "US": ("USD", "standard"),
    "GB": ("GBP", "standard"),
    "FR": ("EUR", "standard"),
    "DE": ("EUR", "standard"),
    "IT": ("EUR", "standard"),
    "NO": ("NOK", "standard"),
    "AU": ("AUD", "standard"),
    "JP": ("JPY", "standard"),
    "IN": ("INR", "growth"),
    "BR": ("BRL", "growth"),
    "MX": ("MXN", "growth"),
    "SG": ("SGD", "growth"),
    "KR": ("KRW", "growth"),
    "CO": ("COP", "growth"),
}
USD_PER_UNIT = {
    "GBP": 1.27,
    "EUR": 1.09,
    "NOK": 0.094,
    "AUD": 0.66,
    "JPY": 0.0067,
    "INR": 0.012,
    "BRL": 0.19,
    "MXN": 0.055,
    "SGD": 0.74,
    "KRW": 0.00073,
    "COP": 0.00025,
}
GROWTH_COUNTRIES = ("IN", "BR", "MX", "AR", "CO", "CL", "PE", "CN", "MN", "KR", "SG", "ID", "VN", "TH", "PH", "MY")
TOOLS = (
    "email",
    "forms",
    "landing_pages",
    "social",
    "ads",
    "campaigns",
    "deals",
    "sequences",
    "meetings",
    "quotes",
    "tickets",
    "knowledge_base",
    "feedback_surveys",
    "website_pages",
    "blog",
    "workflows",
    "reports",
    "custom_objects",
    "data_sync",
    "chatbot_builder",
)


def _ts(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _choice(rng: np.random.Generator, values: tuple, n: int, weights: tuple | None = None) -> pl.Series:
    p = None if weights is None else np.asarray(weights, dtype=float) / sum(weights)
    return pl.Series(values, dtype=pl.String).gather(rng.choice(len(values), size=n, p=p))


def _fmt(template: str, values: np.ndarray) -> pl.Series:
    """`template` with each of `values` in its `{}`."""
    return pl.select(pl.format(template, pl.lit(pl.Series(values)))).to_series()


def _ids(prefix: str, n: int) -> pl.Series:
    return pl.select(pl.format(f"{prefix}-{{}}", pl.int_range(n).cast(pl.String).str.zfill(7))).to_series()


def _seconds_before(moment: datetime, seconds: np.ndarray, keep: np.ndarray | None = None) -> pl.Series:
    """`moment - seconds` as UTC timestamps; null where `keep` is False."""
    values = np.datetime64(moment.replace(tzinfo=None), "us") - (seconds * 1_000_000).astype("timedelta64[us]")
    if keep is not None:
        values = np.where(keep, values, np.datetime64("NaT", "us"))
    return pl.Series(values).dt.replace_time_zone("UTC")


def _contacts_chunk(
    rng: np.random.Generator, first_id: int, n: int, as_of: date, companies_per_portal: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    portal = np.asarray(PORTALS, dtype=np.int64)[rng.choice(len(PORTALS), size=n, p=[0.5, 0.3, 0.2])]
    created = _seconds_before(_ts(as_of), 1100 * 86_400 - rng.integers(0, 1095 * 86_400, size=n))
    contacts = pl.DataFrame(
        {
            "portal_id": portal,
            "contact_id": ids,
            "email": _fmt("contact{}@example.org", ids),
            "lifecycle_stage": _choice(rng, LIFECYCLE_STAGES, n, (30, 25, 15, 10, 8, 8, 2, 2)),
            "created_at": created,
            "country": _choice(rng, tuple(COUNTRIES), n),
            "job_title": _choice(rng, JOB_TITLES, n),
        }
    )
    # Seniority follows the title (no draw of its own: every other column stays as it was).
    contacts = contacts.with_columns(pl.col("job_title").replace_strict(SENIORITY, return_dtype=pl.String).alias("seniority"))
    has_company = rng.random(n) < 0.8
    second = rng.random(n) < 0.15
    company_index = rng.integers(0, companies_per_portal, size=n)
    assoc = pl.DataFrame(
        {
            "portal_id": portal,
            "contact_id": ids,
            "company_id": portal * 10_000_000 + company_index,
            "label": _choice(rng, (*LABELS, None), n, (5, 1, 2, 2)),
        }
    ).filter(pl.Series(has_company))
    extra = pl.DataFrame(
        {
            "portal_id": portal,
            "contact_id": ids,
            "company_id": portal * 10_000_000 + (company_index + 1 + rng.integers(0, 5, size=n)) % companies_per_portal,
            "label": _choice(rng, (*LABELS, None), n, (1, 2, 2, 3)),
        }
    ).filter(pl.Series(has_company & second))
    return contacts, pl.concat([assoc, extra]).unique(["portal_id", "contact_id", "company_id", "label"], maintain_order=True)


def _events_chunk(rng: np.random.Generator, contacts: pl.DataFrame, first_event: int, as_of: date, mean_events: float) -> pl.DataFrame:
    n = contacts.height
    # Heavy tail: most contacts do little, a few do a lot (lognormal with the asked mean).
    sigma = 1.2
    counts = np.floor(rng.lognormal(np.log(max(mean_events, 0.01)) - sigma**2 / 2, sigma, size=n)).astype(np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(n), counts)
    created = contacts["created_at"].dt.replace_time_zone(None).to_numpy()[owner]
    end = np.datetime64(_ts(as_of).replace(tzinfo=None), "us") + np.timedelta64(86_399_999_999, "us")
    span = (end - created).astype(np.int64)
    # Recent activity is denser: skew the offset toward the as-of end with a power law.
    offset = (span * (1 - rng.random(total) ** 2.5)).astype(np.int64)
    event_type = _choice(rng, tuple(t for t, _ in EVENT_MIX), total, tuple(w for _, w in EVENT_MIX))
    frame = pl.DataFrame(
        {
            "portal_id": contacts["portal_id"].to_numpy()[owner],
            "event_id": np.arange(first_event, first_event + total, dtype=np.int64),
            "contact_id": contacts["contact_id"].to_numpy()[owner],
            "event_type": event_type,
            "occurred_at": (created + offset.astype("timedelta64[us]")),
            "form_pick": _choice(rng, FORMS, total, (4, 5, 2, 2, 1)),
            "page_pick": _choice(rng, PAGES, total),
            "campaign_pick": rng.integers(1, 40, size=total),
            "outcome_pick": _choice(rng, MEETING_OUTCOMES, total),
            "stage_pick": rng.integers(0, len(LIFECYCLE_STAGES) - 1, size=total),
            "duration_pick": rng.integers(30, 3600, size=total),
        }
    )
    stages = pl.Series(LIFECYCLE_STAGES)
    kind = pl.col("event_type")
    return frame.select(
        "portal_id",
        pl.format("ev-{}", pl.col("event_id")).alias("event_id"),
        "contact_id",
        "event_type",
        pl.col("occurred_at").dt.replace_time_zone("UTC"),
        pl.when(kind == "form_submission").then(pl.col("form_pick")).alias("form_id"),
        pl.when(kind.is_in(["page_view", "document_view"])).then(pl.col("page_pick")).alias("page_url"),
        pl.when(kind.str.starts_with("email_")).then(pl.format("campaign-{}", pl.col("campaign_pick"))).alias("email_campaign_id"),
        pl.when(kind == "meeting_outcome_change").then(pl.col("outcome_pick")).alias("meeting_outcome"),
        pl.when(kind == "lifecycle_stage_change")
        .then(pl.col("stage_pick").replace_strict(pl.int_range(len(stages), eager=True), stages))
        .alias("from_stage"),
        pl.when(kind == "lifecycle_stage_change")
        .then((pl.col("stage_pick") + 1).replace_strict(pl.int_range(1, len(stages) + 1, eager=True), stages))
        .alias("to_stage"),
        pl.when(kind == "call").then(pl.col("duration_pick").cast(pl.String)).alias("duration_seconds"),
    )


# The learnable signal of the demo: a subscriber's odds of becoming a marketing qualified lead (log
# odds per event before the moment it is decided, each count capped) and the window it is decided in.
CONVERSION_BASE = -3.0
CONVERSION_SIGNAL = {
    "demo_or_contact_form": (1.6, 2),
    "pricing_view": (0.9, 3),
    "email_reply": (1.0, 2),
    "email_unsubscribe": (-2.0, 1),
    "email_bounce": (-1.5, 2),
}
CONVERSION_DAYS = 180


def _plant_conversions(
    rng: np.random.Generator, contacts: pl.DataFrame, events: pl.DataFrame, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Subscribers moved to marketing_qualified_lead (a stage change event, their stage now) more
    often after demo-request and contact-us forms, pricing page views and email replies, less often
    after unsubscribes and bounces, with noise; their other stage changes removed, so their path is
    subscriber, then maybe MQL. The moment each is decided falls in the last CONVERSION_DAYS days."""
    key = ["portal_id", "contact_id"]
    funnel = contacts.filter(pl.col("lifecycle_stage") == "subscriber").select(*key, "created_at")
    n = funnel.height
    funnel = funnel.with_columns(
        _seconds_before(_ts(as_of + timedelta(days=1)), rng.integers(1, CONVERSION_DAYS * 86_400, size=n)).alias("decided_at"),
        pl.Series("noise", rng.normal(0.0, 0.5, size=n)),
        pl.Series("draw", rng.random(n)),
    )
    kind = pl.col("event_type")
    matches = {
        "demo_or_contact_form": (kind == "form_submission") & pl.col("form_id").is_in(["demo_request", "contact_us"]),
        "pricing_view": (kind == "page_view") & pl.col("page_url").str.contains("pricing"),
        "email_reply": kind == "email_reply",
        "email_unsubscribe": kind == "email_unsubscribe",
        "email_bounce": kind == "email_bounce",
    }
    signals = (
        events.join(funnel.select(*key, "decided_at"), on=key)
        .filter(pl.col("occurred_at") < pl.col("decided_at"))
        .group_by(key)
        .agg(*[matches[name].sum().clip(0, cap).mul(weight).alias(name) for name, (weight, cap) in CONVERSION_SIGNAL.items()])
    )
    logit = pl.lit(CONVERSION_BASE) + pl.sum_horizontal(*CONVERSION_SIGNAL) + pl.col("noise")
    moved = (
        funnel.join(signals, on=key, how="left")
        .with_columns(pl.col(name).fill_null(0.0) for name in CONVERSION_SIGNAL)
        .filter((pl.col("decided_at") > pl.col("created_at")) & (pl.col("draw") < 1 / (1 + (-logit).exp())))
    )
    planted = moved.select(
        "portal_id",
        pl.format("ev-mql-{}-{}", "portal_id", "contact_id").alias("event_id"),
        "contact_id",
        pl.lit("lifecycle_stage_change").alias("event_type"),
        pl.col("decided_at").alias("occurred_at"),
        pl.lit("subscriber").alias("from_stage"),
        pl.lit("marketing_qualified_lead").alias("to_stage"),
    )
    in_funnel = (kind == "lifecycle_stage_change") & pl.struct(key).is_in(funnel.select(pl.struct(key)).to_series().implode())
    events = pl.concat([events.filter(~in_funnel), planted], how="diagonal_relaxed").select(events.columns)
    contacts = contacts.with_columns(
        pl.when(pl.struct(key).is_in(moved.select(pl.struct(key)).to_series().implode()))
        .then(pl.lit("marketing_qualified_lead"))
        .otherwise(pl.col("lifecycle_stage"))
        .alias("lifecycle_stage")
    )
    return contacts, events


def _companies(rng: np.random.Generator, companies_per_portal: int, as_of: date) -> pl.DataFrame:
    n = companies_per_portal * len(PORTALS)
    portal = np.repeat(np.asarray(PORTALS, dtype=np.int64), companies_per_portal)
    company_id = portal * 10_000_000 + np.tile(np.arange(companies_per_portal), len(PORTALS))
    created = _seconds_before(_ts(as_of), rng.integers(30 * 86_400, 1500 * 86_400, size=n))
    return pl.DataFrame(
        {
            "portal_id": portal,
            "company_id": company_id,
            "name": _fmt("Company {}", company_id),
            "domain": _fmt("company{}.example.com", company_id),
            "created_at": created,
            "industry": _choice(rng, INDUSTRIES, n),
            "employees": rng.integers(1, 5000, size=n).astype(str),
        }
    )


def _lists_and_resets(rng: np.random.Generator, contacts: pl.DataFrame, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = contacts.height
    which = rng.random(n)
    memberships = pl.concat(
        [
            contacts.filter(pl.Series(which < share)).select(
                "portal_id",
                pl.lit(list_id).alias("list_id"),
                pl.lit("contact").alias("object_type"),
                pl.col("contact_id").alias("record_id"),
            )
            for list_id, share in (("internal", 0.01), ("newsletter", 0.30), ("webinar_attendees", 0.08))
        ]
    )
    reset = contacts.filter(pl.Series(rng.random(n) < 0.005))
    resets = reset.select(
        "portal_id",
        pl.Series(_choice(rng, SCORE_IDS[:2], reset.height)).alias("score_id"),
        pl.lit("contact").alias("object_type"),
        pl.col("contact_id").alias("record_id"),
        (pl.lit(_ts(as_of)) - pl.duration(seconds=pl.lit(pl.Series(rng.integers(3600, 120 * 86_400, size=reset.height))))).alias(
            "reset_at"
        ),
    )
    return memberships, resets


def _company_lists(rng: np.random.Generator, companies: pl.DataFrame, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = companies.height
    pick = rng.random(n)
    memberships = pl.concat(
        [
            companies.filter(pl.Series(pick < share)).select(
                "portal_id",
                pl.lit(list_id).alias("list_id"),
                pl.lit("company").alias("object_type"),
                pl.col("company_id").alias("record_id"),
            )
            for list_id, share in (("target_accounts", 0.2), ("internal", 0.01))
        ]
    )
    reset = companies.filter(pl.Series(rng.random(n) < 0.02))
    resets = reset.select(
        "portal_id",
        pl.lit("company_engagement").alias("score_id"),
        pl.lit("company").alias("object_type"),
        pl.col("company_id").alias("record_id"),
        (pl.lit(_ts(as_of)) - pl.duration(days=pl.lit(pl.Series(rng.integers(1, 90, size=reset.height))))).alias("reset_at"),
    )
    return memberships, resets


def _in_client_currency(usd: pl.Expr, clients: pl.DataFrame, owner: np.ndarray) -> pl.Expr:
    """A US-dollar amount expressed in the owning client's currency, with 2 decimals."""
    rate = clients["currency"].gather(owner).replace_strict({**USD_PER_UNIT, "USD": 1.0}, return_dtype=pl.Float64)
    return (usd / pl.lit(rate)).round(2).cast(pl.Decimal(18, 2)).alias(usd.meta.output_name())


def _partner_tables(rng: np.random.Generator, n_clients: int, as_of: date) -> dict[str, pl.DataFrame]:
    client_id = np.arange(5_000_001, 5_000_001 + n_clients, dtype=np.int64)
    country = _choice(rng, tuple(COUNTRIES), n_clients, (20, 10, 8, 6, 4, 4, 4, 3, 8, 6, 5, 3, 3, 2))
    since = np.datetime64(as_of) - rng.integers(60, 1500, size=n_clients).astype("timedelta64[D]")
    ended = rng.random(n_clients) < 0.06
    ended_at = np.where(ended, np.datetime64(as_of) - rng.integers(-20, 60, size=n_clients).astype("timedelta64[D]"), np.datetime64("NaT"))
    clients = pl.DataFrame(
        {
            "client_id": client_id,
            "name": _fmt("Client {}", np.arange(n_clients)),
            "domain": _fmt("client{}.example.net", client_id),
            "country": country,
            "currency": country.replace_strict({k: v[0] for k, v in COUNTRIES.items()}),
            "relationship": _choice(rng, RELATIONSHIPS, n_clients, (3, 3, 4)),
            "managing_partners": rng.choice([1, 1, 1, 2, 3], size=n_clients),
            "associated_since": since,
            "ended_at": ended_at,
        }
    ).with_columns(pl.col("ended_at").cast(pl.Date), pl.col("associated_since").cast(pl.Date))
    # The planted client never ends, so its renewal is visible on every day of a backfill.
    clients = clients.with_columns(pl.when(pl.col("client_id") == client_id[0]).then(None).otherwise(pl.col("ended_at")).alias("ended_at"))

    per_client = rng.integers(1, 5, size=n_clients)
    owner = np.repeat(np.arange(n_clients), per_client)
    n_subs = owner.size
    start = np.datetime64(as_of) - rng.integers(-20, 900, size=n_subs).astype("timedelta64[D]")
    stopped = rng.random(n_subs) < 0.1
    subscriptions = pl.DataFrame(
        {
            "subscription_id": _ids("sub", n_subs),
            "client_id": client_id[owner],
            "product": _choice(rng, PRODUCTS, n_subs, (6, 5, 4, 2, 2, 1, 1, 3)),
            "edition": _choice(rng, EDITIONS, n_subs, (2, 3, 4, 2)),
            "mrr": np.round(rng.lognormal(6, 1, size=n_subs), 2),
            "start_date": start,
            "end_date": np.where(stopped, start + rng.integers(30, 400, size=n_subs).astype("timedelta64[D]"), np.datetime64("NaT")),
            "billing_frequency": _choice(rng, BILLING_FREQUENCIES, n_subs, (6, 2, 1, 4, 1)),
            "term_months": rng.choice([1, 3, 6, 12, 24], size=n_subs),
            "max_contacts": rng.choice([1000, 2000, 5000, 10_000, 50_000], size=n_subs),
            "email_limit": rng.choice([10_000, 50_000, 100_000, 500_000], size=n_subs),
        }
    ).with_columns(pl.col("start_date", "end_date").cast(pl.Date), _in_client_currency(pl.col("mrr"), clients, owner))
    # The subscriptions are unique per (client, product): keep the first of a repeated pair.
    subscriptions = subscriptions.unique(["client_id", "product"], keep="first", maintain_order=True)

    days = 150
    engagement = rng.beta(2, 2, size=n_clients)
    grid = (
        pl.DataFrame({"client_id": client_id, "engagement": engagement})
        .join(pl.DataFrame({"tool": TOOLS, "tool_rank": rng.random(len(TOOLS))}), how="cross")
        .filter(pl.col("tool_rank") < pl.col("engagement") * 1.1)
    )
    usage = grid.join(pl.DataFrame({"day": np.arange(days)}), how="cross")
    activity = rng.random(usage.height)
    actions = rng.poisson(4, size=usage.height)
    tool_usage = (
        usage.with_columns(pl.Series("p", activity), pl.Series("actions", actions))
        .filter(pl.col("p") < 0.25 + 0.5 * pl.col("engagement"))
        .select(
            "client_id",
            "tool",
            (pl.lit(as_of) - pl.duration(days=pl.col("day"))).cast(pl.Date).alias("activity_date"),
            pl.col("actions").cast(pl.Int64),
        )
    )

    n_deals_per = rng.integers(0, 5, size=n_clients)
    deal_owner = np.repeat(np.arange(n_clients), n_deals_per)
    n_deals = deal_owner.size
    # A growing partner business: more deals closed in recent months than two years ago.
    age_days = (720 * rng.random(n_deals) ** 1.5).astype(np.int64)
    closed = np.maximum(since[deal_owner], np.datetime64(as_of) - age_days.astype("timedelta64[D]"))
    deals = pl.DataFrame(
        {
            "deal_id": _ids("deal", n_deals),
            "client_id": client_id[deal_owner],
            "deal_type": _choice(rng, DEAL_TYPES, n_deals, (4, 3, 3)),
            "sold_type": _choice(rng, ("sourced", "assisted"), n_deals, (3, 2)),
            "closed_on": closed,
            "mrr": np.round(rng.lognormal(6.5, 1, size=n_deals), 2),
        }
    ).with_columns(pl.col("closed_on").cast(pl.Date), _in_client_currency(pl.col("mrr"), clients, deal_owner))

    n_changes_per = rng.integers(0, 3, size=n_clients)
    change_owner = np.repeat(np.arange(n_clients), n_changes_per)
    n_changes = change_owner.size
    start_in = rng.integers(-30, 150, size=n_changes)
    accepted = rng.random(n_changes) < 0.3
    cancelled = rng.random(n_changes) < 0.07
    now = _ts(as_of)
    current = np.round(rng.lognormal(6, 1, size=n_changes), 2)
    changes = pl.DataFrame(
        {
            "change_id": _ids("chg", n_changes),
            "client_id": client_id[change_owner],
            "contract_type": _choice(rng, CONTRACT_TYPES, n_changes, (6, 2, 2)),
            "renewal_start_date": np.datetime64(as_of) + start_in.astype("timedelta64[D]"),
            "accepted_at": _seconds_before(now, rng.integers(0, 40 * 86_400, size=n_changes), accepted),
            "cancellation_requested_at": _seconds_before(now, rng.integers(0, 40 * 86_400, size=n_changes), cancelled),
            "communication_owner": _choice(rng, ("hubspot", "partner", None), n_changes, (3, 2, 3)),
            "primary_contact_email": _fmt("owner{}@client.example.net", np.arange(n_changes)),
            "current_mrr": current,
            "estimated_new_mrr": np.round(current * rng.uniform(0.8, 1.4, size=n_changes), 2),
        }
    )
    planted = pl.DataFrame(
        {
            "change_id": [PLANTED_CHANGE_ID],
            "client_id": [client_id[0]],
            "contract_type": ["renewal"],
            "renewal_start_date": [as_of + timedelta(days=PLANTED_RENEWAL_LEAD_DAYS)],
            "accepted_at": [None],
            "cancellation_requested_at": [None],
            "communication_owner": [None],
            "primary_contact_email": ["planted@client.example.net"],
            "current_mrr": [1000.0],
            "estimated_new_mrr": [1200.0],
        }
    )
    changes = changes.with_columns(
        _in_client_currency(pl.col("current_mrr"), clients, change_owner),
        _in_client_currency(pl.col("estimated_new_mrr"), clients, change_owner),
    )
    changes = pl.concat([changes.with_columns(pl.col("renewal_start_date").cast(pl.Date)), planted], how="vertical_relaxed").with_columns(
        pl.col("accepted_at", "cancellation_requested_at").cast(pl.Datetime("us", "UTC")),
        pl.col("current_mrr", "estimated_new_mrr").cast(pl.Decimal(18, 2)),
    )

    rate_days = np.arange(np.datetime64(as_of) - np.timedelta64(1200, "D"), np.datetime64(as_of) + np.timedelta64(1, "D"))
    fx_parts = []
    for currency, base in USD_PER_UNIT.items():
        walk = base * np.exp(np.cumsum(rng.normal(0, 0.003, size=rate_days.size)))
        fx_parts.append(pl.DataFrame({"currency": currency, "rate_date": rate_days, "usd_per_unit": walk}))
    fx_rates = pl.concat(fx_parts).with_columns(pl.col("rate_date").cast(pl.Date))
    markets = pl.DataFrame({"country": GROWTH_COUNTRIES, "market_type": "growth", "multiplier": 2.0})
    return {
        "clients": clients,
        "subscriptions": subscriptions,
        "tool_usage": tool_usage,
        "deals": deals,
        "contract_changes": changes,
        "fx_rates": fx_rates,
        "markets": markets,
    }


def _bad_rows(contact: dict, client_id: int) -> dict[str, list[tuple[dict[str, str], str, str]]]:
    """Known-bad rows per table, each with the column and the reason the quarantine must give."""
    p, c = str(contact["portal_id"]), str(contact["contact_id"])
    ts, cl = "2026-01-15T10:00:00Z", str(client_id)
    contact_row = {"portal_id": p, "contact_id": "", "email": "bad@example.org", "lifecycle_stage": "lead", "created_at": ts}
    event_row = {"portal_id": p, "event_id": "", "contact_id": c, "event_type": "email_open", "occurred_at": ts}
    client_row = {
        "client_id": "",
        "name": "Bad client",
        "domain": "",
        "country": "FR",
        "currency": "EUR",
        "relationship": "sold",
        "managing_partners": "1",
        "associated_since": "2024-01-01",
        "ended_at": "",
    }
    sub_row = {
        "subscription_id": "",
        "client_id": cl,
        "product": "sales_hub",
        "edition": "starter",
        "mrr": "10.00",
        "start_date": "2025-01-01",
        "end_date": "",
        "billing_frequency": "monthly",
        "term_months": "12",
        "max_contacts": "",
        "email_limit": "",
    }
    deal_row = {"deal_id": "", "client_id": cl, "deal_type": "upgrade", "sold_type": "sourced", "closed_on": "2026-01-01", "mrr": "100.00"}
    change_row = {
        "change_id": "",
        "client_id": cl,
        "contract_type": "renewal",
        "renewal_start_date": "2026-08-01",
        "accepted_at": "",
        "cancellation_requested_at": "",
        "communication_owner": "",
        "primary_contact_email": "",
        "current_mrr": "1.00",
        "estimated_new_mrr": "1.00",
    }
    return {
        "contacts": [
            ({**contact_row, "contact_id": "abc"}, "contact_id", "not a valid id"),
            ({**contact_row, "portal_id": "", "contact_id": "900000000001"}, "portal_id", "null in a non-nullable column"),
            ({**contact_row, "contact_id": "900000000002", "lifecycle_stage": "zombie"}, "lifecycle_stage", "not one of"),
            ({**contact_row, "contact_id": "900000000003"}, "portal_id, contact_id", "duplicate key"),
            ({**contact_row, "contact_id": "900000000003"}, "portal_id, contact_id", "duplicate key"),
            ({**contact_row, "contact_id": "900000000004", "created_at": "2026-13-45T99:00:00"}, "created_at", "not a valid ts"),
        ],
        "companies": [
            ({"portal_id": p, "company_id": "12x", "name": "Bad", "domain": "", "created_at": ts}, "company_id", "not a valid id"),
        ],
        "associations": [
            ({"portal_id": p, "contact_id": c, "company_id": "777777777777", "label": "primary"}, "company_id", "dangling reference"),
        ],
        "events": [
            ({**event_row, "event_id": "ev-bad-1", "contact_id": "999999999999"}, "contact_id", "dangling reference"),
            ({**event_row, "event_id": "ev-bad-2", "occurred_at": "yesterday"}, "occurred_at", "not a valid ts"),
            ({**event_row, "event_id": "ev-bad-3", "occurred_at": "1850-06-01T10:00:00"}, "occurred_at", "not between 1900-01-01"),
            ({**event_row, "event_id": "ev-bad-dup"}, "portal_id, event_id", "duplicate key"),
            ({**event_row, "event_id": "ev-bad-dup"}, "portal_id, event_id", "duplicate key"),
            ({**event_row, "event_id": ""}, "event_id", "null in a non-nullable column"),
        ],
        "list_memberships": [
            (
                {"portal_id": p, "list_id": "newsletter", "object_type": "contact", "record_id": "999999999999"},
                "record_id",
                "dangling reference",
            ),
            ({"portal_id": p, "list_id": "newsletter", "object_type": "deal", "record_id": c}, "object_type", "not one of"),
        ],
        "score_resets": [
            (
                {"portal_id": p, "score_id": "mql_engagement", "object_type": "contact", "record_id": c, "reset_at": "soon"},
                "reset_at",
                "not a valid ts",
            ),
        ],
        "clients": [
            ({**client_row, "client_id": "9000001", "country": "France"}, "country", "does not match"),
            ({**client_row, "client_id": "9000002", "managing_partners": "0"}, "managing_partners", "must be >= 1"),
            ({**client_row, "client_id": "9000003", "relationship": "friend"}, "relationship", "not one of"),
        ],
        "subscriptions": [
            ({**sub_row, "subscription_id": "sub-bad-1", "mrr": "-5.00"}, "mrr", "must be >= 0"),
            ({**sub_row, "subscription_id": "sub-bad-2", "mrr": "10.555"}, "mrr", "not a valid money"),
            ({**sub_row, "subscription_id": "sub-bad-3", "edition": "ultimate"}, "edition", "not one of"),
        ],
        "tool_usage": [
            ({"client_id": cl, "tool": "email", "activity_date": "2020-01-01", "actions": "-3"}, "actions", "must be >= 0"),
        ],
        "deals": [
            ({**deal_row, "deal_id": "deal-bad-1", "client_id": "1"}, "client_id", "dangling reference"),
            ({**deal_row, "deal_id": "deal-bad-2", "sold_type": "referred"}, "sold_type", "not one of"),
        ],
        "contract_changes": [
            ({**change_row, "change_id": "chg-bad-1", "contract_type": "upsell"}, "contract_type", "not one of"),
        ],
        "fx_rates": [
            ({"currency": "EUR", "rate_date": "1999-01-01", "usd_per_unit": "0"}, "usd_per_unit", "must be >= 1e-09"),
            ({"currency": "EUR", "rate_date": "1999-01-02", "usd_per_unit": "NaN"}, "usd_per_unit", "not a finite number"),
            ({"currency": "EUR", "rate_date": "1999-01-03", "usd_per_unit": "1e308"}, "usd_per_unit", "must be <= 1e+06"),
        ],
        "markets": [
            ({"country": "ZZ", "market_type": "growth", "multiplier": "0.5"}, "multiplier", "must be >= 1"),
        ],
    }


BAD_FILE = "part-bad.csv"
PLANTED_FILE = "_planted_bad_rows.json"


def _write_bad_rows(out: Path, planted: dict[str, list[tuple[dict[str, str], str, str]]]) -> list[dict[str, object]]:
    expected = []
    for table, rows in planted.items():
        frame = pl.DataFrame([row for row, _, _ in rows], schema=dict.fromkeys(rows[0][0], pl.String))
        frame.write_csv(out / table / BAD_FILE)
        expected += [
            {"table": table, "source_file": BAD_FILE, "source_row": i + 1, "column": column, "reason": reason}
            for i, (_, column, reason) in enumerate(rows)
        ]
    (out / PLANTED_FILE).write_text(json.dumps(expected, indent=1))
    return expected


def generate_snapshot(
    out: Path, contacts: int, seed: int, as_of: date, bad_rows: bool = False, events_per_contact: float = EVENTS_PER_CONTACT
) -> dict[str, int]:
    """Write a synthetic snapshot of every contract table to `out`; return the rows written per table."""
    if out.exists():
        if any(out.iterdir()) and not (out / "_snapshot.json").exists():
            raise FileExistsError(f"{out} exists and is not a generated snapshot; refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    rows: dict[str, int] = {}

    def emit(table: str, frame: pl.DataFrame, part: int) -> None:
        write_parquet(frame, out / table / f"part-{part:05d}.parquet")
        rows[table] = rows.get(table, 0) + frame.height

    rng = np.random.default_rng(seed)
    companies_per_portal = max(5, contacts // 30)
    companies = _companies(rng, companies_per_portal, as_of)
    emit("companies", companies, 0)
    company_lists, company_resets = _company_lists(rng, companies, as_of)
    emit("list_memberships", company_lists, 0)
    emit("score_resets", company_resets, 0)
    first_contact: dict[str, object] | None = None
    next_event = 0
    for part, first in enumerate(range(0, contacts, CHUNK)):
        chunk_rng = np.random.default_rng([seed, part + 1])
        chunk, assoc = _contacts_chunk(chunk_rng, first + 1, min(CHUNK, contacts - first), as_of, companies_per_portal)
        first_contact = first_contact or chunk.row(0, named=True)
        events = _events_chunk(chunk_rng, chunk, next_event, as_of, events_per_contact)
        # The ids drawn, not the rows kept: planting removes and adds rows with ids of their own.
        next_event += events.height
        # A generator of its own, so every other table stays as it was before the signal was planted.
        chunk, events = _plant_conversions(np.random.default_rng([seed, part + 1, 18]), chunk, events, as_of)
        lists, resets = _lists_and_resets(chunk_rng, chunk, as_of)
        emit("contacts", chunk, part)
        emit("associations", assoc, part)
        emit("events", events, part)
        emit("list_memberships", lists, part + 1)
        emit("score_resets", resets, part + 1)
        log.info(
            "generated %d / %d contacts, %d events (%.0fs)", first + chunk.height, contacts, rows["events"], time.perf_counter() - started
        )
    n_clients = max(40, min(5000, contacts // 100))
    for table, frame in _partner_tables(rng, n_clients, as_of).items():
        emit(table, frame, 0)
    if bad_rows and first_contact is not None:
        client_id = int(pl.read_parquet(out / "clients" / "part-00000.parquet", glob=False).get_column("client_id")[0])
        _write_bad_rows(out, _bad_rows(first_contact, client_id))
    meta = {"snapshot_date": as_of.isoformat(), "seed": seed, "contacts": contacts, "bad_rows": bad_rows, "rows": rows}
    (out / "_snapshot.json").write_text(json.dumps(meta, indent=2))
    log.info("snapshot written to %s in %.1fs: %s", out, time.perf_counter() - started, rows)
    return rows
