"""Who is told what, and the sending: each notification goes to the active users who chose its kind, have an
e-mail address and may see the participant (site roles at its site, the query's opener); it is sent after the
change commits (a rolled-back change tells nobody) through Django's mail with the configured backend. A mail that
cannot be sent is logged in one line and never undoes the change. Nothing sent reveals allocation: participant ID,
form and field names, dates, and the path of the page, never a value or a product."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.i18n.mail import send_in_language
from mescams.edc.notifications.models import KINDS, NotificationChoice

__all__ = ["KINDS", "chosen_kinds", "notify", "set_choices", "site_staff"]

log = logging.getLogger(__name__)
SITE_STAFF = (Role.SITE_COORDINATOR.value, Role.INVESTIGATOR.value)


def chosen_kinds(user: Any) -> set[str]:
    return set(NotificationChoice.objects.filter(user=user).values_list("kind", flat=True))


def set_choices(*, user: Any, kinds: Iterable[str]) -> set[str]:
    """The user's own choice of notifications (unknown kinds ignored)."""
    wanted = {k for k in kinds if k in KINDS}
    with transaction.atomic():
        NotificationChoice.objects.filter(user=user).exclude(kind__in=wanted).delete()
        for kind in wanted - chosen_kinds(user):
            NotificationChoice.objects.create(user=user, kind=kind)
    return wanted


def site_staff(site_id: int, *roles: str) -> Any:
    """Active users of these roles at one site."""
    return get_user_model().objects.filter(is_active=True, role__in=roles or SITE_STAFF, sites__pk=site_id)


def notify(kind: str, recipients: Any, compose: Callable[[], tuple[str, str]]) -> None:
    """E-mail those of ``recipients`` who chose ``kind``, once the transaction commits, each in their own language:
    ``compose`` returns (subject, body) and runs once per recipient with their language active."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {u.email: u for u in recipients.filter(notification_choices__kind=kind) if u.email}
    if not people:
        return

    def framed() -> tuple[str, str]:
        subject, body = compose()
        return gettext("[MESCAMS] %(subject)s") % {"subject": subject}, body + _footer()

    def send() -> None:
        for address in sorted(people):  # one mail each: no recipient learns who else is told
            try:
                send_in_language(people[address], framed)
            except OSError as exc:  # the SMTP server is down or refuses: the change stands, the log says so
                log.warning("notification %s to %s not sent: %s", kind, address, exc)

    transaction.on_commit(send)


def _footer() -> str:
    return gettext("\n\n--\nMESCAMS EDC (NCT02239393). You chose this notification; change your choices under "
                   "'Notifications' in the EDC. Sent %(sent)s.") % {
        "sent": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
