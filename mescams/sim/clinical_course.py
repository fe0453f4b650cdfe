"""One virtual participant's clinical course beyond GEL: relapses, EDSS, adverse events and lesion measures.

Each function draws one participant's events in study weeks (week 0 = the first infusion) from the parameter
file, so the trial writer (:mod:`mescams.sim.trial`) only turns weeks into dates. Why separate from the GEL
generator: the power engine needs GEL only and must stay vectorised; these are per-participant and readable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mescams.core.protocol import Protocol
from mescams.sim.virtual_patients import VirtualPatientParams

__all__ = ["AdverseEventDraw", "adverse_events", "edss_scores", "lesion_measures", "relapse_weeks"]

WEEKS_PER_YEAR = 52.1775


@dataclass(frozen=True)
class AdverseEventDraw:
    onset_week: float
    duration_days: float
    grade: int
    term: str
    related: bool
    serious: bool


def _effect_log(params: VirtualPatientParams, msc_first: bool, week: float, infusion_weeks: tuple[int, ...],
                rate_ratio: float) -> float:
    """Log of the treatment's rate multiplier at ``week`` (same rule as the GEL generator)."""
    te = params.treatment_effect
    log_rr = float(np.log(rate_ratio))
    inf1, inf2 = infusion_weeks[0], infusion_weeks[1]
    if week < inf2:
        return log_rr if msc_first and week - inf1 >= te.onset_delay_weeks else 0.0
    if msc_first:
        return te.carry_over * log_rr
    return log_rr if week - inf2 >= te.onset_delay_weeks else 0.0


def relapse_weeks(params: VirtualPatientParams, protocol: Protocol, rng: np.random.Generator, *, course: str,
                  msc_first: bool, end_week: float, infusion_weeks: tuple[int, ...], rate_ratio: float
                  ) -> list[tuple[float, bool]]:
    """Relapse onsets (week, confirmed) from week 0 to ``end_week``: a gamma-Poisson process with the treatment's
    rate ratio, thinned so onsets are at least the protocol's minimum days apart."""
    rp = params.relapses
    k = rp.patient_dispersion_k
    rate = rp.annual_rate[course] * rng.gamma(1.0 / k, k) / WEEKS_PER_YEAR
    weeks: list[float] = []
    step = 1.0  # piecewise-constant rate on one-week steps follows the treatment factor
    t = 0.0
    while t < end_week:
        width = min(step, end_week - t)
        lam = rate * np.exp(_effect_log(params, msc_first, t + width / 2, infusion_weeks, rate_ratio)) * width
        weeks.extend(sorted(t + width * rng.random(rng.poisson(lam))))
        t += width
    gap = protocol.relapse_definition.min_days_since_previous_onset / 7.0
    kept: list[tuple[float, bool]] = []
    for w in weeks:
        if not kept or w - kept[-1][0] >= gap:
            kept.append((w, bool(rng.random() < rp.fraction_confirmed)))
    return kept


def edss_scores(params: VirtualPatientParams, protocol: Protocol, rng: np.random.Generator, *, course: str,
                baseline: float, visit_weeks: list[int], relapses: list[tuple[float, bool]]) -> list[float]:
    """Observed EDSS at each visit week: baseline, plus sustained progression steps (+1.0 below the protocol's
    high-baseline threshold, +0.5 from it), a transient bump after a relapse, and rater noise of +/- 0.5."""
    ep = params.edss
    dp = protocol.disability_progression
    rate = ep.progression_rate_per_year[course] / WEEKS_PER_YEAR
    horizon = max(visit_weeks) if visit_weeks else 0
    events = sorted(horizon * rng.random(rng.poisson(rate * horizon)))
    scores = []
    for week in visit_weeks:
        level = baseline
        for e in events:
            if e <= week:
                high = level >= dp.high_baseline_from
                level += dp.min_increase_high_baseline if high else dp.min_increase_low_baseline
        if week > 0 and any(0 < week - r <= 8 for r, _ in relapses) and rng.random() < ep.relapse_bump_probability:
            level += 0.5 * rng.integers(1, 3)
        if week > 0 and rng.random() < ep.measurement_noise_probability:
            level += 0.5 * rng.choice([-1.0, 1.0])
        scores.append(float(np.clip(np.round(level * 2) / 2, 0.0, 10.0)))
    return scores


def adverse_events(params: VirtualPatientParams, rng: np.random.Generator, *, msc_first: bool,
                   start_week: float, end_week: float, infusions_given: list[int],
                   infusion_weeks: tuple[int, ...]) -> list[AdverseEventDraw]:
    """Background events by grade over [start_week, end_week) (screening included: start_week < 0), MSC
    periods scaled by ``msc_rate_ratio``, and infusion-related reactions in the days after each infusion."""
    ap = params.adverse_events
    out: list[AdverseEventDraw] = []

    def duration() -> float:
        return float(ap.duration_days.median * np.exp(ap.duration_days.sdlog * rng.standard_normal()))

    inf2 = infusion_weeks[1]
    segments = [(start_week, min(end_week, 0.0), False), (0.0, min(end_week, inf2), msc_first),
                (inf2, end_week, not msc_first)]
    for lo, hi, on_msc in segments:
        if hi <= lo:
            continue
        factor = ap.msc_rate_ratio if on_msc else 1.0
        for grade_text, per_year in ap.background_per_year.items():
            n = rng.poisson(per_year * factor * (hi - lo) / WEEKS_PER_YEAR)
            for _ in range(n):
                grade = int(grade_text)
                out.append(AdverseEventDraw(
                    onset_week=float(lo + (hi - lo) * rng.random()), duration_days=duration(), grade=grade,
                    term=str(rng.choice(ap.terms["background"])),
                    related=bool(rng.random() < ap.related_background_probability),
                    serious=grade >= ap.serious_from_grade))
    grades = np.array([int(g) for g in ap.infusion_grade_probabilities])
    probs = np.array(list(ap.infusion_grade_probabilities.values()))
    lo_day, hi_day = ap.infusion_related_days
    for week in infusions_given:
        if rng.random() < ap.infusion_related_probability:
            grade = int(rng.choice(grades, p=probs / probs.sum()))
            day = int(rng.integers(lo_day, hi_day + 1))
            out.append(AdverseEventDraw(
                onset_week=week + day / 7.0, duration_days=float(1 + rng.integers(0, 3)), grade=grade,
                term=str(rng.choice(ap.terms["infusion"])), related=True, serious=grade >= ap.serious_from_grade))
    return sorted(out, key=lambda e: e.onset_week)


def lesion_measures(params: VirtualPatientParams, rng: np.random.Generator, gel: np.ndarray,
                    rate: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """New/enlarging T2, CUA, GEL volume and black-hole volume per scan, linked to the scan's GEL and rate.

    new T2 = Binomial(GEL, p) + Poisson(rate q) (enhancing lesions that are new, plus non-enhancing new ones);
    CUA = GEL + the non-enhancing new T2 (each active lesion counted once); GEL volume sums log-normal lesion
    volumes; black holes grow from a baseline volume as some new T2 lesions become persistent black holes.
    """
    lp = params.lesions
    non_enh = rng.poisson(rate * lp.non_enhancing_new_t2_per_gel_rate)
    new_t2 = rng.binomial(gel, lp.gel_that_are_new_t2) + non_enh
    cua = gel + non_enh
    gv = lp.gel_volume_mm3_per_lesion
    gel_volume = np.array([float(np.sum(gv.median * np.exp(gv.sdlog * rng.standard_normal(int(g))))) for g in gel])
    bb = lp.black_hole_baseline_mm3
    bh_lesion = lp.black_hole_volume_mm3_per_lesion
    baseline = bb.median * np.exp(bb.sdlog * rng.standard_normal())
    growth = [float(np.sum(bh_lesion.median * np.exp(bh_lesion.sdlog * rng.standard_normal(
        rng.binomial(int(n), lp.new_t2_becoming_black_hole))))) for n in new_t2]
    growth[0] = 0.0  # the baseline scan defines the starting volume
    black_hole = baseline + np.cumsum(growth)
    return new_t2, cua, np.round(gel_volume, 1), np.round(black_hole, 1)
