"""How well a score predicts a lifecycle transition: each evaluated contact's score on the day before
its transition (the period's last day for the others) against whether it moved."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from transforms.common.bands import BANDS
from transforms.scores.transitions import CONTACT

# The top shares of contacts by score whose conversion is compared with the base rate.
TOP_SHARES = (0.1, 0.2)
# Below this AUC a score is said not to predict the transition.
PREDICTIVE_AUC = 0.6


@dataclass(frozen=True)
class Evaluation:
    """A score's predictive figures for one period: AUC, conversion per band, lift of the top shares,
    and its ROC curve (false and true positive rates)."""

    score_id: str
    contacts: int
    converted: int
    unscored: int
    auc: float
    by_band: pl.DataFrame
    lift: dict[float, float]
    roc: tuple[np.ndarray, np.ndarray]

    @property
    def base_rate(self) -> float:
        return self.converted / self.contacts

    @property
    def predictive(self) -> bool:
        return self.auc >= PREDICTIVE_AUC


def scores_before_transition(cohort: pl.LazyFrame, intervals: pl.LazyFrame, score_id: str) -> pl.LazyFrame:
    """(portal_id, contact_id, converted, day, score, band): each contact of `cohort` with its score
    of `score_id` on `day`, the day before its cutoff's day (a converter's transition never counts;
    for the others the period's last day). Contacts the score does not cover have a null score."""
    scored = intervals.filter((pl.col("score_id") == score_id) & (pl.col("object_type") == "contact")).select(
        "portal_id", pl.col("record_id").alias("contact_id"), "valid_from", "valid_to", "score", "band"
    )
    days = cohort.select(*CONTACT, "converted", (pl.col("cutoff").dt.date() - timedelta(days=1)).alias("day"))
    on_day = (
        days.join(scored, on=CONTACT)
        .filter((pl.col("valid_from") <= pl.col("day")) & (pl.col("valid_to").is_null() | (pl.col("day") < pl.col("valid_to"))))
        .select(*CONTACT, "score", "band")
    )
    return days.join(on_day, on=CONTACT, how="left").sort(CONTACT)


def _lift(scored: pl.DataFrame, share: float, base_rate: float) -> float:
    """Conversion of the top `share` of contacts by score over the base rate; contacts tied at the
    edge count by the share of them that fits (as if ties were broken at random)."""
    wanted = math.ceil(share * scored.height)
    ties = (
        scored.group_by("score")
        .agg(pl.len().cast(pl.Int64).alias("n"), pl.col("converted").sum().alias("moved"))
        .sort("score", descending=True)
        .with_columns(pl.col("n").cum_sum().alias("through"))
        .with_columns(((wanted - (pl.col("through") - pl.col("n"))).clip(0, pl.col("n")) / pl.col("n")).alias("taken"))
    )
    moved = ties.select((pl.col("moved") * pl.col("taken")).sum()).item()
    return float(moved / wanted / base_rate)


def evaluate_prediction(scored: pl.DataFrame, score_id: str) -> Evaluation:
    """The figures of `scored` (as `scores_before_transition` returns); contacts without a score are
    counted, and left out of the figures."""
    from sklearn.metrics import roc_auc_score, roc_curve

    known = scored.filter(pl.col("score").is_not_null())
    y, values = known["converted"].to_numpy(), known["score"].to_numpy()
    converted = int(y.sum())
    if converted == 0 or converted == known.height:
        raise ValueError(f"{score_id}: the {known.height} scored contacts all moved or none did: no figure can tell them apart")
    base_rate = converted / known.height
    by_band = (
        known.group_by(pl.col("band").fill_null("none"))
        .agg(pl.len().alias("contacts"), pl.col("converted").sum().alias("moved"))
        .with_columns((pl.col("moved") / pl.col("contacts")).alias("conversion"))
        .with_columns((pl.col("conversion") / base_rate).alias("lift"))
        .sort(pl.col("band").replace_strict({band: i for i, band in enumerate(BANDS)}, default=len(BANDS)))
    )
    fpr, tpr, _ = roc_curve(y, values)
    return Evaluation(
        score_id=score_id,
        contacts=known.height,
        converted=converted,
        unscored=scored.height - known.height,
        auc=float(roc_auc_score(y, values)),
        by_band=by_band,
        lift={share: _lift(known, share, base_rate) for share in TOP_SHARES},
        roc=(fpr, tpr),
    )
