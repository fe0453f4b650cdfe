"""Properties of the EDSS derivation: raising any FS grade or the ambulation score never lowers the step."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from mescams.core.edss import EDSS_STEPS, FS_MAX_GRADE, FS_NAMES, FunctionalSystems, fs_step, score_edss

exams = st.fixed_dictionaries({name: st.integers(0, top) for name, top in FS_MAX_GRADE.items()})
ambulation = st.integers(0, 16)


@settings(max_examples=400, deadline=None)
@given(grades=exams, amb=ambulation, system=st.sampled_from(FS_NAMES))
def test_raising_one_fs_grade_never_lowers_the_step(grades, amb, system):
    before = score_edss(FunctionalSystems(**grades), amb).step
    if grades[system] < FS_MAX_GRADE[system]:
        raised = {**grades, system: grades[system] + 1}
        assert score_edss(FunctionalSystems(**raised), amb).step >= before


@settings(max_examples=400, deadline=None)
@given(grades=exams, amb=st.integers(0, 15))
def test_raising_the_ambulation_score_never_lowers_the_step(grades, amb):
    fs = FunctionalSystems(**grades)
    assert score_edss(fs, amb + 1).step >= score_edss(fs, amb).step


@settings(max_examples=300, deadline=None)
@given(grades=exams, amb=ambulation)
def test_step_is_an_edss_step_and_ambulation_decides_from_5_5(grades, amb):
    s = score_edss(FunctionalSystems(**grades), amb)
    assert s.step in EDSS_STEPS
    assert s.fs_step <= 5.0
    if amb >= 4:
        assert s.step == s.ambulation_floor >= 5.5
    assert s.reason


def test_fs_step_is_monotone_on_every_grade_pattern():
    """Exhaustive over every multiset of seven converted grades 0-5 (792 patterns): raising one grade by one
    never lowers the FS step, so no step definition contradicts a lower one."""
    patterns = list(itertools.combinations_with_replacement(range(6), 7))
    assert len(patterns) == 792
    for pattern in patterns:
        base = fs_step(dict(zip(FS_NAMES, pattern, strict=True)))
        for i, g in enumerate(pattern):
            if g < 5:
                raised = (*pattern[:i], g + 1, *pattern[i + 1:])
                assert fs_step(dict(zip(FS_NAMES, raised, strict=True))) >= base, (pattern, raised)
