"""The daily visit reminder: each site user who chose it gets one mail listing the visits of their sites whose
window opens within the next days or is open with eCRFs missing (the visit calendar's rules). Here in the web
package, beside the calendar it reads, so that the notification services stay below the eCRFs that call them."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext, ngettext

from mescams.core.blinding import Role
from mescams.edc.notifications.services import notify
from mescams.edc.trial.models import Participant
from mescams.edc.web.calendar import calendar


def _reminder(entries: list[Any], on: dt.date) -> tuple[str, str]:
    """The reminder's subject and body, in the language active (the recipient's)."""
    lines = [(gettext("- %(participant_id)s %(visit)s: window %(start)s to %(end)s (open now)") if e.state == "due"
              else gettext("- %(participant_id)s %(visit)s: window %(start)s to %(end)s")) % {
        "participant_id": e.participant_id, "visit": e.visit, "start": e.window_start, "end": e.window_end}
             for e in entries]
    subject = ngettext("%(n)s visit due from %(on)s", "%(n)s visits due from %(on)s", len(entries)) % {
        "n": len(entries), "on": on}
    body = gettext("Visits due at your sites:") + "\n" + "\n".join(lines) + "\n" + gettext(
        "The visit calendar: /site/calendar/")
    return subject, body


def send_visit_reminders(on: dt.date, *, days_ahead: int = 7) -> int:
    """One mail per site user who chose ``visit_due``; returns how many users were written to."""
    told = 0
    users = get_user_model().objects.filter(is_active=True, role__in=(Role.SITE_COORDINATOR.value,
                                                                      Role.INVESTIGATOR.value),
                                            notification_choices__kind="visit_due").distinct()
    for user in users:
        participants = Participant.objects.filter(site__in=user.sites.all(), week0_date__isnull=False) \
            .select_related("site")
        entries = [e for e in calendar(participants, on=on, horizon_days=days_ahead) if e.state != "overdue"]
        if not entries:
            continue
        notify("visit_due", get_user_model().objects.filter(pk=user.pk), partial(_reminder, entries, on))
        told += 1
    return told
