"""The daily visit reminder: each site user who chose it gets one mail listing the visits of their sites whose
window opens within the next days or is open with eCRFs missing (the visit calendar's rules). Here in the web
package, beside the calendar it reads, so that the notification services stay below the eCRFs that call them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from mescams.core.blinding import Role
from mescams.edc.notifications.services import notify
from mescams.edc.trial.models import Participant
from mescams.edc.web.calendar import calendar


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
        lines = [f"- {e.participant_id} {e.visit}: window {e.window_start} to {e.window_end}"
                 f"{' (open now)' if e.state == 'due' else ''}" for e in entries]
        notify("visit_due", get_user_model().objects.filter(pk=user.pk),
               f"{len(entries)} visit{'s' if len(entries) != 1 else ''} due from {on}",
               "Visits due at your sites:\n" + "\n".join(lines) + "\nThe visit calendar: /site/calendar/")
        told += 1
    return told
