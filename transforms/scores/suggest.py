"""A score suggested from lifecycle transitions: an L1-regularised logistic regression over what
contacts did before they moved (or did not), turned into an ordinary draft definition with integer
points, caps, windows, thresholds and the evidence of every rule."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import yaml

from transforms.scores.definition import ScoreDefinition, parse_definition
from transforms.scores.predictive import PREDICTIVE_AUC
from transforms.scores.transition_features import FEATURE, MIN_CONTACTS, WINDOWS, frequent, window_column
from transforms.scores.transitions import CONTACT, Period

# Fewer converters than this and a model would learn noise.
MIN_POSITIVES = 30
# The strongest rule's points per event, and the suggested score's limit.
TOP_POINTS = 25
SCORE_LIMIT = 100
# Counts are capped at this quantile of the contacts that have any: past it, more events add
# nothing (the rule's `limit_to`).
CAP_QUANTILE = 0.9
TEST_SHARE = 0.3
# The strength of the penalty is chosen by cross-validation on at most this many training contacts.
CV_CONTACTS = 100_000
# A property value is a candidate when at least this share of the evaluated contacts have it.
MIN_SHARE = 0.02


@dataclass(frozen=True)
class Suggestion:
    """The suggested definition (its YAML text with the evidence as comments), its rules with their
    evidence, and how well it predicts contacts held out of training."""

    text: str
    definition: ScoreDefinition
    rules: pl.DataFrame
    contacts: int
    converted: int
    auc_model: float
    auc_rules: float

    @property
    def predictive(self) -> bool:
        return self.auc_rules >= PREDICTIVE_AUC


def rank_auc(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The ROC AUC of every column of `scores` (n x k) for the labels `y` (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(scores, axis=0)
    positives = int(y.sum())
    negatives = len(y) - positives
    return np.asarray((ranks[y].sum(axis=0) - positives * (positives + 1) / 2) / (positives * negatives))


def _matrices(cohort: pl.DataFrame, counts: pl.DataFrame, features: pl.DataFrame) -> list[np.ndarray]:
    """One contacts x features matrix of counts per window, rows in `cohort` order."""
    placed = counts.join(features.with_row_index("column"), on=FEATURE, nulls_equal=True).join(
        cohort.select(CONTACT).with_row_index("row"), on=CONTACT
    )
    rows, columns = placed["row"].to_numpy(), placed["column"].to_numpy()
    matrices = []
    for window in WINDOWS:
        matrix = np.zeros((cohort.height, features.height), dtype=np.float32)
        matrix[rows, columns] = placed[window_column(window)].to_numpy()
        matrices.append(matrix)
    return matrices


def _caps(matrix: np.ndarray) -> np.ndarray:
    """Per column, the CAP_QUANTILE of its non-zero counts (at least 1)."""
    masked = np.where(matrix > 0, matrix, np.nan)
    with np.errstate(all="ignore"):
        caps = np.nanquantile(masked, CAP_QUANTILE, axis=0, method="higher")
    return np.asarray(np.maximum(1, np.nan_to_num(caps, nan=1.0)))


def _fit(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Per-event weights (log-odds per capped event) of an L1 logistic regression. Its strength is
    the strongest whose cross-validated AUC is within one standard error of the best: the fewest
    rules that predict about as well, rather than every rare value that fits the noise."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, train_test_split
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit(x)
    z = scaled.transform(x)

    def model(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, l1_ratio=1.0, solver="liblinear", random_state=seed)

    # The strength is chosen on at most CV_CONTACTS of them (liblinear runs on one core; 30 fits on
    # every contact of a large snapshot take minutes), the model then fitted on all.
    chosen_rows = np.arange(len(y))
    if len(y) > CV_CONTACTS:
        chosen_rows, _ = train_test_split(chosen_rows, train_size=CV_CONTACTS, stratify=y, random_state=seed)
    zc, yc = z[chosen_rows], y[chosen_rows]
    folds = list(StratifiedKFold(n_splits=3, shuffle=True, random_state=seed).split(zc, yc))
    strengths = np.logspace(-3, 0, 10)
    aucs = np.array(
        [
            [roc_auc_score(yc[test], model(c).fit(zc[train], yc[train]).decision_function(zc[test])) for train, test in folds]
            for c in strengths
        ]
    )
    mean = aucs.mean(axis=1)
    best = mean.argmax()
    chosen = strengths[np.flatnonzero(mean >= mean[best] - aucs[best].std(ddof=1) / np.sqrt(len(folds)))[0]]
    scale = np.where(scaled.scale_ > 0, scaled.scale_, 1.0)
    return np.asarray(model(chosen).fit(z, y).coef_).reshape(-1) / scale


def _rule_scores(x: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The score each contact gets from the integer rules (counts already capped)."""
    return np.asarray(np.clip(x @ points, 0, SCORE_LIMIT))


def suggest_score(cohort: pl.DataFrame, counts: pl.DataFrame, period: Period, seed: int, score_id: str | None = None) -> Suggestion:
    """The suggestion for `period` from the evaluated contacts (`transition_cohort`) and their
    counts (`feature_counts`): trained on one split of the contacts, measured on the other."""
    from sklearn.model_selection import train_test_split

    y = cohort["converted"].to_numpy()
    converted = int(y.sum())
    if converted < MIN_POSITIVES:
        raise ValueError(
            f"only {converted} of {cohort.height} contacts moved {period.describe()}: at least {MIN_POSITIVES} are needed to suggest a score"
        )
    if converted == cohort.height:
        raise ValueError(f"every one of the {cohort.height} contacts moved {period.describe()}: nothing to tell them apart")
    features = frequent(counts.lazy(), max(MIN_CONTACTS, math.ceil(MIN_SHARE * cohort.height))).collect()
    if features.is_empty():
        raise ValueError(f"the {cohort.height} contacts evaluated for {period.describe()} have no events before their transition")
    train, test = train_test_split(np.arange(cohort.height), test_size=TEST_SHARE, stratify=y, random_state=seed)
    by_window = _matrices(cohort, counts, features)
    caps = [_caps(m[train]) for m in by_window]
    capped = [np.minimum(m, c) for m, c in zip(by_window, caps, strict=True)]
    # Per feature, the window whose capped counts alone rank the training contacts best.
    strength = np.stack([np.abs(rank_auc(y[train], m[train]) - 0.5) for m in capped])
    chosen = strength.argmax(axis=0)
    columns = np.arange(features.height)
    x = np.stack(capped)[chosen, :, columns].T
    cap = np.stack(caps)[chosen, columns]
    # The most events a training contact has of each feature in its window: above the cap, it saturates.
    most = np.stack([m[train].max(axis=0) for m in by_window])[chosen, columns]
    weights = _fit(x[train], y[train], seed)
    if not np.any(weights):
        # Nothing survives the penalty: the single strongest feature, so the draft still scores.
        weights = np.where(columns == strength.max(axis=0).argmax(), np.sign(rank_auc(y[train], x[train]) - 0.5), 0.0)
    points = np.rint(weights * TOP_POINTS / np.abs(weights).max())
    model_scores = x @ weights
    auc_model, auc_rules = (float(rank_auc(y[test], s[test][:, None])[0]) for s in (model_scores, _rule_scores(x, points)))
    scores = _rule_scores(x[train], points)[y[train]]
    medium = float(np.clip(np.rint(np.quantile(scores, 0.25)), 1, SCORE_LIMIT - 1))
    high = float(np.clip(np.rint(np.quantile(scores, 0.5)), medium + 1, SCORE_LIMIT))
    seen = x[train] > 0
    rate = y[train].mean()
    with_it = seen.sum(axis=0)
    rules = features.with_columns(
        pl.Series("points", points.astype(np.int64)),
        pl.Series("within_days", [WINDOWS[i] for i in chosen], dtype=pl.Int64),
        pl.Series("cap", cap.astype(np.int64)),
        pl.Series("saturates", cap < most),
        pl.Series("contacts_with", with_it.astype(np.int64)),
        pl.Series("rate_with", np.divide((seen & y[train][:, None]).sum(axis=0), with_it, out=np.zeros(len(columns)), where=with_it > 0)),
        pl.Series(
            "rate_without",
            np.divide(
                (~seen & y[train][:, None]).sum(axis=0), len(train) - with_it, out=np.zeros(len(columns)), where=with_it < len(train)
            ),
        ),
    ).with_columns((pl.col("rate_with") / rate).alias("lift"))
    rules = rules.filter(pl.col("points") != 0).sort(
        pl.col("points").abs(), "event", "property", "value", descending=[True, False, False, False]
    )
    score_id = score_id or re.sub(r"[^a-z0-9]+", "_", f"suggested {period.from_stage} to {period.to_stage}".lower()).strip("_")
    text = _definition_text(score_id, period, rules, medium, high, cohort.height, converted, auc_model, auc_rules)
    definition = parse_definition(yaml.safe_load(text), "the suggested definition")
    return Suggestion(text, definition, rules, cohort.height, converted, auc_model, auc_rules)


def _definition_text(
    score_id: str,
    period: Period,
    rules: pl.DataFrame,
    medium: float,
    high: float,
    contacts: int,
    converted: int,
    auc_model: float,
    auc_rules: float,
) -> str:
    """The draft definition as YAML, every rule preceded by a comment with its evidence."""
    verdict = "predictive" if auc_rules >= PREDICTIVE_AUC else f"NOT predictive (below {PREDICTIVE_AUC})"
    lines = [
        f"# Suggested by `engage scores suggest` for {period.describe()}.",
        f"# {contacts:,} contacts evaluated, {converted:,} moved ({converted / contacts:.1%}).",
        f"# Held-out AUC: {auc_rules:.3f} for these integer rules, {auc_model:.3f} for the model behind them: {verdict}.",
        "# Review the rules, then set `status: active` to schedule it.",
        f"id: {score_id}",
        f"name: {json.dumps(f'Suggested: {period.from_stage} to {period.to_stage}')}",
        "object: contact",
        "status: draft",
        f"score_limit: {SCORE_LIMIT}",
        f"thresholds: {{medium: {medium:g}, high: {high:g}}}",
        "groups:",
    ]
    order = (
        rules.group_by("event", maintain_order=True)
        .agg(pl.col("points").abs().max().alias("top"))
        .sort("top", "event", descending=[True, False])
    )
    for event in order["event"]:
        lines += [f"  - name: {_scalar(event)}", "    rules:"]
        for rule in rules.filter(pl.col("event") == event).iter_rows(named=True):
            lines.append(
                f"      # {rule['contacts_with']:,} training contacts with it; {rule['rate_with']:.1%} moved with it,"
                f" {rule['rate_without']:.1%} without; lift {rule['lift']:.2f}"
            )
            lines.append(f"      - event: {_scalar(event)}")
            if rule["property"] is not None:
                condition = {"property": rule["property"], "operator": rule["operator"], "value": rule["value"]}
                lines.append(f"        filters: [{json.dumps(condition)}]")
            lines.append(f"        points: {rule['points']}")
            if rule["saturates"]:
                lines.append(f"        limit_to: {abs(rule['points']) * rule['cap']}")
            if rule["within_days"] is not None:
                lines.append(f"        within_days: {rule['within_days']}")
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when it is a simple name, else quoted."""
    return text if re.fullmatch(r"[a-z][a-z0-9_]*", text) else json.dumps(text)
