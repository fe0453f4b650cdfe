"""Every e-mail in its recipient's language: the account's stored choice, else the deployment's default.

A sender gives a ``compose`` function that returns (subject, body); it runs with the recipient's language active,
so whatever it translates (gettext, templates) comes out in that language, whoever caused the mail and in
whatever language their own page was. One helper for every sender (notifications, safety reminders, the portal's
invitation and codes, the site alert of a symptom report), so none can forget it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from mescams.edc.i18n.languages import LANGUAGE_CODES

__all__ = ["language_of", "send_in_language"]


def language_of(person: Any) -> str:
    """The language a person reads mail in: their stored choice when it is one the EDC has, else the default."""
    chosen = getattr(person, "language", "") or ""
    return chosen if chosen in LANGUAGE_CODES else settings.LANGUAGE_CODE


def send_in_language(person: Any, compose: Callable[[], tuple[str, str]], *, address: str | None = None) -> None:
    """Compose one mail in ``person``'s language and send it to their address (or ``address``) alone."""
    with translation.override(language_of(person)):
        subject, body = compose()
    send_mail(subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", "mescams@localhost"),
              [address or person.email])
