"""One simulated MESCAMS trial, written as an analysis data folder of the contract (analysis-data.md).

The folder is exactly what ``mescams export analysis-data`` writes for the real trial, so ``mescams analyze`` (and
any outside R script) runs on it unchanged: that is what makes an in-silico trial a rehearsal of the real analysis.
The rows are written by the folder's one writer, :func:`mescams.stats.analysis_folder.write_analysis_folder`.
Dates come from the protocol's visit schedule (scan dates drawn inside each visit's window); the randomisation
day is week 0 and the first infusion, as the protocol's W0 visit says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from mescams.core.analysis_contract import COLUMNS
from mescams.core.protocol import Protocol
from mescams.core.schedule import planned_visits
from mescams.errors import InputValidationError
from mescams.sim import clinical_course as cc
from mescams.sim.virtual_patients import COURSES, ScanDesign, VirtualPatientParams, simulate_gel

__all__ = ["TABLES", "SimulatedTrial", "simulate_trial"]

TABLES = COLUMNS
"""The contract's tables and their columns, in file order (:data:`mescams.core.analysis_contract.COLUMNS`)."""


@dataclass
class SimulatedTrial:
    """The rows of each contract table, plus the truth the rows were drawn from (for checks, never exported)."""

    rows: dict[str, list[dict[str, object]]] = field(default_factory=lambda: {name: [] for name in TABLES})
    rate_ratio: float = 1.0
    seed: int = 0


def _truncated_normal(rng: np.random.Generator, mean: float, sd: float, lo: float, hi: float) -> float:
    for _ in range(1000):
        x = rng.normal(mean, sd)
        if lo <= x <= hi:
            return float(x)
    return float(np.clip(mean, lo, hi))


def _visit_dates(protocol: Protocol, week0: dt.date, rng: np.random.Generator) -> dict[int, dt.date]:
    """The day each scheduled visit happened: week 0 on the randomisation day, others anywhere in their window."""
    dates = {}
    for pv in planned_visits(protocol, week0):
        if pv.visit.week is None:
            continue
        span = (pv.window_end - pv.window_start).days
        dates[pv.visit.week] = pv.window_start + dt.timedelta(days=int(rng.integers(0, span + 1)))
    return dates


def _study_start(protocol: Protocol) -> dt.date:
    return dt.date.fromisoformat(protocol.identification.dates.study_start + "-01")


def simulate_trial(protocol: Protocol, params: VirtualPatientParams, *, participants: int, rate_ratio: float,
                   seed: int) -> SimulatedTrial:
    """Simulate one trial of ``participants`` randomised participants with the given true MSC rate ratio."""
    if participants < 2:
        raise InputValidationError("participants", "a crossover trial needs at least 2 participants")
    if not rate_ratio > 0:
        raise InputValidationError("rate_ratio", "must be a positive number")
    rng = np.random.default_rng(seed)
    design = ScanDesign.from_protocol(protocol)
    gel = simulate_gel(params, design, 1, participants, rng, rate_ratio=rate_ratio)
    seq_msc_first = next(s.code for s in protocol.design.sequences if s.treatments[0] == "MSC")
    seq_msc_second = next(s.code for s in protocol.design.sequences if s.treatments[0] != "MSC")
    pop = params.population
    elig_age = protocol.eligibility.criterion("I2").params
    elig_edss = protocol.eligibility.criterion("I4").params
    sites = protocol.site_codes
    start = _study_start(protocol)
    recruit = np.sort(rng.integers(0, params.conduct.recruitment_days, participants))
    edss_weeks = [v.week for v in protocol.scheduled_visits if "edss" in v.activities and v.week is not None]
    last_week = float(design.weeks.max())
    trial = SimulatedTrial(rate_ratio=rate_ratio, seed=seed)
    rows = trial.rows
    for i in range(participants):
        pid = f"{sites[i % len(sites)]}-{i + 1:03d}"
        course = COURSES[int(gel.course[0, i])]
        msc_first = bool(gel.msc_first[0, i])
        female = rng.random() < pop.female_fraction
        week0 = start + dt.timedelta(days=int(recruit[i]))
        dates = _visit_dates(protocol, week0, rng)
        dropout = float(gel.dropout_week[0, i])
        end_week = min(dropout, last_week)
        inf_weeks = design.infusion_weeks
        given = [w for w in inf_weeks if w < dropout]
        infusion_dates = {w: dates[w] for w in given}
        baseline = round(2 * _truncated_normal(rng, pop.baseline_edss[course].mean, pop.baseline_edss[course].sd,
                                               elig_edss["min_edss"], elig_edss["max_edss"])) / 2
        weight_mean = pop.weight_kg.female_mean if female else pop.weight_kg.male_mean
        rows["participants.csv"].append({
            "participant_id": pid, "site": sites[i % len(sites)],
            "sequence": seq_msc_first if msc_first else seq_msc_second, "sex": "F" if female else "M",
            "age": int(_truncated_normal(rng, pop.age_years.mean, pop.age_years.sd, elig_age["min_age_years"],
                                         elig_age["max_age_years"] + 0.999)),
            "ms_course": course, "baseline_edss": baseline,
            "weight_kg": round(max(40.0, rng.normal(weight_mean, pop.weight_kg.sd)), 1),
            "randomization_date": week0, "infusion1_date": infusion_dates.get(inf_weeks[0]),
            "infusion2_date": infusion_dates.get(inf_weeks[1]),
        })

        done = gel.done[0, i]
        counts = gel.counts[0, i]
        new_t2, cua, gel_vol, bh_vol = cc.lesion_measures(params, rng, counts, gel.rate[0, i])
        for s, week in enumerate(design.weeks.astype(int)):
            if not done[s]:
                continue
            scan_date = dates[int(week)]
            rows["mri.csv"].append({
                "participant_id": pid, "week": int(week), "scan_date": scan_date, "gel_count": int(counts[s]),
                "new_enlarging_t2_count": int(new_t2[s]), "cua_count": int(cua[s]),
                "gel_volume_mm3": float(gel_vol[s]), "black_hole_volume_mm3": float(bh_vol[s]),
            })

        relapses = cc.relapse_weeks(params, protocol, rng, course=course, msc_first=msc_first, end_week=end_week,
                                    infusion_weeks=inf_weeks, rate_ratio=rate_ratio)
        for week, confirmed in relapses:
            rows["relapses.csv"].append({"participant_id": pid, "confirmed": confirmed,
                                         "onset_date": week0 + dt.timedelta(days=int(week * 7))})

        seen = [w for w in edss_weeks if w < dropout]
        for week, score in zip(seen, cc.edss_scores(params, protocol, rng, course=course, baseline=baseline,
                                                    visit_weeks=seen, relapses=relapses), strict=True):
            rows["edss.csv"].append({"participant_id": pid, "week": week, "score": score,
                                     "assessment_date": dates[week]})

        screening_weeks = -float(rng.integers(7, 60)) / 7.0
        events = cc.adverse_events(params, rng, msc_first=msc_first, start_week=screening_weeks, end_week=end_week,
                                   infusions_given=given, infusion_weeks=inf_weeks)
        study_end = week0 + dt.timedelta(days=int(end_week * 7))
        for n, ae in enumerate(events, start=1):
            onset = week0 + dt.timedelta(days=int(np.floor(ae.onset_week * 7)))
            end = onset + dt.timedelta(days=int(round(ae.duration_days)))
            rows["adverse_events.csv"].append({
                "participant_id": pid, "ae_id": f"AE{n:03d}", "term": ae.term, "onset_date": onset,
                "end_date": None if end > study_end else end, "severity_grade": ae.grade, "serious": ae.serious,
                "related": ae.related,
            })
    return trial
