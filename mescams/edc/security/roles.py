"""The one role check and the two refusals every EDC service raises: no such record (or not one you may see), and
not for your role.

Why here, under the apps: the participants' services (``mescams.edc.trial``), the accounts, the log-in throttle and
the access log all ask it, and :mod:`mescams.edc.trial.services` (which re-exports these names) is above them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.errors import MescamsError

__all__ = ["Forbidden", "NotFound", "require_role"]


class NotFound(MescamsError):
    """No such record, or not one this user may see (the same answer either way)."""


class Forbidden(MescamsError):
    """The user's role may not do this."""


def require_role(user: Any, *roles: Role) -> None:
    if Role(user.role) not in roles:
        raise Forbidden(gettext("the role %(role)s may not do this (allowed: %(roles)s)") % {
            "role": user.role, "roles": ', '.join(r.value for r in roles)})
