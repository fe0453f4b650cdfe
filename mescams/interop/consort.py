"""A CONSORT flow diagram for a crossover trial, drawn with matplotlib from the ClinicalTrials.gov participant flow.

Why from the flow: the figure and the registry's participant flow must never disagree, so every number after
randomisation is read from the ``participantFlowModule`` we export; only screening (assessed, excluded and the
criteria that excluded people) comes from the snapshot, which the registry's flow does not hold.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from mescams.interop.snapshot import TrialSnapshot

__all__ = ["consort_boxes", "draw_consort"]


def _milestone(period: dict[str, Any], kind: str, group: str) -> int:
    ms = next(m for m in period["milestones"] if m["type"] == kind)
    return int(next(a["numSubjects"] for a in ms["achievements"] if a["groupId"] == group))


def consort_boxes(flow: dict[str, Any], snapshot: TrialSnapshot) -> dict[str, Any]:
    """The diagram's content: screening boxes, then per flow group one column of boxes per period."""
    failed = [p for p in snapshot.participants if p.disposition.status == "SCREEN FAILURE"]
    failed_ids = {p.participant_id for p in failed}
    reasons: Counter[str] = Counter()
    for e in snapshot.eligibility:
        if e.participant_id in failed_ids and e.met is (not e.criterion_id.startswith("I")):
            reasons[
                f"criterion {e.criterion_id} not met"
                if e.criterion_id.startswith("I")
                else f"exclusion {e.criterion_id}"
            ] += 1
    randomised = sum(_milestone(flow["periods"][0], "STARTED", g["id"]) for g in flow["groups"])
    columns = []
    for g in flow["groups"]:
        boxes = [f"Allocated to {g['title']}\n(n={_milestone(flow['periods'][0], 'STARTED', g['id'])})"]
        for period in flow["periods"]:
            gone = [
                (d["type"], next(int(r["numSubjects"]) for r in d["reasons"] if r["groupId"] == g["id"]))
                for d in period["dropWithdraws"]
            ]
            detail = "".join(f"\n  {why}: {n}" for why, n in gone if n)
            boxes.append(
                f"{period['title']}\nstarted n={_milestone(period, 'STARTED', g['id'])}\n"
                f"did not complete n={_milestone(period, 'NOT COMPLETED', g['id'])}{detail}"
            )
        boxes.append(f"Completed the study\n(n={_milestone(flow['periods'][-1], 'COMPLETED', g['id'])})")
        columns.append(boxes)
    return {
        "assessed": len(snapshot.participants),
        "excluded": len(failed),
        "exclusion_reasons": dict(reasons),
        "randomised": randomised,
        "columns": columns,
    }


def draw_consort(boxes: dict[str, Any], path: Path) -> Path:
    """Draw the diagram (format from the file suffix: .png, .svg or .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_rows = max(len(c) for c in boxes["columns"])
    fig, ax = plt.subplots(figsize=(10, 2.2 + 1.9 * n_rows))
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(-1.9 * n_rows + n_rows, n_rows + 3)
    style: dict[str, Any] = {
        "ha": "center",
        "va": "center",
        "fontsize": 8,
        "bbox": {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black"},
    }
    top = n_rows + 2.5
    ax.text(5, top, f"Assessed for eligibility (n={boxes['assessed']})", **style)
    reasons = "".join(f"\n  {k}: {v}" for k, v in sorted(boxes["exclusion_reasons"].items()))
    ax.text(8.3, top - 0.8, f"Excluded (n={boxes['excluded']}){reasons}", **style)
    ax.annotate("", xy=(7.2, top - 0.8), xytext=(5, top - 0.8), arrowprops={"arrowstyle": "->"})
    ax.text(5, top - 1.6, f"Randomised (n={boxes['randomised']})", **style)
    ax.annotate("", xy=(5, top - 1.35), xytext=(5, top - 0.25), arrowprops={"arrowstyle": "->"})
    for i, column in enumerate(boxes["columns"]):
        x = 2.5 + 5 * i
        ax.annotate("", xy=(x, top - 2.3), xytext=(5, top - 1.85), arrowprops={"arrowstyle": "->"})
        for j, text in enumerate(column):
            y = top - 2.6 - 1.9 * j
            ax.text(x, y, text, **style)
            if j:
                ax.annotate("", xy=(x, y + 0.35), xytext=(x, y + 1.3), arrowprops={"arrowstyle": "->"})
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
