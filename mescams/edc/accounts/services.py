"""Log-in with lock-out, re-authentication for signatures, and creating users."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.errors import InputValidationError, MescamsError

__all__ = ["AccountLocked", "BadCredentials", "check_credentials", "create_user", "reauthenticate"]


class BadCredentials(MescamsError):
    """Unknown user or wrong password (one message for both, so user names cannot be probed)."""


class AccountLocked(MescamsError):
    """Too many failed log-ins; the account is locked for a while."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_credentials(*, username: str, password: str, request: Any = None) -> User:
    """The user if the password is right and the account not locked; counts failures and locks the account.

    The failure count is committed even though the log-in fails (the error is raised after the transaction).
    """
    failure: MescamsError | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > _now():
            failure = AccountLocked("account locked after repeated failed log-ins; try again later")
            authenticated = None
        else:
            authenticated = authenticate(request, username=username, password=password)
            if authenticated is None:
                failure = BadCredentials("wrong user name or password")
                if user is not None:
                    user.failed_logins += 1
                    if user.failed_logins >= settings.MESCAMS_LOCKOUT_ATTEMPTS:
                        user.locked_until = _now() + dt.timedelta(minutes=settings.MESCAMS_LOCKOUT_MINUTES)
                        user.failed_logins = 0
                    user.save(update_fields=["failed_logins", "locked_until"])
            elif user is not None and (user.failed_logins or user.locked_until):
                user.failed_logins, user.locked_until = 0, None
                user.save(update_fields=["failed_logins", "locked_until"])
    if failure is not None:
        raise failure
    if not isinstance(authenticated, User):
        raise BadCredentials("wrong user name or password")
    return authenticated


def reauthenticate(user: User, password: str) -> None:
    """Confirm the signer's identity again (e-signature); a wrong password counts towards lock-out.

    A password someone else set is refused outright (PasswordChangeRequired): the signature must be the signer's.
    """
    from mescams.edc.accounts.passwords import refuse_if_change_required

    refuse_if_change_required(User.objects.get(pk=user.pk))
    check_credentials(username=user.username, password=password)


def create_user(*, username: str, password: str, role: Role | str, site_codes: list[str] = (), **extra: Any) -> User:
    """Provision an account directly (demo, simulation, tests): no audit, no two-person rule. People's accounts are
    created through :func:`mescams.edc.accounts.administration.create_account`."""
    from mescams.edc.accounts.usernames import check_username
    from mescams.edc.trial.models import Site

    check_username(username)
    try:
        role = Role(role)
    except ValueError:
        raise InputValidationError("role", f"must be one of {', '.join(r.value for r in Role)}") from None
    user = User(username=username, role=role.value, is_staff=role is Role.ADMINISTRATOR,
                is_superuser=role is Role.ADMINISTRATOR, **extra)
    user.set_password(password)
    user.save()
    if site_codes:
        user.sites.set(Site.objects.filter(code__in=site_codes))
    return user
