"""`engage report`: one static HTML page from the warehouse (read-only), charts inline as SVG.

The page needs no server and no script: charts are drawn by matplotlib into the HTML, tables are
plain HTML, so it can be mailed, archived per day, or opened from a shared folder.
"""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from flows.io.analyst import connect_read_only
from flows.io.paths import Paths
from flows.io.queries import query
from flows.report.charts import tier_progress_figure
from flows.report.figures import Figure, plt
from transforms.common.bands import BANDS
from transforms.dashboard.renewals import RENEWAL_STATUSES
from transforms.points.program import Program

# High is good for every band engage draws (engagement, platform index): green, not an alarm red.
BAND_COLORS = dict(zip(BANDS, ("#c9d6e3", "#f2b45c", "#5cb85c"), strict=True))
# One colour per status of the spec, in the spec's order.
STATUS_COLORS = dict(zip(RENEWAL_STATUSES, ("#d9534f", "#337ab7", "#5cb85c", "#f2b45c"), strict=True))

STYLE = """
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .sub { color: #666; margin-top: 0; }
section { margin: 2rem 0; } figure { margin: 0; } svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.85rem; margin-top: 0.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f4f6f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #888; font-style: italic; }
"""


def svg_markup(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def html_table(frame: pl.DataFrame, limit: int | None = 25) -> str:
    if frame.is_empty():
        return '<p class="empty">no rows</p>'
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = []
    limit = frame.height if limit is None else limit
    for row in frame.head(limit).iter_rows():
        cells = []
        for value in row:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            shown = f"{value:,.2f}" if isinstance(value, float) else "" if value is None else str(value)
            cells.append(f'<td class="num">{html.escape(shown)}</td>' if numeric else f"<td>{html.escape(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="empty">{frame.height - limit:,} more rows in the warehouse</p>' if frame.height > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _distribution_figure(con: duckdb.DuckDBPyConnection, as_of: date) -> Figure | None:
    """Per definition: records per score bucket, bars coloured by band, the thresholds as lines."""
    rows = con.sql(query("report_distribution"), params={"day": as_of}).pl()
    if rows.is_empty():
        return None
    ids = rows["score_id"].unique(maintain_order=True).to_list()
    figure, axes = plt.subplots(1, len(ids), figsize=(4.2 * len(ids), 3.4), squeeze=False)
    for axis, score_id in zip(axes[0], ids, strict=True):
        own = rows.filter(pl.col("score_id") == score_id)
        buckets = own.filter(pl.col("band").is_null())
        thresholds = own.filter(pl.col("band").is_in(["medium", "high"]))
        widths = (buckets["bucket_high"] - buckets["bucket_low"]).to_list()
        colors = [BAND_COLORS["low"]] * buckets.height
        for band, low in thresholds.select("band", "bucket_low").iter_rows():
            colors = [BAND_COLORS[band] if b >= low else c for b, c in zip(buckets["bucket_low"].to_list(), colors, strict=True)]
            axis.axvline(low, color="black", linestyle="--", linewidth=1)
            axis.annotate(band, (low, 1), xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points", fontsize=8)
        axis.bar(buckets["bucket_low"].to_list(), buckets["records"].to_list(), width=widths, align="edge", color=colors, edgecolor="white")
        axis.set_yscale("symlog")
        axis.set_title(score_id, fontsize=10)
        axis.set_xlabel("score")
    axes[0][0].set_ylabel("records")
    return figure


def _bands_over_time_figure(con: duckdb.DuckDBPyConnection, as_of: date) -> Figure | None:
    """Per definition: records in each band per day, from the score history (or the daily tables)."""
    rows = con.sql(query("report_band_counts_history"), params={"day": as_of}).pl()
    if rows.is_empty():
        rows = con.sql(query("report_band_counts_days"), params={"day": as_of}).pl()
    if rows.is_empty():
        return None
    ids = rows["score_id"].unique(maintain_order=True).sort().to_list()
    figure, axes = plt.subplots(1, len(ids), figsize=(4.2 * len(ids), 3.2), squeeze=False)
    for axis, score_id in zip(axes[0], ids, strict=True):
        wide = rows.filter(pl.col("score_id") == score_id).pivot("band", index="day", values="records").sort("day").fill_null(0)
        for band in ("medium", "high"):
            if band in wide.columns:
                axis.plot(wide["day"].to_list(), wide[band].to_list(), color=BAND_COLORS[band], linewidth=2, label=band)
        axis.set_title(score_id, fontsize=10)
        axis.tick_params(axis="x", labelrotation=30, labelsize=7)
        axis.legend(fontsize=8)
    axes[0][0].set_ylabel("records in band")
    return figure


def _index_figure(con: duckdb.DuckDBPyConnection, as_of: date) -> Figure | None:
    """Clients per index band, and cross-sell / upsell opportunities per band."""
    bands = con.sql(query("report_index_bands"), params={"day": as_of}).pl()
    if bands.is_empty():
        return None
    opportunities = con.sql(query("report_opportunities_by_band"), params={"day": as_of}).pl()
    order = list(BANDS)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    counts = dict(bands.iter_rows())
    left.bar(order, [counts.get(b, 0) for b in order], color=[BAND_COLORS[b] for b in order])
    left.set_title("clients per platform engagement band", fontsize=10)
    kinds = opportunities["kind"].unique().sort().to_list()
    for offset, kind in enumerate(kinds):
        per_band = dict(opportunities.filter(pl.col("kind") == kind).select("band", "clients").iter_rows())
        right.bar([i + offset * 0.4 for i in range(3)], [per_band.get(b, 0) for b in order], width=0.4, label=kind)
    right.set_xticks([i + 0.2 * (len(kinds) - 1) for i in range(3)], order)
    right.set_title("opportunities per band", fontsize=10)
    if kinds:
        right.legend(fontsize=8)
    return figure


def renewals_figure(con: duckdb.DuckDBPyConnection, as_of: date) -> Figure | None:
    """Upcoming renewals on a timeline: each client at its deadline, coloured by status."""
    rows = con.sql(query("report_renewal_deadlines"), params={"day": as_of}).pl()
    if rows.is_empty():
        return None
    figure, axis = plt.subplots(figsize=(10, max(2.5, 0.22 * rows.height)))
    for status, color in STATUS_COLORS.items():
        own = rows.filter(pl.col("status") == status)
        axis.scatter(own["renewal_deadline"].to_list(), own["client_name"].to_list(), color=color, label=status, s=30)
    axis.axvline(as_of, color="grey", linestyle=":")  # type: ignore[arg-type]  # matplotlib converts dates
    first, last = rows["renewal_deadline"].min(), rows["renewal_deadline"].max()
    axis.set_title(f"deadlines of the renewals open on {as_of} (dotted): {first} .. {last}", fontsize=10)
    axis.tick_params(axis="y", labelsize=7)
    axis.legend(fontsize=8)
    figure.autofmt_xdate()  # ISO days side by side would touch
    return figure


def _latest_day(con: duckdb.DuckDBPyConnection) -> date | None:
    latest: date | None = con.sql(query("latest_day")).fetchall()[0][0]
    return latest


def build_report(paths: Paths, program: Program, as_of: date | None, out: Path | None = None) -> Path:
    """Write the report of `as_of` (default: the latest day loaded) to `out` (default
    `reports/report-<day>.html` beside the warehouse); return it. A day never loaded is an error."""
    with connect_read_only(paths) as con:
        day = as_of or _latest_day(con)
        if day is None:
            raise ValueError(f"{paths.warehouse}: no day is loaded yet; run `engage run` first")
        loaded = con.sql(query("days_loaded")).fetchall()[0]
        if not con.sql("select count(*) from run_summary where as_of = ?", params=[day]).fetchall()[0][0]:
            raise ValueError(
                f"{paths.warehouse}: {day} is not loaded ({loaded[0]} day(s) are, {loaded[1]} .. {loaded[2]}); run `engage run --as-of {day}` first"
            )
        tables = {
            name: con.sql(query(name), params={"day": day}).pl()
            for name in (
                "report_records_per_band",
                "report_recent_crossings",
                "report_clients_by_mrr",
                "report_tier_by_day",
                "report_renewals_table",
            )
        }
        sections = [
            ("Engagement score distribution", _distribution_figure(con, day), "Records per band", tables["report_records_per_band"]),
            (
                "Band counts over time",
                _bands_over_time_figure(con, day),
                "Band crossings in the last 7 days",
                tables["report_recent_crossings"],
            ),
            ("Platform engagement index and opportunities", _index_figure(con, day), "Clients by MRR", tables["report_clients_by_mrr"]),
            ("Partner tier progress", tier_progress_figure(con, program), "Tier by day, latest first", tables["report_tier_by_day"]),
            (
                "Upcoming renewals",
                renewals_figure(con, day),
                "Open renewals: coming deadlines first, then passed ones",
                tables["report_renewals_table"],
            ),
        ]
    body = []
    for title, figure, caption, table in sections:
        chart = f"<figure>{svg_markup(figure)}</figure>" if figure is not None else '<p class="empty">nothing to draw for this day</p>'
        # Every open renewal is listed: a cut would hide the ones that matter most.
        shown = html_table(table, None if title == "Upcoming renewals" else 25)
        body.append(f"<section><h2>{html.escape(title)}</h2>{chart}<h3>{html.escape(caption)}</h3>{shown}</section>")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>engage report {day}</title>'
        f"<style>{STYLE}</style></head><body><h1>engage report for {day}</h1>"
        f'<p class="sub">warehouse {html.escape(str(paths.warehouse))}, generated {generated}</p>{"".join(body)}</body></html>'
    )
    target = out or paths.reports / f"report-{day}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
