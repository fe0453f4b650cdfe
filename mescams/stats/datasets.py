"""Derive the analysis datasets from the checked folder, following the contract's definitions.

- :func:`subject_level`: one row per participant (ADSL-like) with treatment per period and population flags.
- :func:`period_totals`: one row per participant and period with lesion totals, the number of scans done and
  volume sums; a period with no scan done is left out (contract).
- :func:`attributed_adverse_events`: each AE with its study day and the treatment of the infusion that most
  recently precedes its onset (onset on the infusion day counts for that infusion); earlier ones are
  ``PRE_TREATMENT``.
- :func:`relapse_counts`: confirmed relapses per participant and period with exposure in days.

Treatments, periods and their weeks come from the protocol, never from constants here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from mescams.core.protocol import Protocol
from mescams.core.schedule import study_day
from mescams.stats.analysis_data import AnalysisData

__all__ = [
    "PRE_TREATMENT",
    "attributed_adverse_events",
    "period_totals",
    "relapse_counts",
    "subject_level",
]

PRE_TREATMENT = "PRE_TREATMENT"
COUNT_COLUMNS = ("gel_count", "new_enlarging_t2_count", "cua_count")
VOLUME_COLUMNS = ("gel_volume_mm3", "black_hole_volume_mm3")


def _treatments(protocol: Protocol, sequence: str) -> list[str]:
    return list(protocol.sequence(sequence).treatments)


def subject_level(data: AnalysisData, protocol: Protocol) -> pd.DataFrame:
    """One row per randomised participant with period treatments and population flags.

    Flags: ``randomised`` (all rows), ``safety`` (received the first infusion), ``efficacy`` (at least one
    post-baseline scan in a period), ``completed`` (received the second infusion and has a period-2 scan).
    """
    people = data.participants.drop(columns="_line").copy()
    periods = [p.number for p in protocol.design.periods]
    for number in periods:
        people[f"treatment_p{number}"] = [_treatments(protocol, s)[number - 1] for s in people["sequence"]]
    scan_periods = data.mri.assign(period=data.mri["week"].map(protocol.period_of_week))
    scanned = scan_periods.dropna(subset=["period"]).groupby("participant_id")["period"].agg(set)
    people["randomised"] = True
    people["safety"] = people["infusion1_date"].notna()
    people["efficacy"] = people["participant_id"].map(lambda pid: bool(scanned.get(pid)))
    last = periods[-1]
    people["completed"] = people["infusion2_date"].notna() & people["participant_id"].map(
        lambda pid: last in scanned.get(pid, set()))
    baseline_gel = data.mri[data.mri["week"] == 0].set_index("participant_id")["gel_count"]
    people["baseline_gel"] = people["participant_id"].map(baseline_gel)
    return people


def period_totals(data: AnalysisData, protocol: Protocol) -> pd.DataFrame:
    """Per participant and period: lesion totals, ``n_scans``, volume sums, treatment and sequence.

    Columns: participant_id, sequence, period, treatment, n_scans, gel_total, new_enlarging_t2_total,
    cua_total, gel_volume_mm3, black_hole_volume_mm3 (sums over the period's scans).
    """
    scans = data.mri.assign(period=data.mri["week"].map(protocol.period_of_week)).dropna(subset=["period"])
    scans = scans.assign(period=scans["period"].astype(int))
    sums = {c: "sum" for c in (*COUNT_COLUMNS, *VOLUME_COLUMNS)}
    totals = scans.groupby(["participant_id", "period"], as_index=False).agg(n_scans=("week", "size"), **{
        c: (c, how) for c, how in sums.items()})
    totals = totals.rename(columns={"gel_count": "gel_total", "new_enlarging_t2_count": "new_enlarging_t2_total",
                                    "cua_count": "cua_total"})
    sequence = data.participants.set_index("participant_id")["sequence"]
    totals.insert(1, "sequence", totals["participant_id"].map(sequence))
    totals.insert(3, "treatment", [_treatments(protocol, s)[p - 1]
                                   for s, p in zip(totals["sequence"], totals["period"], strict=True)])
    return totals.sort_values(["participant_id", "period"]).reset_index(drop=True)


def _infusions(row: pd.Series, protocol: Protocol) -> list[tuple[dt.date, str]]:
    treatments = _treatments(protocol, row["sequence"])
    dates = [row["infusion1_date"], row["infusion2_date"]]
    return [(d, t) for d, t in zip(dates, treatments, strict=False) if d is not None and not pd.isna(d)]


def attributed_adverse_events(data: AnalysisData, protocol: Protocol) -> pd.DataFrame:
    """Each AE with ``study_day``, ``infusion`` (1, 2 or 0 before any) and ``treatment`` by the contract's rule.

    ``days_since_infusion`` counts from the attributed infusion (0 on the infusion day).
    """
    people = data.participants.set_index("participant_id")
    rows = []
    for ae in data.adverse_events.itertuples(index=False):
        person = people.loc[ae.participant_id]
        infusions = _infusions(person, protocol)
        preceding = [(k + 1, d, t) for k, (d, t) in enumerate(infusions) if d <= ae.onset_date]
        number, infused_on, treatment = preceding[-1] if preceding else (0, None, PRE_TREATMENT)
        first = infusions[0][0] if infusions else None
        rows.append({
            "participant_id": ae.participant_id,
            "ae_id": ae.ae_id,
            "term": ae.term,
            "onset_date": ae.onset_date,
            "study_day": study_day(ae.onset_date, first) if first else None,
            "severity_grade": ae.severity_grade,
            "serious": ae.serious,
            "related": ae.related,
            "soc": getattr(ae, "soc", "") or "",
            "pt": getattr(ae, "pt", "") or "",
            "infusion": number,
            "treatment": treatment,
            "days_since_infusion": (ae.onset_date - infused_on).days if infused_on else None,
        })
    columns = ["participant_id", "ae_id", "term", "onset_date", "study_day", "severity_grade", "serious",
               "related", "soc", "pt", "infusion", "treatment", "days_since_infusion"]
    return pd.DataFrame(rows, columns=columns).astype({"serious": bool, "related": bool, "severity_grade": "int64"})


def relapse_counts(data: AnalysisData, protocol: Protocol) -> pd.DataFrame:
    """Confirmed relapses per participant and period, with the exposure (days at risk) of that period.

    Period ``k`` runs from infusion ``k`` (inclusive) to the next infusion, or to the planned end of the period
    (``end_week`` after infusion 1), cut at the participant's last contact (last scan, EDSS or AE date).
    """
    people = data.participants.set_index("participant_id")
    last_contact: dict[str, dt.date] = {}
    for frame, column in ((data.mri, "scan_date"), (data.edss, "assessment_date"),
                          (data.adverse_events, "onset_date"), (data.relapses, "onset_date")):
        for pid, day in zip(frame["participant_id"], frame[column], strict=True):
            if day > last_contact.get(pid, dt.date.min):
                last_contact[pid] = day
    confirmed = data.relapses[data.relapses["confirmed"]]
    rows = []
    for pid, person in people.iterrows():
        infusions = _infusions(person, protocol)
        if not infusions:
            continue
        week0 = infusions[0][0]
        for k, period in enumerate(protocol.design.periods):
            if k >= len(infusions):
                break
            start = infusions[k][0]
            planned_end = week0 + dt.timedelta(weeks=period.end_week)
            end = infusions[k + 1][0] if k + 1 < len(infusions) else planned_end
            end = min(end, max(last_contact.get(str(pid), start), start + dt.timedelta(days=1)))
            exposure = (end - start).days
            if exposure <= 0:
                continue
            onsets = confirmed.loc[confirmed["participant_id"] == pid, "onset_date"]
            count = int(np.sum([(start <= d < end) for d in onsets])) if len(onsets) else 0
            rows.append({"participant_id": pid, "sequence": person["sequence"], "period": period.number,
                         "treatment": infusions[k][1], "relapses": count, "exposure_days": exposure})
    return pd.DataFrame(rows, columns=["participant_id", "sequence", "period", "treatment", "relapses",
                                       "exposure_days"])
