"""The report's figures (matplotlib, Agg backend), each returned as a PNG data URI to embed in the HTML.

GEL per visit per sequence, a spaghetti plot of every participant's GEL counts, a forest plot of the rate
ratios that were estimated (a model that did not converge is listed as "not estimated", never drawn), and
Kaplan-Meier curves with their confidence bands.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["forest_plot", "gel_by_visit", "km_curves", "spaghetti"]

COLOURS = ("#1f5f8b", "#c4532b", "#4f8a3c", "#7b4f9d")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _to_uri(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    _pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def gel_by_visit(mri: pd.DataFrame, participants: pd.DataFrame, infusion_weeks: list[int]) -> str:
    """Mean GEL count per scan at each visit week by sequence, with 95 % normal CIs of the mean."""
    plt = _pyplot()
    frame = mri.merge(participants[["participant_id", "sequence"]], on="participant_id")
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    for colour, (sequence, rows) in zip(COLOURS, frame.groupby("sequence"), strict=False):
        stats = rows.groupby("week")["gel_count"].agg(["mean", "std", "count"])
        half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"])
        ax.errorbar(stats.index, stats["mean"], yerr=half, marker="o", capsize=3, color=colour, label=sequence)
    for week in infusion_weeks:
        ax.axvline(week, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("week (dotted: infusions)")
    ax.set_ylabel("GEL per scan (mean, 95 % CI)")
    ax.legend(frameon=False)
    ax.set_xticks(sorted(frame["week"].unique()))
    return _to_uri(fig)


def spaghetti(mri: pd.DataFrame, participants: pd.DataFrame) -> str:
    """Every participant's GEL count per visit, one panel per sequence."""
    plt = _pyplot()
    frame = mri.merge(participants[["participant_id", "sequence"]], on="participant_id")
    sequences = sorted(frame["sequence"].unique())
    fig, axes = plt.subplots(1, len(sequences), figsize=(7.0, 3.2), sharey=True, squeeze=False)
    for ax, colour, sequence in zip(axes[0], COLOURS, sequences, strict=False):
        for _, rows in frame[frame["sequence"] == sequence].groupby("participant_id"):
            rows = rows.sort_values("week")
            ax.plot(rows["week"], rows["gel_count"], color=colour, alpha=0.45, linewidth=0.9, marker=".")
        ax.set_title(sequence, fontsize=10)
        ax.set_xlabel("week")
    axes[0][0].set_ylabel("GEL count")
    return _to_uri(fig)


def forest_plot(rows: list[dict[str, Any]]) -> str:
    """Rate ratios with 95 % CIs on a log axis; rows without an estimate are labelled 'not estimated'."""
    plt = _pyplot()
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    fig, ax = plt.subplots(figsize=(7.0, 0.45 * len(rows) + 0.9))
    for y, row in enumerate(reversed(rows)):
        if row["rate_ratio"] is None:
            ax.text(1.0, y, "not estimated", ha="center", va="center", fontsize=8, color="grey")
            continue
        ax.plot([row["ci_low"], row["ci_high"]], [y, y], color="black", linewidth=1.2)
        ax.plot(row["rate_ratio"], y, marker="s", color=COLOURS[0])
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ticks = [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 20.0]
    drawn = [v for r in rows if r["rate_ratio"] is not None for v in (r["ci_low"], r["ci_high"])] or [0.5, 2.0]
    low, high = min(min(drawn), 0.9), max(max(drawn), 1.1)
    ax.set_xlim(low / 1.2, high * 1.2)
    ax.xaxis.set_major_locator(FixedLocator([t for t in ticks if low / 1.2 <= t <= high * 1.2]))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["label"] for r in reversed(rows)], fontsize=9)
    ax.set_xlabel("ratio (active / placebo), log scale; < 1 favours MSC for lesion and relapse counts")
    return _to_uri(fig)


def km_curves(fitters: dict[str, Any], title: str) -> str:
    """Kaplan-Meier curves (steps) with 95 % log(-log) confidence bands, time in weeks."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    for colour, (group, km) in zip(COLOURS, fitters.items(), strict=False):
        sf = km.survival_function_
        ci = km.confidence_interval_survival_function_
        weeks = sf.index.to_numpy() / 7.0
        ax.step(weeks, sf.iloc[:, 0], where="post", color=colour, label=group)
        ax.fill_between(weeks, ci.iloc[:, 0], ci.iloc[:, 1], step="post", color=colour, alpha=0.15)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("weeks since the infusion that starts follow-up")
    ax.set_ylabel("free of sustained progression")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, loc="lower left")
    return _to_uri(fig)
