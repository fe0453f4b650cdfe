"""Calendar windows and whole completed years, as the eligibility contract defines them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mescams.core.eligibility import Window, add_months, completed_years

D = dt.date


def test_twelve_months_before_first_of_march_is_outside() -> None:
    w = Window(months=12)
    on = D(2016, 3, 1)
    assert w.start(on) == D(2015, 3, 1)
    assert not w.contains(D(2015, 3, 1), on)
    assert w.contains(D(2015, 3, 2), on)
    assert w.contains(on, on)
    assert not w.contains(D(2016, 3, 2), on)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2016, 3, 31), -1, D(2016, 2, 29)),
    (D(2015, 3, 31), -1, D(2015, 2, 28)),
    (D(2016, 2, 29), -12, D(2015, 2, 28)),
    (D(2016, 1, 15), -3, D(2015, 10, 15)),
    (D(2015, 11, 30), 3, D(2016, 2, 29)),
])
def test_add_months_clamps_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_day_windows() -> None:
    on = D(2016, 3, 1)
    assert Window(days=60).start(on) == D(2016, 1, 1)
    assert Window(days=90).start(on) == D(2015, 12, 2)


@pytest.mark.parametrize(("start", "end", "years"), [
    (D(1998, 3, 1), D(2016, 3, 1), 18),
    (D(1998, 3, 2), D(2016, 3, 1), 17),
    (D(1965, 3, 1), D(2016, 3, 1), 51),
    (D(1965, 3, 2), D(2016, 3, 1), 50),
    (D(2000, 2, 29), D(2016, 2, 28), 15),
    (D(2000, 2, 29), D(2016, 2, 29), 16),
    (D(2000, 2, 29), D(2015, 3, 1), 15),
    (D(2017, 1, 1), D(2016, 3, 1), -1),
])
def test_completed_years_counts_the_anniversary(start: dt.date, end: dt.date, years: int) -> None:
    assert completed_years(start, end) == years


def test_window_needs_exactly_one_unit() -> None:
    with pytest.raises(ValueError):
        Window()
    with pytest.raises(ValueError):
        Window(days=1, months=1)


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31))


@given(on=dates, months=st.integers(1, 60))
def test_month_window_edge_is_exclusive(on: dt.date, months: int) -> None:
    w = Window(months=months)
    edge = w.start(on)
    assert not w.contains(edge, on)
    assert w.contains(edge + dt.timedelta(days=1), on)


@given(start=dates, end=dates)
def test_completed_years_agrees_with_shifted_anniversary(start: dt.date, end: dt.date) -> None:
    years = completed_years(start, end)
    # ``years`` whole years have passed when the date ``years*12`` months before ``end`` is on or after start.
    assert add_months(end, -12 * years) >= start
    assert add_months(end, -12 * (years + 1)) < start
