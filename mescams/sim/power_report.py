"""The power grid's results for people: a table, a CSV and a power-curve figure.

The figure draws rejection rate against total sample size, one line per true rate ratio, solid for the
crossover mixed model and dashed for the parallel period-1 analysis, one panel per (dispersion, carry-over).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from mescams.core.spreadsheet import csv_text
from mescams.sim.power import CellSummary

__all__ = ["power_figure", "power_table", "write_csv"]

FIELDS = ("participants", "rate_ratio", "dispersion_k", "carry_over", "analysis", "trials", "not_converged",
          "rejection_rate", "rejection_mc_se", "bias_log_rr", "coverage", "median_rate_ratio")


def power_table(rows: Sequence[CellSummary], title: str) -> Table:
    table = Table("N", "true RR", "k", "carry-over", "analysis", "trials", "failed", "power / type I",
                  "bias log RR", "CI coverage", "median RR", title=title)
    for r in rows:
        label = "type I" if r.rate_ratio == 1.0 else "power"
        table.add_row(str(r.participants), f"{r.rate_ratio:g}", f"{r.dispersion_k:g}", f"{r.carry_over:g}",
                      r.analysis, str(r.trials), str(r.not_converged),
                      f"{r.rejection_rate:.3f} ± {r.rejection_mc_se:.3f} ({label})", f"{r.bias_log_rr:+.3f}",
                      f"{r.coverage:.3f}", f"{r.median_rate_ratio:.3f}")
    return table


def write_csv(rows: Sequence[CellSummary], path: Path) -> None:
    """The table as CSV, cells formula-safe (:func:`mescams.core.spreadsheet.csv_text`)."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        fh.write(csv_text(FIELDS, ([r.as_dict()[k] for k in FIELDS] for r in rows)))


def power_figure(rows: Sequence[CellSummary], path: Path, alpha: float = 0.05) -> None:
    """Save the power curves (PNG, SVG or PDF by the file's suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(r.dispersion_k, r.carry_over) for r in rows})
    ratios = sorted({r.rate_ratio for r in rows})
    fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 4.0), squeeze=False, sharey=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (k, carry) in zip(axes[0], panels, strict=True):
        for i, rr in enumerate(ratios):
            for analysis, style in (("crossover", "-"), ("parallel", "--")):
                pts = sorted((r.participants, r.rejection_rate) for r in rows
                             if (r.dispersion_k, r.carry_over, r.rate_ratio, r.analysis) == (k, carry, rr, analysis))
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o", markersize=3,
                            color=colours[i % len(colours)], label=f"RR {rr:g}, {analysis}")
        ax.axhline(0.8, color="grey", linewidth=0.6, linestyle=":")
        ax.axhline(alpha, color="grey", linewidth=0.6, linestyle=":")
        ax.set_title(f"dispersion k = {k:g}, carry-over = {carry:g}")
        ax.set_xlabel("participants (total)")
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel("rejection rate (power; type I error at RR 1)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("MESCAMS GEL analysis: simulated operating characteristics")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
