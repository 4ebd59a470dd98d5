"""The evaluation of scores against a lifecycle transition, as a page: ROC curves, conversion by
band and the figures, in HTML (charts inline) or Markdown (the chart as a PNG beside it)."""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl
from matplotlib.ticker import PercentFormatter

from flows.report.figures import Figure, plt
from flows.report.page import STYLE, html_table, svg_markup
from transforms.scores.predictive import TOP_SHARES, Evaluation
from transforms.scores.transitions import Period


def figures_table(evaluations: list[Evaluation]) -> pl.DataFrame:
    """One row per score: contacts, converters, base rate, AUC and the lift of each top share."""
    return pl.DataFrame(
        [
            {
                "score_id": e.score_id,
                "contacts": e.contacts,
                "moved": e.converted,
                "base rate": e.base_rate,
                "AUC": e.auc,
                **{f"lift top {share:.0%}": e.lift[share] for share in TOP_SHARES},
                "unscored": e.unscored,
            }
            for e in evaluations
        ]
    )


def bands_table(evaluations: list[Evaluation]) -> pl.DataFrame:
    """Conversion per band of every score."""
    return pl.concat([e.by_band.select(pl.lit(e.score_id).alias("score_id"), pl.all()) for e in evaluations])


def prediction_figure(evaluations: list[Evaluation], period: Period) -> Figure:
    """ROC curves of the scores beside their conversion by band."""
    figure, (roc, bands) = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110)
    for evaluation in evaluations:
        fpr, tpr = evaluation.roc
        roc.plot(fpr, tpr, linewidth=2, label=f"{evaluation.score_id} (AUC {evaluation.auc:.2f})")
    roc.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="chance (AUC 0.50)")
    roc.set(xlabel="share of contacts who did not move, above the cut", ylabel="share of movers above the cut", title="ROC curve")
    roc.legend(loc="lower right", fontsize=8)
    names = bands_table(evaluations)["band"].unique(maintain_order=True).to_list()
    width = 0.8 / len(evaluations)
    for i, evaluation in enumerate(evaluations):
        rows = {row["band"]: row for row in evaluation.by_band.iter_rows(named=True)}
        shown = [rows.get(name, {"conversion": 0.0, "contacts": 0}) for name in names]
        bars = bands.bar(
            [j + i * width for j in range(len(names))], [r["conversion"] for r in shown], width=width, label=evaluation.score_id
        )
        bands.bar_label(bars, labels=[f"{r['conversion']:.0%}\n({r['contacts']:,})" for r in shown], fontsize=7)
    bands.set_xticks([j + width * (len(evaluations) - 1) / 2 for j in range(len(names))], names)
    base = evaluations[0].base_rate
    bands.axhline(base, color="grey", linestyle=":", linewidth=1, label=f"base rate {base:.1%}")
    bands.yaxis.set_major_formatter(PercentFormatter(1.0))
    bands.set(title="conversion by band (contacts)", ylabel=f"moved {period.from_stage} -> {period.to_stage}")
    bands.legend(fontsize=8)
    figure.suptitle(f"{period.describe()}: score on the day before each move")
    figure.tight_layout()
    return figure


def write_evaluation(evaluations: list[Evaluation], period: Period, out: Path) -> Path:
    """Write the evaluation page to `out` (.html, or .md with a PNG of the same name); return it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    figure = prediction_figure(evaluations, period)
    figures, bands = figures_table(evaluations), bands_table(evaluations)
    title = f"How well scores predict {period.describe()}"
    if out.suffix.lower() == ".md":
        chart = out.with_suffix(".png")
        figure.savefig(chart, bbox_inches="tight")
        plt.close(figure)
        text = [f"# {title}", "", f"![ROC curve and conversion by band]({chart.name})", "", _markdown(figures), "", _markdown(bands), ""]
        out.write_text("\n".join(text))
        return out
    body = (
        f"<h1>{html.escape(title)}</h1><figure>{svg_markup(figure)}</figure>"
        f"<h2>Figures</h2>{html_table(figures)}<h2>Conversion by band</h2>{html_table(bands)}"
    )
    out.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>'
    )
    return out


def _markdown(frame: pl.DataFrame) -> str:
    def cell(value: object) -> str:
        return f"{value:,.3f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
