"""Who is told what, and the sending: each notification goes to the active users who chose its kind, have an
e-mail address and may see the participant (site roles at its site, the query's opener); it is sent after the
change commits (a rolled-back change tells nobody) through Django's mail with the configured backend. A mail that
cannot be sent is logged in one line and never undoes the change. Nothing sent reveals allocation: participant ID,
form and field names, dates, and the path of the page, never a value or a product."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from mescams.core.blinding import Role
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


def notify(kind: str, recipients: Any, subject: str, body: str) -> None:
    """E-mail ``subject`` and ``body`` to those of ``recipients`` who chose ``kind``, once the transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    addresses = sorted({u.email for u in recipients.filter(notification_choices__kind=kind) if u.email})
    if not addresses:
        return

    def send() -> None:
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", "mescams@localhost")
        for address in addresses:  # one mail each: no recipient learns who else is told
            try:
                send_mail(f"[MESCAMS] {subject}", body + _footer(), sender, [address])
            except OSError as exc:  # the SMTP server is down or refuses: the change stands, the log says so
                log.warning("notification %s to %s not sent: %s", kind, address, exc)

    transaction.on_commit(send)


def _footer() -> str:
    return ("\n\n--\nMESCAMS EDC (NCT02239393). You chose this notification; change your choices under "
            "'Notifications' in the EDC. Sent " + dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + ".")
