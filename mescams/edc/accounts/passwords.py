"""A password someone else set: changed by its holder at the next log-in, never an e-signature.

Whoever sets a password for another person (an administrator, or the command line) knows it, so until the holder
chooses their own, the account may only reach the password page (:mod:`mescams.edc.accounts.middleware`) and
re-authentication for a signature refuses it: a signature must be something only the signer knows (21 CFR 11.200).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from mescams.edc.accounts.administration import USER_TABLE, check_new_password
from mescams.edc.accounts.models import User
from mescams.edc.audit import chain
from mescams.edc.audit.audited import plain_value
from mescams.edc.audit.context import Actor
from mescams.errors import InputValidationError, MescamsError

__all__ = ["PASSWORD_PAGE", "PasswordChangeRequired", "change_own_password", "refuse_if_change_required"]

PASSWORD_PAGE = "/accounts/password/"  # noqa: S105  a URL, not a password


class PasswordChangeRequired(MescamsError):
    """The account's password was set by someone else; its holder must change it first."""

    code = "password_change_required"

    def __init__(self) -> None:
        super().__init__(gettext("your password was set by an administrator: choose your own at %(password_page)s "
                                 "before anything else (it cannot serve as an e-signature)") % {
                                     "password_page": PASSWORD_PAGE})


def refuse_if_change_required(user: User) -> None:
    if getattr(user, "password_change_required", False):
        raise PasswordChangeRequired()


def change_own_password(*, user: User, current: str, new: str) -> None:
    """The holder replaces their password (the current one is asked again); audited, the flag cleared."""
    if not user.check_password(current):
        raise InputValidationError("old_password", gettext("the current password is not right"))
    if new == current:
        raise InputValidationError("new_password1", gettext("choose a password different from the current one"))
    check_new_password(new, user=user)
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk)
        target.set_password(new)
        was_required = target.password_change_required
        target.password_change_required = False
        target.save(update_fields=["password", "password_change_required"])
        changes: list[tuple[str, str | None, str | None]] = [("password", None, plain_value("changed by its holder"))]
        if was_required:
            changes.append(("password_change_required", plain_value(True), plain_value(False)))
        chain.append(actor=Actor.of(target), table=USER_TABLE, record_id=str(target.pk), action="update",
                     changes=changes, reason="password changed by its holder")
    user.password, user.password_change_required = target.password, False
