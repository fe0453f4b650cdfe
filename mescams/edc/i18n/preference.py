"""A user's chosen language: stored on the account and audited like any change to it (who, when, old, new)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from mescams.edc.accounts.administration import USER_TABLE
from mescams.edc.accounts.models import User
from mescams.edc.audit import chain
from mescams.edc.audit.audited import plain_value
from mescams.edc.audit.context import Actor
from mescams.edc.i18n.languages import LANGUAGE_CODES
from mescams.errors import InputValidationError

__all__ = ["choose_language"]


def choose_language(*, user: User, language: str) -> None:
    """Store ``language`` as ``user``'s own (they choose it for themselves); the change joins the audit chain."""
    if language not in LANGUAGE_CODES:
        raise InputValidationError("language", gettext("must be one of %(sorted)s, got %(language)s") % {
            "sorted": ', '.join(sorted(LANGUAGE_CODES)), "language": repr(language)})
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk)
        if target.language == language:
            return
        old = target.language
        target.language = language
        target.save(update_fields=["language"])
        chain.append(actor=Actor.of(target), table=USER_TABLE, record_id=str(target.pk), action="update",
                     changes=[("language", plain_value(old) if old else None, plain_value(language))],
                     reason="language chosen by the account's holder")
    user.language = language
