"""The pure half of ``sim populate``: referred people and their verdicts, EDSS exams, a participant's dated course.

No database here: the EDC half is tested in tests/integration/edc/demo/test_populate.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from mescams.core.edss import EDSS_STEPS
from mescams.core.eligibility import assess, build_criteria, parse_record
from mescams.core.protocol import Protocol
from mescams.core.schedule import visit_plan_for
from mescams.sim.edss_exam import Exam, exam_for
from mescams.sim.follow_up import plan_course
from mescams.sim.screening import failed_criteria, screen_candidates
from mescams.sim.virtual_patients import COURSES, VirtualPatientParams

FIRST = dt.date(2015, 7, 15)


def _screen(protocol: Protocol, params: VirtualPatientParams, seed: int, screen: int = 120, eligible: int = 80) -> list:
    return list(screen_candidates(protocol, params, np.random.default_rng(seed), screen=screen, eligible=eligible,
                                  first_randomisation=FIRST, recruitment_days=1200))


def test_screening_gives_exactly_the_eligible_asked_for_as_the_engine_judges_them(protocol, vp_params) -> None:
    people = _screen(protocol, vp_params, 5)
    assert len(people) == 120 and sum(c.eligible is True for c in people) == 80
    criteria = build_criteria(protocol)
    for c in people:
        record = {**c.record, "id": "x", "site": c.site, "consent_date": c.screening_date.isoformat()}
        result = assess(parse_record(record), c.planned_randomisation, criteria).as_json()
        assert result["eligible"] is c.eligible and failed_criteria(result) == c.failed
        assert (c.eligible is False) == bool(c.failed)
        assert 14 <= (c.planned_randomisation - c.screening_date).days <= 42  # inside the 60-day screening window
        assert c.site in protocol.site_codes
    dates = [c.planned_randomisation for c in people]
    assert dates == sorted(dates) and FIRST <= dates[0] and dates[-1] < FIRST + dt.timedelta(days=1200)
    reasons = Counter(f for c in people for f in c.failed)
    assert len(reasons) >= 5, reasons  # failures come from many criteria, as at a clinic, not from one rule


def test_randomised_people_keep_the_model_course_mix(protocol, vp_params) -> None:
    people = _screen(protocol, vp_params, 11, screen=300, eligible=300)
    counts = Counter(c.course for c in people)
    for course in COURSES:
        share = vp_params.population.course_mix[course]
        assert abs(counts[course] / 300 - share) < 3.5 * np.sqrt(share * (1 - share) / 300), counts


def test_the_same_seed_refers_the_same_people(protocol, vp_params) -> None:
    a, b, c = _screen(protocol, vp_params, 3, 20, 12), _screen(protocol, vp_params, 3, 20, 12), \
        _screen(protocol, vp_params, 4, 20, 12)
    assert a == b and a != c


@pytest.mark.parametrize("step", EDSS_STEPS)
def test_every_edss_step_has_an_exam_the_core_scores_to_it(step: float) -> None:
    exam = exam_for(step, np.random.default_rng(1))
    assert exam.step == step


def test_exams_change_little_from_visit_to_visit() -> None:
    rng = np.random.default_rng(2)
    exam = exam_for(3.5, rng)
    assert exam_for(3.5, rng, exam) == exam
    worse = exam_for(4.0, rng, exam)
    assert worse.step == 4.0
    assert sum(abs(worse.grades[n] - exam.grades[n]) for n in exam.grades) <= 3
    walking = exam_for(6.0, rng, worse)  # from 5.5 up the ambulation decides: the FS picture is kept
    assert walking.grades == worse.grades and walking.ambulation in (5, 6, 7)
    assert Exam().step == 0.0


def _course(protocol: Protocol, params: VirtualPatientParams, seed: int, msc_first: bool, rate_ratio: float):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    return plan_course(protocol, params, rng, course="RRMS", baseline_edss=4.0, baseline_exam=exam_for(4.0, rng),
                       weight_kg=72.0, msc_first=msc_first, rate_ratio=rate_ratio, week0=dt.date(2016, 3, 1),
                       screening_date=dt.date(2016, 2, 2))


def test_a_course_is_dated_by_the_schedule_and_its_events_by_the_stay(protocol, vp_params) -> None:
    outside = 0
    for seed in range(60):
        course = _course(protocol, vp_params, seed, bool(seed % 2), 0.6)
        week0 = dt.date(2016, 3, 1)
        assert course.visits[0].code == "W0" and course.visits[0].date == week0
        dates = [v.date for v in course.visits]
        assert dates == sorted(set(dates))
        for v in course.visits:
            assert v.in_window == visit_plan_for(protocol.visit(v.code), week0).contains(v.date)
            outside += not v.in_window
        if course.withdrawal:
            assert course.withdrawal[0] > course.visits[-1].date
        mri_visits = {v.code for v in protocol.visits if "mri_gadolinium" in v.activities}
        assert set(course.scans) <= mri_visits & {v.code for v in course.visits}
        for scan in course.scans.values():
            assert max(scan.gel_count, scan.new_enlarging_t2_count) <= scan.cua_count
            assert scan.cua_count <= scan.gel_count + scan.new_enlarging_t2_count
        for ae in course.adverse_events:
            assert dt.date(2016, 2, 2) <= ae.onset <= course.end
            assert ae.end is None or ae.onset <= ae.end <= course.end
        assert all(week0 <= r.onset <= course.end for r in course.relapses)
        assert set(course.exams) == {v.code for v in course.visits if "edss" in protocol.visit(v.code).activities}
    assert 0 < outside < 60 * 6 * 0.1  # a few visits outside their window, as at real sites


def test_the_same_seed_gives_the_same_course(protocol, vp_params) -> None:
    assert _course(protocol, vp_params, 9, True, 0.6) == _course(protocol, vp_params, 9, True, 0.6)


@pytest.mark.heavy_sim
@pytest.mark.parametrize(("rate_ratio", "below_one"), [(0.4, True), (2.5, False)])
def test_gel_rates_follow_the_direction_of_the_true_rate_ratio(protocol, vp_params, rate_ratio: float,
                                                               below_one: bool) -> None:
    """Over 100 participants, GEL per scan on MSC over GEL per scan on placebo (periods 1 and 2 pooled)."""
    gel = {True: 0, False: 0}
    scans = {True: 0, False: 0}
    for seed in range(100):
        msc_first = bool(seed % 2)
        course = _course(protocol, vp_params, 1000 + seed, msc_first, rate_ratio)
        for code, scan in course.scans.items():
            period = protocol.period_of_week(protocol.visit(code).week or 0)
            if period and code != "W0":
                on_msc = (period == 1) == msc_first
                gel[on_msc] += scan.gel_count
                scans[on_msc] += 1
    ratio = (gel[True] / scans[True]) / (gel[False] / scans[False])
    assert (ratio < 0.75) if below_one else (ratio > 1.33), ratio
