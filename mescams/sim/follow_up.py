"""A randomised virtual participant's trial from week 0 to completion or dropout: what happens on which date.

The biology is the virtual patient model's, unchanged: GEL per scan from :func:`simulate_gel` (patient
heterogeneity, within-patient AR(1), trend, dropout, missed scans) with the participant's course fixed, the
treatment factor of that model applied once the allocation list has given the sequence, lesion measures,
relapses, EDSS and adverse events from :mod:`mescams.sim.clinical_course`. What this module adds is the calendar:
visit dates from the protocol's schedule and windows (a few visits outside them, as at real sites), event dates
counted from the infusion actually given, the withdrawal date, and the lab's expanded cell counts. Everything is
a plain value; :mod:`mescams.edc.demo.populate` enters it through the EDC services.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from mescams.core.protocol import Protocol
from mescams.core.schedule import visit_plan_for
from mescams.sim import clinical_course as cc
from mescams.sim.edss_exam import Exam, exam_for
from mescams.sim.virtual_patients import (
    COURSES,
    ScanDesign,
    VirtualPatientParams,
    _treatment_factor,
    simulate_gel,
)

__all__ = ["AdverseEvent", "Course", "Relapse", "Scan", "Visit", "plan_course"]

D = dt.timedelta
OUT_OF_WINDOW = 0.03
"""Share of visits after week 0 held outside their window (assumption: a few per cent at most trial sites)."""
WITHDRAWAL_REASONS = {"withdrew consent": 0.35, "relocated out of province": 0.2, "lost to follow-up": 0.2,
                      "adverse event": 0.15, "investigator decision": 0.1}  # assumption
VIABLE_CELLS_PER_KG = (2.6e6, 0.35)
"""Expanded viable MSC per kg at release, log-normal (median, sdlog): assumption, mostly above the 1.5e6 target."""


@dataclass(frozen=True)
class Visit:
    code: str
    week: int
    date: dt.date
    in_window: bool


@dataclass(frozen=True)
class Scan:
    gel_count: int
    new_enlarging_t2_count: int
    cua_count: int
    gel_volume_mm3: float
    black_hole_volume_mm3: float


@dataclass(frozen=True)
class Relapse:
    onset: dt.date
    confirmed: bool
    duration_hours: int
    fever_or_infection: bool
    steroids_from: dt.date | None


@dataclass(frozen=True)
class AdverseEvent:
    onset: dt.date
    end: dt.date | None
    grade: int
    term: str
    related: bool
    serious: bool
    infusion_related: bool


@dataclass(frozen=True)
class Course:
    """What happens to one randomised participant; visits are those attended, in order."""

    visits: tuple[Visit, ...]
    scans: dict[str, Scan] = field(default_factory=dict)
    exams: dict[str, Exam] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    viable_cells_per_kg: dict[str, float] = field(default_factory=dict)
    relapses: tuple[Relapse, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    withdrawal: tuple[dt.date, str] | None = None

    @property
    def end(self) -> dt.date:
        """The last day in the study: the withdrawal, or the last visit."""
        return self.withdrawal[0] if self.withdrawal else self.visits[-1].date


def _one_course(params: VirtualPatientParams, course: str) -> VirtualPatientParams:
    """The parameters with everyone of ``course``, so the GEL generator draws this participant's course."""
    return params.with_changes(population={"course_mix": {c: float(c == course) for c in COURSES}})


def visit_dates(protocol: Protocol, week0: dt.date, rng: np.random.Generator) -> list[Visit]:
    """Every scheduled visit's date: week 0 on the randomisation day, others anywhere in their window, a few
    (``OUT_OF_WINDOW``) 1-10 days outside it, mostly late; always after the visit before."""
    out: list[Visit] = []
    for visit in protocol.scheduled_visits:
        plan = visit_plan_for(visit, week0)
        span = (plan.window_end - plan.window_start).days
        if span and rng.random() < OUT_OF_WINDOW:
            late = rng.random() < 0.75
            shift = D(days=int(rng.integers(1, 11)))
            day = plan.window_end + shift if late else plan.window_start - shift
        else:
            day = plan.window_start + D(days=int(rng.integers(0, span + 1)))
        if out and day <= out[-1].date:
            day = out[-1].date + D(days=1)
        out.append(Visit(visit.code, visit.week or 0, day, plan.contains(day)))
    return out


def _on_date(week: float, infusions: list[tuple[float, dt.date]]) -> dt.date:
    """A model week as a date, counted from the latest infusion given before it (events follow the real dates)."""
    anchor_week, anchor = max((i for i in infusions if i[0] <= week), key=lambda i: i[0], default=infusions[0])
    return anchor + D(days=math.floor((week - anchor_week) * 7))


def _relapses(protocol: Protocol, rng: np.random.Generator, drawn: list[tuple[float, bool]],
              infusions: list[tuple[float, dt.date]], end: dt.date) -> tuple[Relapse, ...]:
    minimum = protocol.relapse_definition.min_duration_hours
    out = []
    for week, confirmed in drawn:
        onset = min(_on_date(week, infusions), end)
        fever = not confirmed and rng.random() < 0.5
        hours = int(rng.integers(minimum, 24 * 21)) if confirmed or fever else int(rng.integers(6, minimum))
        steroids = onset + D(days=int(rng.integers(1, 6))) if confirmed and rng.random() < 0.6 else None
        out.append(Relapse(onset, confirmed, hours, fever, steroids))
    return tuple(out)


def _adverse_events(params: VirtualPatientParams, drawn: list[cc.AdverseEventDraw],
                    infusions: list[tuple[float, dt.date]], start: dt.date, end: dt.date
                    ) -> tuple[AdverseEvent, ...]:
    infusion_terms = set(params.adverse_events.terms["infusion"])
    out = []
    for ae in drawn:
        onset = min(max(_on_date(ae.onset_week, infusions), start), end)
        stop = onset + D(days=round(ae.duration_days))
        infusion_related = ae.related and ae.term in infusion_terms and any(
            0 <= ae.onset_week - w < 1 for w, _ in infusions)
        out.append(AdverseEvent(onset, stop if stop <= end else None, ae.grade, ae.term, ae.related, ae.serious,
                                infusion_related))
    return tuple(sorted(out, key=lambda a: a.onset))


def plan_course(protocol: Protocol, params: VirtualPatientParams, rng: np.random.Generator, *, course: str,
                baseline_edss: float, baseline_exam: Exam, weight_kg: float, msc_first: bool, rate_ratio: float,
                week0: dt.date, screening_date: dt.date) -> Course:
    """Draw one participant's trial: ``msc_first`` from the allocation list, ``rate_ratio`` the true MSC effect
    on lesions and relapses, ``baseline_edss`` and its exam from screening."""
    design = ScanDesign.from_protocol(protocol)
    gel = simulate_gel(_one_course(params, course), design, 1, 1, rng, rate_ratio=1.0)  # untreated rates
    te = params.treatment_effect
    effect = _treatment_factor(design, np.array([[msc_first]]), rate_ratio, te.onset_delay_weeks, te.carry_over)
    rate = (gel.rate * effect)[0, 0]
    counts = rng.poisson(rate)
    new_t2, cua, gel_volume, black_hole = cc.lesion_measures(params, rng, counts, rate)
    dropout = max(float(gel.dropout_week[0, 0]), 1e-6)  # week 0 (randomisation and infusion) always happens

    visits = [v for v in visit_dates(protocol, week0, rng) if v.week < dropout]
    by_week = {v.week: v for v in visits}
    activities = {v.code: protocol.visit(v.code).activities for v in visits}
    infusions = [(float(w), by_week[w].date) for w in design.infusion_weeks if w in by_week]
    scans = {by_week[int(week)].code: Scan(int(counts[s]), int(new_t2[s]), int(cua[s]), float(gel_volume[s]),
                                           float(black_hole[s]))
             for s, week in enumerate(design.weeks.astype(int)) if gel.done[0, 0, s] and int(week) in by_week}
    withdrawal = None
    if math.isfinite(dropout):
        day = max(week0 + D(days=math.ceil(dropout * 7)), visits[-1].date + D(days=1))
        reasons = list(WITHDRAWAL_REASONS)
        p = np.array(list(WITHDRAWAL_REASONS.values()))
        withdrawal = (day, reasons[int(rng.choice(len(reasons), p=p / p.sum()))])
    end = withdrawal[0] if withdrawal else visits[-1].date
    last_week = float(design.weeks.max())
    drawn = cc.relapse_weeks(params, protocol, rng, course=course, msc_first=msc_first,
                             end_week=min(dropout, last_week), infusion_weeks=design.infusion_weeks,
                             rate_ratio=rate_ratio)
    edss_visits = [v for v in visits if "edss" in activities[v.code]]
    scores = cc.edss_scores(params, protocol, rng, course=course, baseline=baseline_edss,
                            visit_weeks=[v.week for v in edss_visits], relapses=drawn)
    exams, exam = {}, baseline_exam
    for visit, score in zip(edss_visits, scores, strict=True):
        exam = exam_for(score, rng, exam)
        exams[visit.code] = exam
    weights, viable, weight = {}, {}, weight_kg
    for visit in visits:
        if "vital_signs" in activities[visit.code]:
            weight = round(weight + (rng.normal(0.0, 1.2) if visit.week else 0.0), 1)
            weights[visit.code] = weight
        if "infusion" in activities[visit.code]:
            median, sdlog = VIABLE_CELLS_PER_KG
            viable[visit.code] = max(1.15e6, median * float(np.exp(sdlog * rng.normal())))
    events = cc.adverse_events(params, rng, msc_first=msc_first, start_week=-(week0 - screening_date).days / 7.0,
                               end_week=min(dropout, last_week), infusions_given=[int(w) for w, _ in infusions],
                               infusion_weeks=design.infusion_weeks)
    return Course(tuple(visits), scans, exams, weights, viable, _relapses(protocol, rng, drawn, infusions, end),
                  _adverse_events(params, events, infusions, screening_date, end), withdrawal)
