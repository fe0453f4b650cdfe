"""Health Canada's expedited-reporting clocks for a SUSAR (Food and Drug Regulations, C.05.014).

The sponsor reports a serious unexpected adverse drug reaction to the Minister:

- neither fatal nor life-threatening: within 15 days after becoming aware of it (C.05.014(1)(a));
- fatal or life-threatening: within 7 days after becoming aware (C.05.014(1)(b)), and then, within 8 days after
  having informed the Minister, as complete a report as possible, with an assessment of the importance and
  implication of the findings (C.05.014(2)).

Days are calendar days counted from the awareness date as day 0 (aware on 1 March: the 7-day report is due by
8 March). The complete report's 8 days run from the day the 7-day report was sent; until it is sent, from the
7-day due date, so the complete report is never due later than awareness + 15 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Deadline", "DeadlineState", "ReportKind", "deadline_state", "expedited_deadlines"]

FATAL_OR_LIFE_THREATENING_DAYS = 7
COMPLETE_REPORT_DAYS = 8
OTHER_DAYS = 15


class ReportKind(StrEnum):
    INITIAL_7_DAY = "initial_7_day"  # fatal or life-threatening: first report
    COMPLETE_8_DAY = "complete_8_day"  # fatal or life-threatening: complete report, 8 days after the first
    REPORT_15_DAY = "report_15_day"  # other SUSARs

    @property
    def label(self) -> str:
        return {"initial_7_day": "7-day report (fatal or life-threatening)",
                "complete_8_day": "Complete report (8 days after the 7-day report)",
                "report_15_day": "15-day report"}[self.value]


@dataclass(frozen=True)
class Deadline:
    kind: ReportKind
    due: dt.date
    basis: str  # the rule and the date it counts from, in words


def expedited_deadlines(*, awareness: dt.date, fatal_or_life_threatening: bool,
                        initial_sent_on: dt.date | None = None) -> tuple[Deadline, ...]:
    """The reports a SUSAR needs and when each is due (C.05.014)."""
    if not fatal_or_life_threatening:
        return (Deadline(ReportKind.REPORT_15_DAY, awareness + dt.timedelta(days=OTHER_DAYS),
                         f"C.05.014(1)(a): {OTHER_DAYS} days after awareness on {awareness.isoformat()}"),)
    initial_due = awareness + dt.timedelta(days=FATAL_OR_LIFE_THREATENING_DAYS)
    start = initial_sent_on if initial_sent_on is not None else initial_due
    start_words = "the 7-day report sent" if initial_sent_on is not None else "the 7-day report's due date"
    return (
        Deadline(ReportKind.INITIAL_7_DAY, initial_due,
                 f"C.05.014(1)(b): {FATAL_OR_LIFE_THREATENING_DAYS} days after awareness on {awareness.isoformat()}"),
        Deadline(ReportKind.COMPLETE_8_DAY, start + dt.timedelta(days=COMPLETE_REPORT_DAYS),
                 f"C.05.014(2): {COMPLETE_REPORT_DAYS} days after {start_words} ({start.isoformat()})"),
    )


class DeadlineState(StrEnum):
    SENT = "sent"  # sent on or before the due date
    SENT_LATE = "sent_late"
    DUE = "due"  # not sent, due today or later
    OVERDUE = "overdue"  # not sent, the due date has passed


def deadline_state(deadline: Deadline, *, sent_on: dt.date | None, today: dt.date) -> DeadlineState:
    if sent_on is not None:
        return DeadlineState.SENT if sent_on <= deadline.due else DeadlineState.SENT_LATE
    return DeadlineState.OVERDUE if today > deadline.due else DeadlineState.DUE
