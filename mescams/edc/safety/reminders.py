"""E-mail reminders of expedited reports due soon or overdue, to the safety officers (Django's mail, through the
configured backend: SMTP in production, the console in demo mode, locmem in tests).

One message per safety officer with an e-mail address, listing each open report due within ``within_days`` days
or already overdue, overdue first. It goes to safety officers only: a reminder names cases whose clocks run, and a
revealed case's clock implies its treatment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.utils.translation import gettext, ngettext

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.i18n.mail import send_in_language
from mescams.edc.safety.cases import all_cases

__all__ = ["DueReport", "ReminderRun", "due_reports", "send_reminders"]


@dataclass(frozen=True)
class DueReport:
    case: str
    term: str
    report: str
    due: dt.date
    overdue: bool
    provisional: bool


@dataclass(frozen=True)
class ReminderRun:
    due: tuple[DueReport, ...]
    recipients: tuple[str, ...]


def due_reports(*, today: dt.date, within_days: int) -> list[DueReport]:
    horizon = today + dt.timedelta(days=within_days)
    out = [DueReport(f"{c.participant_id} AE {c.ae.ae_number}", c.ae.term, k.deadline.kind.label, k.deadline.due,
                     k.overdue, c.provisional)
           for c in all_cases(today=today) for k in c.clocks
           if k.sent_on is None and k.deadline.due <= horizon]
    return sorted(out, key=lambda r: (not r.overdue, r.due, r.case))


def _mail(due: list[DueReport], today: dt.date) -> tuple[str, str]:
    """The reminder's subject and body in the language active (the officer's)."""
    overdue = sum(1 for r in due if r.overdue)
    subject = ngettext("MESCAMS safety: %(n)s expedited report due", "MESCAMS safety: %(n)s expedited reports due",
                       len(due)) % {"n": len(due)}
    if overdue:
        subject += gettext(", %(overdue)s OVERDUE") % {"overdue": overdue}
    lines = [gettext("Expedited safety reports (Health Canada C.05.014) as of %(today)s:") % {
        "today": today.isoformat()}, ""]
    for r in due:
        values = {"due": r.due.isoformat(), "report": r.report, "case": r.case, "term": r.term}
        line = (gettext("- OVERDUE %(due)s: %(report)s, case %(case)s (%(term)s)") if r.overdue
                else gettext("- due %(due)s: %(report)s, case %(case)s (%(term)s)")) % values
        if r.provisional:
            line += gettext(" (provisional: reveal the case for a verdict)")
        lines.append(line)
    lines += ["", gettext("Open the SUSAR cases page of the MESCAMS EDC to record reports sent.")]
    return subject, "\n".join(lines)


def send_reminders(*, today: dt.date, within_days: int = 3) -> ReminderRun:
    """Send each active safety officer with an address the list of reports due soon or overdue; nothing when none."""
    due = due_reports(today=today, within_days=within_days)
    officers = list(User.objects.filter(role=Role.SAFETY_OFFICER.value, is_active=True).exclude(email="")
                    .order_by("username"))
    if not due or not officers:
        return ReminderRun(tuple(due), ())
    for officer in officers:  # one message each, in the officer's language: no officer sees another's address
        send_in_language(officer, partial(_mail, due, today))
    return ReminderRun(tuple(due), tuple(o.email for o in officers))
