"""The suggested score: planted signals found with their signs, noise called not predictive, the
YAML a valid draft, too few movers refused."""

import re
from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
import yaml

from transforms.scores.definition import parse_definition
from transforms.scores.suggest import suggest_score
from transforms.scores.transitions import Period

PERIOD = Period("subscriber", "marketing_qualified_lead", date(2026, 6, 30), 90)
FEATURES = {
    "demo": ("form_submission", "form_id", "equals", "demo_request"),
    "unsubscribe": ("email_unsubscribe", None, None, None),
    "open": ("email_open", None, None, None),
}


def _planted(n: int, signal: bool, seed: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A cohort of `n` contacts whose odds of moving rise with demo forms and fall with unsubscribes
    (with `signal`; else a coin decides), email opens being noise either way; and their counts."""
    rng = np.random.default_rng(seed)
    drawn = {"demo": rng.poisson(0.6, n), "unsubscribe": rng.poisson(0.4, n), "open": rng.poisson(3.0, n)}
    logit = -1.8 + 1.6 * np.minimum(drawn["demo"], 2) - 1.8 * np.minimum(drawn["unsubscribe"], 1) if signal else np.full(n, -1.5)
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    cohort = pl.DataFrame(
        {
            "portal_id": np.ones(n, dtype=np.int64),
            "contact_id": np.arange(n, dtype=np.int64),
            "entered_at": [datetime(2026, 4, 2, tzinfo=UTC)] * n,
            "converted": converted,
            "cutoff": [datetime(2026, 7, 1, tzinfo=UTC)] * n,
        }
    )
    rows = []
    for name, (event, prop, operator, value) in FEATURES.items():
        for contact in np.flatnonzero(drawn[name]):
            count = int(drawn[name][contact])
            rows.append((1, int(contact), event, prop, operator, value, count, count, count))
    counts = pl.DataFrame(
        rows,
        schema={
            "portal_id": pl.Int64,
            "contact_id": pl.Int64,
            "event": pl.String,
            "property": pl.String,
            "operator": pl.String,
            "value": pl.String,
            "n_all": pl.Int64,
            "n_90": pl.Int64,
            "n_30": pl.Int64,
        },
        orient="row",
    )
    return cohort, counts


def test_planted_signals_become_the_top_rules_with_their_signs_and_the_draft_loads():
    suggestion = suggest_score(*_planted(3000, signal=True), PERIOD, seed=1)
    top = {row["event"]: row["points"] for row in suggestion.rules.head(2).iter_rows(named=True)}
    assert top["form_submission"] > 0 and top["email_unsubscribe"] < 0
    assert suggestion.auc_rules > 0.7 and suggestion.predictive
    definition = parse_definition(yaml.safe_load(suggestion.text), "suggested")
    assert definition == suggestion.definition and definition.status == "draft"
    demo = next(rule for rule in definition.rules if rule.filters)
    assert (demo.event, demo.filters[0].property, demo.filters[0].operands) == ("form_submission", "form_id", ["demo_request"])
    assert re.search(r"# .* moved with it, .* without; lift [\d.]+\n +- event: form_submission", suggestion.text)


def test_the_same_seed_gives_the_same_suggestion_and_evidence_comments_precede_each_rule():
    data = _planted(1500, signal=True)
    first, second = suggest_score(*data, PERIOD, seed=7), suggest_score(*data, PERIOD, seed=7)
    assert first.text == second.text
    lines = first.text.splitlines()
    assert all(lines[i - 1].strip().startswith("# ") for i, line in enumerate(lines) if line.strip().startswith("- event:"))


def test_without_a_signal_the_suggestion_is_about_chance_and_says_so():
    suggestion = suggest_score(*_planted(3000, signal=False), PERIOD, seed=1)
    assert abs(suggestion.auc_rules - 0.5) < 0.1 and not suggestion.predictive
    assert "NOT predictive" in suggestion.text


def test_too_few_movers_is_an_error_that_says_how_many_it_found():
    cohort, counts = _planted(200, signal=False)
    cohort = cohort.with_columns(pl.Series("converted", [i < 12 for i in range(200)]))
    with pytest.raises(ValueError, match="only 12 of 200 contacts moved subscriber -> marketing_qualified_lead"):
        suggest_score(cohort, counts, PERIOD, seed=1)
