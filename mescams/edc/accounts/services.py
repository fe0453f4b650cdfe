"""Log-in with growing delays after failures, re-authentication for signatures, and creating users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.accounts.passwords import refuse_if_change_required
from mescams.edc.accounts.usernames import check_username
from mescams.edc.security import throttle
from mescams.edc.security.throttle import LoginThrottled
from mescams.edc.trial.models import Site
from mescams.errors import InputValidationError, MescamsError

__all__ = ["BadCredentials", "LoginThrottled", "check_credentials", "create_user", "reauthenticate"]


class BadCredentials(MescamsError):
    """Unknown user or wrong password (one message for both, so user names cannot be probed)."""


def check_credentials(*, username: str, password: str, request: Any = None) -> User:
    """The user if the password is right; failures slow down further attempts (never lock the account).

    The same steps, queries and answers for an unknown user name as for a real one: the throttle is keyed by the
    name as typed (and the address), and Django's backend runs the password hasher for an unknown name too. See
    :mod:`mescams.edc.security.throttle`.
    """
    keys = throttle.keys_for(username, request)
    throttle.check(keys)
    authenticated = authenticate(request, username=username, password=password)
    if not isinstance(authenticated, User):
        throttle.record_failure(keys)
        raise BadCredentials(gettext("wrong user name or password"))
    throttle.record_success(keys)
    return authenticated


def reauthenticate(user: User, password: str, request: Any = None) -> None:
    """Confirm the signer's identity again (e-signature); a wrong password counts like a failed log-in.

    A password someone else set is refused outright (PasswordChangeRequired): the signature must be the signer's.
    """
    refuse_if_change_required(User.objects.get(pk=user.pk))
    check_credentials(username=user.username, password=password, request=request)


def create_user(
    *, username: str, password: str, role: Role | str, site_codes: Sequence[str] = (), **extra: Any
) -> User:
    """Provision an account directly (demo, simulation, tests): no audit, no two-person rule. People's accounts are
    created through :func:`mescams.edc.accounts.administration.create_account`."""
    check_username(username)
    try:
        role = Role(role)
    except ValueError:
        raise InputValidationError("role", gettext("must be one of %(role)s") % {
            "role": ', '.join(r.value for r in Role)}) from None
    user = User(username=username, role=role.value, is_staff=role is Role.ADMINISTRATOR,
                is_superuser=role is Role.ADMINISTRATOR, **extra)
    user.set_password(password)
    user.save()
    if site_codes:
        user.sites.set(Site.objects.filter(code__in=site_codes))
    return user
