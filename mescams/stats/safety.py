"""Adverse-event incidence by treatment received (outcome O1), with exact Clopper-Pearson intervals.

Each AE belongs to the treatment of the infusion that most recently precedes its onset (the contract's rule,
applied in :func:`mescams.stats.datasets.attributed_adverse_events`); events before the first infusion are
``PRE_TREATMENT`` and reported apart. Denominators: participants who received an infusion of that treatment
(``PRE_TREATMENT``: every randomised participant). Two windows: the whole study, and events starting within the
primary safety time frame after the attributed infusion (outcome O1, 24 weeks).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from mescams.core.protocol import Protocol
from mescams.stats.datasets import PRE_TREATMENT

__all__ = ["GRADES", "NOT_CODED", "adverse_event_summary", "adverse_events_by_soc_pt", "adverse_events_by_term",
           "clopper_pearson", "exposed_participants", "serious_event_listing"]

GRADES = ("1", "2", "3", "4", "5")
NOT_CODED = "Not coded"


def clopper_pearson(successes: int, total: int) -> tuple[float | None, float | None]:
    """Exact 95 % CI of a proportion (R: ``binom.test(x, n)$conf.int``); None when ``total`` is 0."""
    if total == 0:
        return None, None
    low, high = proportion_confint(successes, total, alpha=0.05, method="beta")
    return float(low), float(high)


def exposed_participants(subjects: pd.DataFrame, protocol: Protocol) -> dict[str, set[str]]:
    """Participant ids exposed to each treatment (received that infusion), plus everyone for PRE_TREATMENT."""
    exposed: dict[str, set[str]] = {code: set() for code in protocol.design.treatments}
    for row in subjects.itertuples(index=False):
        treatments = protocol.sequence(row.sequence).treatments
        for date, treatment in zip((row.infusion1_date, row.infusion2_date), treatments, strict=False):
            if date is not None and not pd.isna(date):
                exposed[treatment].add(row.participant_id)
    exposed[PRE_TREATMENT] = set(subjects["participant_id"])
    return exposed


def _block(events: pd.DataFrame, denominator: int) -> dict[str, Any]:
    people = events["participant_id"].nunique()
    serious = events[events["serious"]]
    related = events[events["related"]]
    low, high = clopper_pearson(people, denominator)
    s_low, s_high = clopper_pearson(serious["participant_id"].nunique(), denominator)
    return {
        "exposed": denominator,
        "participants_with_ae": int(people),
        "events": int(len(events)),
        "serious_events": int(len(serious)),
        "participants_with_serious_ae": int(serious["participant_id"].nunique()),
        "related_events": int(len(related)),
        "participants_with_related_ae": int(related["participant_id"].nunique()),
        "events_by_grade": {g: int((events["severity_grade"] == int(g)).sum()) for g in GRADES},
        "participants_by_max_grade": {
            g: int((events.groupby("participant_id")["severity_grade"].max() == int(g)).sum()) for g in GRADES},
        "proportion_with_ae": people / denominator if denominator else None,
        "proportion_ci_low": low,
        "proportion_ci_high": high,
        "proportion_serious": serious["participant_id"].nunique() / denominator if denominator else None,
        "proportion_serious_ci_low": s_low,
        "proportion_serious_ci_high": s_high,
    }


def adverse_event_summary(attributed: pd.DataFrame, subjects: pd.DataFrame, protocol: Protocol) -> dict[str, Any]:
    """Per treatment (and PRE_TREATMENT): the contract's keys over the whole study, plus the 24-week window.

    Returns ``{treatment: {...whole study..., "within_window": {...}}}``.
    """
    window_weeks = next(o.time_frame_weeks for o in protocol.outcomes if o.id == "O1")
    exposed = exposed_participants(subjects, protocol)
    summary: dict[str, Any] = {}
    for treatment in (*protocol.design.treatments, PRE_TREATMENT):
        mine = attributed[attributed["treatment"] == treatment]
        block = _block(mine, len(exposed[treatment]))
        if treatment != PRE_TREATMENT:
            early = mine[mine["days_since_infusion"] < 7 * window_weeks]
            block["within_window"] = {"weeks": window_weeks, **_block(early, len(exposed[treatment]))}
        summary[treatment] = block
    return summary


def adverse_events_by_term(attributed: pd.DataFrame, protocol: Protocol) -> list[dict[str, Any]]:
    """Per term (most frequent first): events and participants per treatment, PRE_TREATMENT included."""
    treatments = (*protocol.design.treatments, PRE_TREATMENT)
    rows = []
    for term, events in attributed.groupby("term"):
        row: dict[str, Any] = {"term": term, "events": int(len(events))}
        for treatment in treatments:
            mine = events[events["treatment"] == treatment]
            row[treatment] = {"events": int(len(mine)), "participants": int(mine["participant_id"].nunique())}
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["events"], r["term"]))


def _counts(events: pd.DataFrame, treatments: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"events": int(len(events)), "participants": int(events["participant_id"].nunique())}
    for treatment in treatments:
        mine = events[events["treatment"] == treatment]
        out[treatment] = {"events": int(len(mine)), "participants": int(mine["participant_id"].nunique())}
    return out


def adverse_events_by_soc_pt(attributed: pd.DataFrame, protocol: Protocol) -> list[dict[str, Any]]:
    """The regulators' table: per MedDRA primary SOC (most participants first), its events and participants per
    treatment, and within it per PT. A participant counts once per SOC and once per PT however many events.
    AEs not yet coded are grouped under ``Not coded`` by their verbatim, so no event is lost from the table.
    """
    treatments = (*protocol.design.treatments, PRE_TREATMENT)
    frame = attributed.assign(
        soc=[s if s else NOT_CODED for s in attributed.get("soc", pd.Series([""] * len(attributed)))],
        pt=[p if p else t for p, t in zip(attributed.get("pt", pd.Series([""] * len(attributed))),
                                          attributed["term"], strict=True)])
    rows = []
    for soc, events in frame.groupby("soc"):
        pts = [{"pt": pt, **_counts(mine, treatments)} for pt, mine in events.groupby("pt")]
        rows.append({"soc": soc, **_counts(events, treatments),
                     "pts": sorted(pts, key=lambda r: (-r["participants"], -r["events"], r["pt"]))})
    return sorted(rows, key=lambda r: (r["soc"] == NOT_CODED, -r["participants"], -r["events"], r["soc"]))


def serious_event_listing(attributed: pd.DataFrame) -> list[dict[str, Any]]:
    """Every serious adverse event, for the DSMB's case-by-case review (ordered by participant and onset)."""
    serious = attributed[attributed["serious"]].sort_values(["participant_id", "onset_date"])
    return [{"participant_id": r.participant_id, "ae_id": r.ae_id, "term": r.term,
             "onset_date": r.onset_date.isoformat(), "study_day": None if pd.isna(r.study_day) else int(r.study_day),
             "severity_grade": int(r.severity_grade), "related": bool(r.related), "treatment": r.treatment,
             "days_since_infusion": None if pd.isna(r.days_since_infusion) else int(r.days_since_infusion)}
            for r in serious.itertuples(index=False)]
