"""The dated visit plan, worked by hand from week 0 = 2016-03-01 (the issue's example)."""

from __future__ import annotations

import datetime as dt

from mescams.core.protocol import Protocol
from mescams.core.schedule import is_in_window, planned_visits, study_day

D = dt.date


def test_worked_example_dates(protocol: Protocol) -> None:
    plan = {pv.code: pv for pv in planned_visits(protocol, D(2016, 3, 1))}
    # 2016 is a leap year: March 1 + 28 days = March 29; + 84 = May 24; + 168 = Aug 16; + 336 = 2017-01-31.
    assert plan["W0"].planned_date == D(2016, 3, 1)
    assert plan["W4"].planned_date == D(2016, 3, 29)
    assert plan["W12"].planned_date == D(2016, 5, 24)
    assert plan["W24"].planned_date == D(2016, 8, 16)
    assert plan["W28"].planned_date == D(2016, 9, 13)
    assert plan["W36"].planned_date == D(2016, 11, 8)
    assert plan["W48"].planned_date == D(2017, 1, 31)
    assert (plan["W24"].window_start, plan["W24"].window_end) == (D(2016, 8, 9), D(2016, 8, 23))
    assert (plan["W0"].window_start, plan["W0"].window_end) == (D(2016, 3, 1), D(2016, 3, 1))
    assert (plan["SCR"].window_start, plan["SCR"].window_end) == (D(2016, 1, 1), D(2016, 2, 29))


def test_window_edges(protocol: Protocol) -> None:
    week0 = D(2016, 3, 1)
    assert is_in_window(protocol, "W4", week0, D(2016, 3, 22))
    assert not is_in_window(protocol, "W4", week0, D(2016, 3, 21))
    assert is_in_window(protocol, "W4", week0, D(2016, 4, 5))
    assert not is_in_window(protocol, "W4", week0, D(2016, 4, 6))
    plan = {pv.code: pv for pv in planned_visits(protocol, week0)}
    assert plan["W4"].days_outside(D(2016, 4, 8)) == 3
    assert plan["W4"].days_outside(D(2016, 3, 20)) == -2


def test_study_day_has_no_day_zero() -> None:
    first = D(2016, 3, 1)
    assert study_day(first, first) == 1
    assert study_day(D(2016, 3, 2), first) == 2
    assert study_day(D(2016, 2, 29), first) == -1
    assert study_day(D(2016, 8, 16), first) == 169


def test_visit_date_bounds_from_the_neighbouring_visits(protocol: Protocol) -> None:
    """From the previous visit's date (planned unless known) to the end of the next visit's window."""
    from mescams.core.schedule import visit_date_bounds

    week0 = D(2016, 3, 1)
    assert visit_date_bounds(protocol, "W0", week0) == (D(2016, 1, 1), D(2016, 4, 5))  # screening start .. W4 end
    assert visit_date_bounds(protocol, "W4", week0) == (week0, D(2016, 5, 31))  # W0 .. W12 window end
    assert visit_date_bounds(protocol, "W48", week0) == (D(2016, 11, 8), None)  # W36 planned, no next visit
    assert visit_date_bounds(protocol, "W48", week0, D(2016, 11, 14))[0] == D(2016, 11, 14)  # W36 held late
