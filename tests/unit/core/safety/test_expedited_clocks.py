"""Health Canada C.05.014 clocks on worked cases (calendar days, awareness is day 0)."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.safety.expedited import DeadlineState, ReportKind, deadline_state, expedited_deadlines

D = dt.date


def test_other_susar_is_due_15_days_after_awareness() -> None:
    (only,) = expedited_deadlines(awareness=D(2016, 3, 1), fatal_or_life_threatening=False)
    assert (only.kind, only.due) == (ReportKind.REPORT_15_DAY, D(2016, 3, 16))
    assert "C.05.014(1)(a)" in only.basis


def test_fatal_susar_7_days_then_complete_report_8_more() -> None:
    first, complete = expedited_deadlines(awareness=D(2016, 3, 1), fatal_or_life_threatening=True)
    assert (first.kind, first.due) == (ReportKind.INITIAL_7_DAY, D(2016, 3, 8))
    assert (complete.kind, complete.due) == (ReportKind.COMPLETE_8_DAY, D(2016, 3, 16))


def test_complete_report_counts_from_the_day_the_7_day_report_was_sent() -> None:
    _, complete = expedited_deadlines(awareness=D(2016, 3, 1), fatal_or_life_threatening=True,
                                      initial_sent_on=D(2016, 3, 3))
    assert complete.due == D(2016, 3, 11)
    assert "2016-03-03" in complete.basis


def test_clock_crosses_a_month_and_a_leap_day() -> None:
    first, complete = expedited_deadlines(awareness=D(2016, 2, 25), fatal_or_life_threatening=True)
    assert (first.due, complete.due) == (D(2016, 3, 3), D(2016, 3, 11))


@pytest.mark.parametrize(("sent_on", "today", "state"), [
    (None, D(2016, 3, 16), DeadlineState.DUE),  # the due date itself is still in time
    (None, D(2016, 3, 17), DeadlineState.OVERDUE),
    (D(2016, 3, 16), D(2016, 4, 1), DeadlineState.SENT),
    (D(2016, 3, 17), D(2016, 4, 1), DeadlineState.SENT_LATE),
])
def test_deadline_state(sent_on: dt.date | None, today: dt.date, state: DeadlineState) -> None:
    (only,) = expedited_deadlines(awareness=D(2016, 3, 1), fatal_or_life_threatening=False)
    assert deadline_state(only, sent_on=sent_on, today=today) is state
