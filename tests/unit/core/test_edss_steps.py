"""Worked cases for every EDSS step definition and both FS conversions.

Expected values come from the EDSS step definitions of Kurtzke (Neurology 1983;33:1444-52) as restated in the
Neurostatus definitions 04/10.2 and the Neurostatus-EDSS scoring table (L. Kappos, University Hospital Basel),
quoted in each test's docstring. Grades are given as recorded; visual and bowel/bladder are converted first.
"""

from __future__ import annotations

import pytest

from mescams.core.edss import FunctionalSystems, score_edss


def fs(**grades: int) -> FunctionalSystems:
    base = dict.fromkeys(("visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral"), 0)
    base.update(grades)
    return FunctionalSystems(**base)


def step(ambulation: int = 0, **grades: int) -> float:
    return score_edss(fs(**grades), ambulation).step


def test_0_normal_examination():
    """0: normal neurological exam (all FS 0), unrestricted ambulation."""
    assert step() == 0.0
    assert score_edss(fs(), 0).reason == "all FS 0; fully ambulatory"


def test_1_0_minimal_signs_in_one_fs():
    """1.0: no disability, minimal signs in one FS (one FS grade 1)."""
    assert step(sensory=1) == 1.0
    assert step(cerebral=1) == 1.0


def test_1_5_minimal_signs_in_more_than_one_fs():
    """1.5: no disability, minimal signs in more than one FS (more than one FS grade 1)."""
    assert step(sensory=1, brainstem=1) == 1.5
    assert step(**dict.fromkeys(("brainstem", "pyramidal", "cerebellar", "sensory", "cerebral"), 1)) == 1.5


def test_2_0_minimal_disability_in_one_fs():
    """2.0: minimal disability in one FS (one FS grade 2, others 0 or 1)."""
    assert step(pyramidal=2) == 2.0
    assert step(pyramidal=2, brainstem=1, cerebellar=1, sensory=1) == 2.0


def test_2_5_minimal_disability_in_two_fs():
    """2.5: minimal disability in two FS (two FS grade 2, others 0 or 1)."""
    assert step(pyramidal=2, cerebellar=2) == 2.5
    assert step(pyramidal=2, cerebellar=2, sensory=1) == 2.5


def test_3_0_moderate_disability_in_one_or_mild_in_three_or_four():
    """3.0: moderate disability in one FS (one FS grade 3, others 0 or 1), or mild disability in three or four FS
    (three or four FS grade 2, others 0 or 1), though fully ambulatory."""
    assert step(cerebellar=3) == 3.0
    assert step(cerebellar=3, sensory=1, brainstem=1) == 3.0
    assert step(pyramidal=2, cerebellar=2, sensory=2) == 3.0
    assert step(pyramidal=2, cerebellar=2, sensory=2, brainstem=2) == 3.0


def test_3_5_fully_ambulatory_with_moderate_disability():
    """3.5: fully ambulatory but with moderate disability in one FS (one grade 3) and one or two FS grade 2; or two
    FS grade 3 (others 0 or 1); or five FS grade 2 (others 0 or 1)."""
    assert step(pyramidal=3, sensory=2) == 3.5
    assert step(pyramidal=3, sensory=2, brainstem=2) == 3.5
    assert step(pyramidal=3, cerebellar=3, cerebral=1) == 3.5
    assert step(brainstem=2, pyramidal=2, cerebellar=2, sensory=2, cerebral=2) == 3.5


def test_4_0_relatively_severe_disability():
    """4.0: fully ambulatory without aid, >= 500 m, relatively severe disability consisting of one FS grade 4
    (others 0 or 1), or combinations of lesser grades exceeding the limits of previous steps."""
    assert step(pyramidal=4) == 4.0
    assert step(pyramidal=4, sensory=1, cerebral=1) == 4.0
    # lesser grades beyond 3.5:
    assert step(brainstem=2, pyramidal=2, cerebellar=2, sensory=2, cerebral=2, bowel_bladder=2) == 4.0  # six FS 2
    assert step(pyramidal=3, brainstem=2, cerebellar=2, sensory=2) == 4.0  # one 3 + three 2
    assert step(pyramidal=3, cerebellar=3, sensory=2) == 4.0  # two 3 + a 2
    assert step(pyramidal=3, cerebellar=3, sensory=3) == 4.0  # three 3
    assert step(pyramidal=3, cerebellar=3, sensory=3, brainstem=3, cerebral=2) == 4.0  # four 3


def test_4_5_one_fs_4_with_lesser_grades_exceeding_previous_steps():
    """4.5: fully ambulatory without aid, >= 300 m; relatively severe disability usually consisting of one FS grade
    4 and combinations of lesser grades exceeding limits of previous steps (scoring table: also five FS grade 3)."""
    assert step(pyramidal=4, sensory=2) == 4.5
    assert step(pyramidal=4, sensory=3, cerebellar=3) == 4.5
    assert step(brainstem=3, pyramidal=3, cerebellar=3, sensory=3, cerebral=3) == 4.5


def test_4_5_from_walking_range_300_to_499_m():
    """4.5: ambulation score 2 (300-499 m without help or rest) gives 4.5 when the FS give less."""
    assert step(2) == 4.5
    assert step(2, pyramidal=4) == 4.5


def test_5_0_fs_equivalents():
    """5.0: usual FS equivalents are one grade 5 alone (others 0 or 1), or combinations of lesser grades usually
    exceeding the specifications for step 4.5 (two FS 4; one FS 4 with three FS 3; six FS 3)."""
    assert step(pyramidal=5) == 5.0
    assert step(sensory=6) == 5.0
    assert step(pyramidal=4, cerebellar=4) == 5.0
    assert step(pyramidal=4, cerebellar=3, sensory=3, brainstem=3) == 5.0
    assert step(brainstem=3, pyramidal=3, cerebellar=3, sensory=3, cerebral=3, bowel_bladder=3) == 5.0


def test_5_0_from_walking_range_200_to_299_m_and_fs_raising_ambulation_2():
    """5.0: ambulatory without aid or rest for >= 200 m (ambulation score 3); with ambulation score 2 (4.5) a
    grade 5 FS raises the step to 5.0 (a worse FS picture raises, never lowers)."""
    assert step(3) == 5.0
    assert step(2, pyramidal=5) == 5.0
    r = score_edss(fs(pyramidal=5), 2).reason
    assert "FS picture raises the ambulation's 4.5 to 5.0" in r


@pytest.mark.parametrize(
    ("ambulation", "expected"),
    [(4, 5.5), (5, 6.0), (6, 6.0), (7, 6.0), (8, 6.5), (9, 6.5), (10, 7.0), (11, 7.5), (12, 8.0), (13, 8.5),
     (14, 9.0), (15, 9.5), (16, 10.0)],
)
def test_steps_from_5_5_follow_the_ambulation_score(ambulation, expected):
    """5.5 >= 100 m without aid; 6.0 walks < 100 m without help, unilateral assistance >= 50 m or bilateral
    >= 120 m; 6.5 unilateral < 50 m or bilateral 5-119 m; 7.0 wheelchair without help; 7.5 wheelchair with
    help; 8.0 restricted to bed or chair; 8.5 to bed much of the day; 9.0 helpless bed patient, can communicate
    and eat; 9.5 totally helpless; 10 death due to MS. FS grades cannot lower these steps."""
    assert step(ambulation) == expected
    assert step(ambulation, pyramidal=6, sensory=6, visual=6) == expected


def test_ambulation_1_is_at_least_2_0():
    """Steps 0-1.5 require unrestricted ambulation; 'fully ambulatory' (score 1) starts at 2.0 and leaves
    higher FS steps as they are."""
    assert step(1) == 2.0
    assert step(1, sensory=1) == 2.0
    assert step(1, pyramidal=3) == 3.0


@pytest.mark.parametrize(("recorded", "converted"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4)])
def test_visual_conversion(recorded, converted):
    """Visual 6/5/4/3/2/1 -> 4/3/3/2/2/1 before the steps are read (Neurostatus)."""
    expected = {0: 0.0, 1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0}[converted]
    assert step(visual=recorded) == expected
    reason = score_edss(fs(visual=recorded), 0).reason
    assert (f"visual {recorded} converted to {converted}" in reason) == (recorded != converted)


@pytest.mark.parametrize(("recorded", "converted"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 5)])
def test_bowel_bladder_conversion(recorded, converted):
    """Bowel/bladder 6/5/4/3/2/1 -> 5/4/3/3/2/1 before the steps are read (Neurostatus)."""
    expected = {0: 0.0, 1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0, 5: 5.0}[converted]
    assert step(bowel_bladder=recorded) == expected
    reason = score_edss(fs(bowel_bladder=recorded), 0).reason
    assert (f"bowel/bladder {recorded} converted to {converted}" in reason) == (recorded != converted)


def test_conversion_changes_the_step_the_unconverted_grade_would_give():
    """Visual 6 alone would read as grade 6 (5.0) but converts to 4 (4.0); bowel/bladder 4 + pyramidal 3 read
    as two grade-3 FS (3.5), not grade 4 + 3 (4.5)."""
    assert step(visual=6) == 4.0
    assert step(bowel_bladder=4, pyramidal=3) == 3.5


def test_contract_example_reason():
    """The contract's worked example: pyramidal 2, brainstem 1, cerebellar 1, ambulation 0 -> 2.0."""
    s = score_edss(fs(brainstem=1, pyramidal=2, cerebellar=1), 0)
    assert (s.step, s.reason) == (2.0, "one FS grade 2 (pyramidal), others 0 or 1; fully ambulatory")
