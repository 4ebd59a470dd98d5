"""Scores and history computed per contact bucket, then merged, equal the unbucketed engine row for
row, whatever the bucket count (hypothesis): companies whose contacts fall in different buckets,
resets, list scopes and every company aggregation included."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import EVENT_TYPES, FORM_IDS, definitions
from tests.transforms.score_fixtures import AS_OF, events, inputs
from transforms.scores.evaluate import (
    bucket_scores,
    company_scores,
    evaluate_scores,
    folded_partials,
    merged_distribution,
    sliced_partials,
)
from transforms.scores.history import bucket_history, company_history, score_history
from transforms.scores.members import ScoreInputs
from transforms.snapshot.buckets import contact_bucket

CONTACTS = list(range(1, 9))
COMPANIES = [100, 200, 300]
EVENT = st.tuples(st.sampled_from(CONTACTS), st.sampled_from(EVENT_TYPES), st.integers(0, 400), st.sampled_from(FORM_IDS))
LINK = st.tuples(st.sampled_from(CONTACTS), st.sampled_from(COMPANIES))
RESET = st.tuples(st.sampled_from(["contact", "company"]), st.sampled_from(CONTACTS + COMPANIES), st.integers(0, 400))
AGGREGATIONS = st.sampled_from(["sum", "avg", "min", "max"])


@st.composite
def snapshot(draw) -> tuple[list, ScoreInputs]:
    """(definitions, inputs): a contact and a company definition over random events, links and resets."""
    contact = draw(definitions(obj="contact"))
    company = draw(definitions(obj="company"))
    company = company.model_copy(update={"company": company.company.model_copy(update={"aggregation": draw(AGGREGATIONS)})})
    company = company.model_copy(update={"id": "company_score"})
    rows = draw(st.lists(EVENT, max_size=40))
    stamped = [(c, t, f"{AS_OF - timedelta(days=d)}T12:00:00") for c, t, d, _ in rows]
    resets = [
        ("p" if obj == "contact" else "company_score", obj, r, f"{AS_OF - timedelta(days=d)}T00:00:00")
        for obj, r, d in draw(st.lists(RESET, max_size=3))
    ]
    links = sorted(set(draw(st.lists(LINK, max_size=12))))
    lists = [
        (
            "L1",
            "contact",
            c,
        )
        for c in draw(st.lists(st.sampled_from(CONTACTS), max_size=4))
    ]
    frame = inputs(
        events(*stamped, form_id=[f for *_, f in rows]),
        contacts=CONTACTS,
        companies=COMPANIES,
        associations=links,
        lists=lists,
        resets=resets,
    )
    return [contact.model_copy(update={"id": "p"}), company], frame


def bucket(frame: ScoreInputs, buckets: int, number: int) -> ScoreInputs:
    """`frame` with only the contacts, associations and events of contact bucket `number`."""
    mine = contact_bucket(pl.col("portal_id"), pl.col("contact_id"), buckets) == number
    return replace(
        frame, contacts=frame.contacts.filter(mine), associations=frame.associations.filter(mine), events=frame.events.filter(mine)
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


# Each example runs the engine 2-8 times: half the profile's examples (20 in CI, 1000 in `make soak`).
HALF = settings(max_examples=max(1, settings.default.max_examples // 2))


@HALF
@given(snapshot(), st.sampled_from([1, 2, 7]))
def test_per_bucket_scores_merged_equal_the_unbucketed_engine(data, buckets):
    defs, frame = data
    whole = evaluate_scores(defs, frame, AS_OF)
    parts = [bucket_scores(defs, bucket(frame, buckets, b), AS_OF) for b in range(buckets)]
    companies = company_scores(defs, frame, [p.company_partials for p in parts], AS_OF)
    scores = pl.concat([*(p.scores.drop("score_index") for p in parts), companies.scores]).collect()
    breakdown = pl.concat([*(p.breakdown for p in parts), companies.breakdown]).collect()
    distribution = merged_distribution([*(p.distribution for p in parts), companies.distribution]).collect()
    assert _sorted(scores).equals(_sorted(whole.scores.collect()))
    assert _sorted(breakdown).equals(_sorted(whole.breakdown.collect()))
    assert distribution.equals(whole.distribution.collect())
    # Folded in one bucket at a time, as a run does, the partials give the same company scores.
    folded: dict[int, pl.DataFrame] = {}
    for part in parts:
        folded = folded_partials(defs, [folded, part.company_partials])
    one_by_one = company_scores(defs, frame, [folded], AS_OF)
    assert one_by_one.scores.collect().equals(companies.scores.collect())
    assert one_by_one.breakdown.collect().equals(companies.breakdown.collect())
    # A slice of the companies at a time, as a run writes them, the same rows and distribution.
    sliced = [company_scores(defs, of_slice, [mine], AS_OF) for of_slice, mine in sliced_partials(defs, frame, folded, 3)]
    assert _sorted(pl.concat([c.scores for c in sliced]).collect()).equals(_sorted(companies.scores.collect()))
    assert _sorted(pl.concat([c.breakdown for c in sliced]).collect()).equals(_sorted(companies.breakdown.collect()))
    counted = merged_distribution([*(p.distribution for p in parts), *(c.distribution for c in sliced)]).collect()
    assert counted.equals(whole.distribution.collect())


@HALF
@given(snapshot(), st.sampled_from([1, 2, 7]), st.integers(0, 300), st.integers(0, 120))
def test_per_bucket_history_merged_equals_the_unbucketed_engine(data, buckets, back, span):
    defs, frame = data
    start = AS_OF - timedelta(days=back)
    end = start + timedelta(days=span)
    whole = score_history(defs, frame, start, end).collect()
    parts = [bucket_history(defs, bucket(frame, buckets, b), start, end) for b in range(buckets)]
    companies = company_history(defs, frame, [p for _, p in parts], start, end)
    merged = pl.concat([*(intervals for intervals, _ in parts), companies]).collect()
    assert _sorted(merged).equals(_sorted(whole))
    # Merged a slice of the companies at a time, from each bucket's rows of that slice, as a run stores them: the same rows.
    slices = 3
    sliced = [
        company_history(defs, frame.of_company_slice(j, slices), [p.of_slice(j, slices) if p else None for _, p in parts], start, end)
        for j in range(slices)
    ]
    assert _sorted(pl.concat(sliced).collect()).equals(_sorted(companies.collect()))
