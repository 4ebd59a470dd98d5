"""Charts drawn from the warehouse (read-only), written as PNG files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.io.analyst import connect_read_only
from flows.io.paths import Paths
from flows.io.queries import query
from flows.report.figures import Figure, plt
from transforms.points.program import Program


def tier_progress(paths: Paths, program: Program, out: Path) -> Path | None:
    """Draw the tier progress chart to `out` (PNG); None when no day is stored."""
    with connect_read_only(paths) as con:
        figure = tier_progress_figure(con, program)
    if figure is None:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)
    plt.close(figure)
    return out


def tier_progress_figure(con: duckdb.DuckDBPyConnection, program: Program) -> Figure | None:
    """Total, sold and managed points per day against each tier's threshold; None when no day is stored."""
    tiers = con.sql(query("tier_progress")).pl()
    if tiers.is_empty():
        return None
    days = tiers["as_of"].to_list()
    figure, axis = plt.subplots(figsize=(11, 5.5), dpi=110)
    for column, label, style in (
        ("total_points", "total", "-"),
        ("sold_points", "sold (active)", "--"),
        ("managed_points", "managed", ":"),
    ):
        axis.plot(days, tiers[column].to_list(), style, linewidth=2, label=label)
    names = [t.name for t in program.versions[-1].tiers]
    shown_max = tiers["total_points"].max() or 0
    latest_total = tiers["total_points"][-1] or 0
    # The next tier is always drawn, however far: it is what the partner is working towards.
    following = sorted(t.min_total for t in program.version_on(days[-1]).tiers if t.min_total > latest_total)
    next_threshold = following[0] if following else None
    for name in names:
        thresholds = [next((t.min_total for t in program.version_on(d).tiers if t.name == name), None) for d in days]
        if min(t for t in thresholds if t is not None) <= shown_max * 1.6 or thresholds[-1] == next_threshold:
            # A tier missing from a program version leaves a gap (None); matplotlib draws that.
            axis.step(days, thresholds, where="post", color="grey", linewidth=1, alpha=0.7)  # type: ignore[arg-type]
            axis.annotate(
                f"{name} ({thresholds[-1]:,.0f})",
                (days[-1], thresholds[-1]),
                textcoords="offset points",
                xytext=(-4, 4),
                ha="right",
                fontsize=8,
                color="dimgrey",
            )
    current = tiers["tier"][-1] or "none"
    axis.set_title(f"Partner tier progress, {days[0]} .. {days[-1]}: tier on {days[-1]}: {current}")
    axis.set_ylabel("points")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left")
    figure.autofmt_xdate()
    return figure
