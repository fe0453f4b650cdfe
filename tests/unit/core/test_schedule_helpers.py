"""Visit schedule helpers, worked by hand from week 0 = 2016-03-01 (planned W4 2016-03-29, W12 2016-05-24,
W24 2016-08-16, W28 2016-09-13; windows -7/+7 days, W0 exactly on the day; protocol ``visits``)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mescams.core.schedule import date_of_study_day, match_visit, study_day
from mescams.errors import InputValidationError

D = dt.date
WEEK0 = D(2016, 3, 1)


@pytest.mark.parametrize(
    ("actual", "code", "in_window", "from_planned", "outside"),
    [
        (D(2016, 3, 1), "W0", True, 0, 0),
        (D(2016, 3, 2), "W0", False, 1, 1),  # W0 has no window: the day after is late, not an early W4
        (D(2016, 3, 22), "W4", True, -7, 0),  # first day of the W4 window
        (D(2016, 4, 5), "W4", True, 7, 0),  # last day of the W4 window
        (D(2016, 4, 20), "W4", False, 22, 15),  # 22 days after W4, 34 before W12
        (D(2016, 5, 3), "W12", False, -21, -14),  # 35 days after W4, 21 before W12
        (D(2016, 8, 30), "W24", False, 14, 7),  # exactly between W24 and W28: the earlier visit
        (D(2016, 8, 31), "W28", False, -13, -6),
        (D(2016, 2, 15), "SCR", True, -14, 0),  # before week 0: screening
        (D(2015, 12, 1), "SCR", False, -90, -31),  # before the 60-day screening window
    ],
)
def test_match_visit(protocol, actual, code, in_window, from_planned, outside):
    m = match_visit(protocol, WEEK0, actual)
    assert (m.code, m.in_window, m.days_from_planned, m.days_outside) == (code, in_window, from_planned, outside)


def test_date_of_study_day_worked_examples():
    assert date_of_study_day(1, WEEK0) == WEEK0
    assert date_of_study_day(169, WEEK0) == D(2016, 8, 16)
    assert date_of_study_day(-1, WEEK0) == D(2016, 2, 29)


@pytest.mark.parametrize("day", [0, 1.5, True])
def test_study_day_zero_does_not_exist(day):
    with pytest.raises(InputValidationError, match="^study_day:"):
        date_of_study_day(day, WEEK0)


@given(st.dates(min_value=D(2014, 1, 1), max_value=D(2020, 12, 31)))
def test_study_day_round_trip(on):
    day = study_day(on, WEEK0)
    assert day != 0
    assert date_of_study_day(day, WEEK0) == on


@given(st.dates(min_value=D(2016, 3, 1), max_value=D(2017, 3, 31)))
def test_a_date_inside_some_window_matches_a_visit_whose_window_contains_it(on):
    from mescams.protocols import default_protocol

    m = match_visit(default_protocol(), WEEK0, on)
    if m.in_window:
        assert m.planned.contains(on) and m.days_outside == 0
    else:
        assert m.days_outside != 0
