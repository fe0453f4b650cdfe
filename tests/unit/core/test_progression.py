"""Worked cases of sustained disability progression (protocol ``disability_progression``, outcome O7).

The expected values follow the protocol's definition: an increase from baseline of >= 1.0 when baseline <= 5.0,
>= 0.5 when baseline >= 5.5, confirmed at the next assessment at least 12 (or 24) weeks later; event day = the
first increased assessment; otherwise censored at the last assessment.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mescams.core.edss.scale import EDSS_STEPS
from mescams.core.progression import EdssAssessment, ProgressionRule, sustained_progression
from mescams.errors import EdssInputError

RULE = ProgressionRule()
# The MESCAMS schedule in study days: weeks 0, 4, 12, 24, 28, 36, 48 (day 1 = week 0).
SCHEDULE = (1, 29, 85, 169, 197, 253, 337)


def history(*scores: float, days: tuple[int, ...] = SCHEDULE) -> list[EdssAssessment]:
    return [EdssAssessment(day, score) for day, score in zip(days, scores, strict=False)]


def test_rule_from_protocol_reads_the_protocol_values(protocol):
    rule = ProgressionRule.from_protocol(protocol.disability_progression)
    assert rule == ProgressionRule(1.0, 0.5, 5.5, 12)
    rule24 = ProgressionRule.from_protocol(protocol.disability_progression, confirmation_weeks=24)
    assert rule24.confirmation_days == 168


def test_low_baseline_needs_a_full_point_confirmed_12_weeks_later():
    """Baseline 3.0 (<= 5.0): 4.0 at week 4 (day 29) confirmed by 4.0 at week 24 (day 169; W12 is only 8 weeks
    after W4, so W24 is the next assessment >= 12 weeks later)."""
    out = sustained_progression(history(3.0, 4.0, 3.0, 4.0, 4.0), rule=RULE)
    assert (out.event, out.event_day, out.censor_day, out.baseline) == (True, 29, None, 3.0)
    assert "confirmed by 4 on day 169" in out.reason


def test_intermediate_fall_back_is_not_judged():
    """The definition reads only the next assessment >= 12 weeks later: the dip at W12 does not matter."""
    out = sustained_progression(history(3.0, 4.0, 3.0, 4.0), rule=RULE)
    assert out.event and out.event_day == 29


def test_half_point_is_not_enough_at_baseline_5_0():
    """Baseline 5.0 is in the <= 5.0 band: 5.5 is only +0.5, so no event; 6.0 (+1.0) confirmed is one."""
    no = sustained_progression(history(5.0, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5), rule=RULE)
    assert (no.event, no.censor_day) == (False, 337)
    yes = sustained_progression(history(5.0, 5.5, 6.0, 6.0, 6.0), rule=RULE)
    assert (yes.event, yes.event_day) == (True, 85)


def test_half_point_is_enough_from_baseline_5_5():
    """Baseline 5.5 (>= 5.5): +0.5 to 6.0 confirmed counts."""
    out = sustained_progression(history(5.5, 5.5, 6.0, 6.0, 6.0), rule=RULE)
    assert (out.event, out.event_day) == (True, 85)


def test_unconfirmed_increase_then_confirmed_one_takes_the_later_day():
    """An increase that falls back at its confirmation visit is not the event; a later confirmed one is."""
    out = sustained_progression(history(2.0, 3.0, 2.0, 2.0, 3.5, 2.5, 3.0), rule=RULE)
    # day 29 (3.0) is confirmed at day 169 (2.0): no. day 197 (3.5) -> next >= 84 days later is day 337 (3.0): yes.
    assert (out.event, out.event_day) == (True, 197)


def test_increase_at_the_last_visit_is_censored():
    out = sustained_progression(history(2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.5), rule=RULE)
    assert (out.event, out.event_day, out.censor_day) == (False, None, 337)
    assert "no assessment 12 weeks later" in out.reason


def test_exactly_12_weeks_confirms_and_one_day_less_does_not():
    """Confirmation "at least 12 weeks later": 84 days apart is enough, 83 days is not."""
    assert sustained_progression(history(2.0, 3.0, 3.0, days=(1, 10, 94)), rule=RULE).event
    out = sustained_progression(history(2.0, 3.0, 3.0, days=(1, 10, 93)), rule=RULE)
    assert not out.event and out.censor_day == 93


def test_24_week_confirmation_is_stricter():
    """W4 -> W28 is exactly 24 weeks (168 days): confirmed at 24 weeks; W12 -> W24 (12 weeks) is not."""
    rule24 = ProgressionRule(confirmation_weeks=24)
    assert sustained_progression(history(3.0, 4.0, 4.0, 4.0, 4.0), rule=rule24).event_day == 29
    out = sustained_progression(history(3.0, 3.0, 4.0, 4.0, 3.0, 3.0, 3.0), rule=rule24)
    assert not out.event  # day 85 (4.0) -> first >= 168 days later is day 253 (3.0)


def test_given_baseline_makes_every_assessment_follow_up():
    out = sustained_progression(history(4.0, 4.0, 4.0, 4.0, days=(1, 29, 85, 169)), rule=RULE, baseline=3.0)
    assert (out.event, out.event_day, out.baseline) == (True, 1, 3.0)


def test_order_of_input_does_not_matter():
    h = history(3.0, 4.0, 3.0, 4.0, 4.0)
    assert sustained_progression(list(reversed(h)), rule=RULE) == sustained_progression(h, rule=RULE)


def test_no_assessment_gives_no_day():
    out = sustained_progression([], rule=RULE)
    assert (out.event, out.event_day, out.censor_day) == (False, None, None)


@pytest.mark.parametrize("score", [0.5, 7.3, 10.5, -1.0])
def test_non_edss_scores_are_refused_naming_the_field(score):
    with pytest.raises(EdssInputError, match=r"assessments\[1\]\.score"):
        sustained_progression(history(2.0, score), rule=RULE)


def test_two_assessments_on_one_day_are_refused():
    with pytest.raises(EdssInputError, match="two assessments on day 29"):
        sustained_progression(history(2.0, 3.0, 3.0, days=(1, 29, 29)), rule=RULE)


def test_bad_rule_is_refused():
    with pytest.raises(EdssInputError, match="confirmation_weeks"):
        ProgressionRule(confirmation_weeks=0)


scores = st.sampled_from(EDSS_STEPS)


@settings(max_examples=200, deadline=None)
@given(base=scores, rest=st.lists(scores, min_size=1, max_size=6), bump_at=st.integers(0, 5))
def test_raising_a_follow_up_score_never_removes_an_event_or_delays_it(base, rest, bump_at):
    """Monotonicity: a worse follow-up score can only make an event earlier or create one."""
    h = history(base, *rest)
    before = sustained_progression(h, rule=RULE)
    i = 1 + bump_at % len(rest)
    raised = list(h)
    raised[i] = EdssAssessment(h[i].day, min(10.0, max(1.0, h[i].score + 0.5)))
    after = sustained_progression(raised, rule=RULE)
    if before.event:
        assert after.event and after.event_day is not None and after.event_day <= before.event_day


@settings(max_examples=200, deadline=None)
@given(base=scores, rest=st.lists(scores, min_size=0, max_size=6))
def test_event_or_censoring_day_is_always_an_assessment_day(base, rest):
    h = history(base, *rest)
    out = sustained_progression(h, rule=RULE)
    days = {a.day for a in h}
    assert (out.event_day in days) if out.event else (out.censor_day == h[-1].day)


def test_dated_assessments_use_study_days():
    """Week 0 = 2016-03-01 is day 1; 2016-03-29 (W4) is day 29; 2016-08-16 (W24) is day 169."""
    import datetime as dt

    w0 = dt.date(2016, 3, 1)
    h = [EdssAssessment.on(dt.date(2016, 3, 1), 3.0, first_infusion=w0),
         EdssAssessment.on(dt.date(2016, 3, 29), 4.0, first_infusion=w0),
         EdssAssessment.on(dt.date(2016, 8, 16), 4.0, first_infusion=w0)]
    assert [a.day for a in h] == [1, 29, 169]
    assert sustained_progression(h, rule=RULE).event_day == 29


def test_numpy_scalars_from_a_data_frame_are_accepted():
    import numpy as np

    h = [EdssAssessment(np.int64(d), np.float64(s)) for d, s in ((1, 3.0), (29, 4.0), (169, 4.0))]
    out = sustained_progression(h, rule=RULE)
    assert out.event_day == 29 and type(out.event_day) is int


def test_non_integer_day_is_refused():
    with pytest.raises(EdssInputError, match=r"assessments\[1\]\.day"):
        sustained_progression([EdssAssessment(1, 3.0), EdssAssessment(2.5, 4.0)], rule=RULE)
