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

from mescams.core.messages import DomainMessage, MessageTemplate

__all__ = ["Deadline", "DeadlineState", "ReportKind", "deadline_state", "expedited_deadlines"]

FATAL_OR_LIFE_THREATENING_DAYS = 7
COMPLETE_REPORT_DAYS = 8
OTHER_DAYS = 15


class ReportKind(StrEnum):
    INITIAL_7_DAY = "initial_7_day"  # fatal or life-threatening: first report
    COMPLETE_8_DAY = "complete_8_day"  # fatal or life-threatening: complete report, 8 days after the first
    REPORT_15_DAY = "report_15_day"  # other SUSARs

    @property
    def message(self) -> DomainMessage:
        return REPORT_NAMES[self.value]()

    @property
    def label(self) -> str:
        return self.message.english()


REPORT_NAMES = {
    "initial_7_day": MessageTemplate("safety.report.initial_7_day", "7-day report (fatal or life-threatening)"),
    "complete_8_day": MessageTemplate("safety.report.complete_8_day",
                                      "Complete report (8 days after the 7-day report)"),
    "report_15_day": MessageTemplate("safety.report.report_15_day", "15-day report"),
}
"""Each report's name (message ids ``safety.report.<kind>``), translated where a person reads it."""
BASIS_AWARENESS = MessageTemplate("safety.basis.awareness", "{rule}: {days} days after awareness on {awareness}")
BASIS_SENT = MessageTemplate("safety.basis.after_sent", "{rule}: {days} days after the 7-day report sent ({start})")
BASIS_DUE = MessageTemplate("safety.basis.after_due",
                            "{rule}: {days} days after the 7-day report's due date ({start})")


@dataclass(frozen=True)
class Deadline:
    kind: ReportKind
    due: dt.date
    basis_message: DomainMessage  # the rule and the date it counts from

    @property
    def basis(self) -> str:
        """The rule and the date it counts from, in English words (the pages translate ``basis_message``)."""
        return self.basis_message.english()


def expedited_deadlines(*, awareness: dt.date, fatal_or_life_threatening: bool,
                        initial_sent_on: dt.date | None = None) -> tuple[Deadline, ...]:
    """The reports a SUSAR needs and when each is due (C.05.014)."""
    if not fatal_or_life_threatening:
        return (Deadline(ReportKind.REPORT_15_DAY, awareness + dt.timedelta(days=OTHER_DAYS),
                         BASIS_AWARENESS(rule="C.05.014(1)(a)", days=OTHER_DAYS, awareness=awareness.isoformat())),)
    initial_due = awareness + dt.timedelta(days=FATAL_OR_LIFE_THREATENING_DAYS)
    start = initial_sent_on if initial_sent_on is not None else initial_due
    after = BASIS_SENT if initial_sent_on is not None else BASIS_DUE
    return (
        Deadline(ReportKind.INITIAL_7_DAY, initial_due,
                 BASIS_AWARENESS(rule="C.05.014(1)(b)", days=FATAL_OR_LIFE_THREATENING_DAYS,
                                 awareness=awareness.isoformat())),
        Deadline(ReportKind.COMPLETE_8_DAY, start + dt.timedelta(days=COMPLETE_REPORT_DAYS),
                 after(rule="C.05.014(2)", days=COMPLETE_REPORT_DAYS, start=start.isoformat())),
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
