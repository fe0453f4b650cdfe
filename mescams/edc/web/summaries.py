"""Unblinded summaries for the statistician and the DSMB, computed by the statistics code on the EDC's own
analysis-data export (the same folder ``mescams analyze`` reads), so the pages and the report agree.

Each call exports the folder afresh into a temporary directory; the export is recorded in the audit trail
(who looked at data carrying allocation, and when). Callers check the blinding policy first.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mescams.edc.export.analysis_data import write_analysis_data
from mescams.edc.trial.models import NOT_SCREENED_REASONS, Participant, PreScreening
from mescams.protocols import default_protocol

PRE_TREATMENT_LABEL = "before first infusion"


@dataclass
class Unblinded:
    subjects: Any  # pandas DataFrame, one row per randomised participant (mescams.stats.datasets.subject_level)
    mri: Any
    safety: dict[str, Any]
    attributed: Any


def unblinded_data(user: Any) -> Unblinded:
    # Imported here: the statistics (pandas, SciPy) load only when an unblinded role opens the summaries
    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.datasets import attributed_adverse_events, subject_level
    from mescams.stats.safety import adverse_event_summary

    protocol = default_protocol()
    with tempfile.TemporaryDirectory(prefix="mescams-web-") as tmp:
        write_analysis_data(Path(tmp), actor=user)
        data = read_analysis_data(Path(tmp), protocol)
    subjects = subject_level(data, protocol)
    attributed = attributed_adverse_events(data, protocol)
    return Unblinded(subjects, data.mri, adverse_event_summary(attributed, subjects, protocol), attributed)


def screening_flow() -> dict[str, Any]:
    """The top of the CONSORT flow, before randomisation: assessed for eligibility (every pre-screening log entry,
    and every participant who consented without one), excluded before consent by CONSORT's reasons, consented,
    screen failures by criterion, and still in screening. Carries no allocation."""
    everyone = list(Participant.objects.all())
    entries = list(PreScreening.objects.all())
    logged = {e.participant_id for e in entries if e.participant_id is not None}
    not_screened = Counter(e.reason_not_screened for e in entries if e.outcome == "not_screened")
    failed = [p for p in everyone if p.status == "screen_failed"]
    by_criterion = Counter(c for p in failed for c in (p.failed_criteria or []))
    return {"assessed": len(entries) + sum(1 for p in everyone if p.pk not in logged),
            "not_screened": sum(not_screened.values()),
            "not_screened_by_reason": [(NOT_SCREENED_REASONS[code], not_screened[code])
                                       for code in NOT_SCREENED_REASONS if not_screened[code]],
            "prescreen_pending": sum(1 for e in entries if e.outcome == "pending"),
            "consented": len(everyone), "screened": len(everyone), "screen_failed": len(failed),
            "failed_by_criterion": sorted(by_criterion.items(), key=lambda kv: (-kv[1], kv[0])),
            "pending": sum(1 for p in everyone if p.status in ("consented", "screened", "eligible"))}


def consort(subjects: Any) -> dict[str, Any]:
    """CONSORT-style flow: assessed for eligibility (pre-screening log included), excluded before consent,
    consented, screen failures (by criterion), randomised and onwards by sequence."""
    protocol = default_protocol()
    status = dict(Participant.objects.values_list("participant_id", "status"))
    arms = []
    for seq in protocol.design.sequences:
        mine = subjects[subjects["sequence"] == seq.code]
        states = [status.get(pid) for pid in mine["participant_id"]]
        arms.append({"code": seq.code, "label": seq.label, "randomised": len(mine),
                     "infused1": int(mine["infusion1_date"].notna().sum()),
                     "infused2": int(mine["infusion2_date"].notna().sum()),
                     "completed": states.count("completed"), "withdrawn": states.count("withdrawn"),
                     "analysed": int(mine["efficacy"].sum())})
    return {**screening_flow(), "randomised": len(subjects), "arms": arms}


def enrolment_series() -> tuple[list[tuple[Any, int]], list[tuple[Any, int]], int]:
    """Cumulative screened and randomised counts by date, and the protocol's target enrolment."""
    screened = sorted(Participant.objects.values_list("screening_date", flat=True))
    randomised = sorted(d for d in Participant.objects.values_list("week0_date", flat=True) if d)
    return ([(d, i + 1) for i, d in enumerate(screened)], [(d, i + 1) for i, d in enumerate(randomised)],
            default_protocol().design.target_enrolment)


def safety_rows(safety: dict[str, Any]) -> list[dict[str, Any]]:
    """The AE summary as table rows, one per treatment received."""
    rows = []
    for treatment, block in safety.items():
        rows.append({"treatment": PRE_TREATMENT_LABEL if treatment not in ("MSC", "PLACEBO") else treatment,
                     **{k: v for k, v in block.items() if not isinstance(v, dict)},
                     "by_grade": block["events_by_grade"], "window": block.get("within_window")})
    return rows


def ae_by_soc_pt(attributed: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The AE table by MedDRA primary SOC and PT (:func:`mescams.stats.safety.adverse_events_by_soc_pt`), with each
    row's cells in the column order of the treatments returned (the template cannot index by a variable key)."""
    # the statistics (and pandas) load only when an unblinded page asks, as in unblinded_data
    from mescams.stats.datasets import PRE_TREATMENT
    from mescams.stats.safety import adverse_events_by_soc_pt

    protocol = default_protocol()
    keys = [*protocol.design.treatments, PRE_TREATMENT]
    rows = adverse_events_by_soc_pt(attributed, protocol)
    for soc in rows:
        soc["cells"] = [soc[k] for k in keys]
        for pt in soc["pts"]:
            pt["cells"] = [pt[k] for k in keys]
    return [PRE_TREATMENT_LABEL if k == PRE_TREATMENT else k for k in keys], rows


def lesion_series(subjects: Any, mri: Any) -> list[dict[str, Any]]:
    """GEL counts over weeks per participant, with the sequence (unblinded roles only)."""
    out = []
    sequences = dict(zip(subjects["participant_id"], subjects["sequence"], strict=False))
    for pid, scans in mri.sort_values(["participant_id", "week"]).groupby("participant_id"):
        out.append({"participant_id": pid, "sequence": sequences.get(pid, ""),
                    "points": [(int(w), int(g)) for w, g in zip(scans["week"], scans["gel_count"], strict=False)
                               if g == g]})
    return out
