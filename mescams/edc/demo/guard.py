"""Demo accounts only in demo mode: a server outside demo mode refuses a database whose demo accounts still open
with their public passwords (``demo-<user>-2015``, printed by ``make run`` and the README).

Why refuse rather than warn: a demo database copied to a server, or a trial database once loaded with the demo,
would otherwise let anyone who read the README sign in as the unblinded statistician. ``mescams users
disable-demo`` deactivates those accounts through the audited administration service.
"""

from __future__ import annotations

from django.conf import settings

from mescams.edc.accounts.administration import set_active
from mescams.edc.accounts.models import User
from mescams.edc.audit.context import Actor
from mescams.edc.demo.loader import DEMO_USERS, demo_password
from mescams.errors import MescamsError

__all__ = ["DemoAccountsOutsideDemoMode", "demo_accounts_open", "disable_demo_accounts",
           "refuse_demo_accounts_outside_demo_mode"]

DISABLE_REASON = "demo account with its public demo password, outside demo mode"


class DemoAccountsOutsideDemoMode(MescamsError):
    """The database holds demo accounts that open with their public passwords, and demo mode is off."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"the database holds demo accounts that still open with their public demo passwords ({', '.join(names)}); "
            "outside demo mode the server does not start on them. Run `mescams users disable-demo` to deactivate "
            "them (audited), serve a database without the demo, or set MESCAMS_DEMO=1 for a demonstration")


def demo_accounts_open() -> list[str]:
    """Active demo accounts whose password is still their public demo password."""
    names = [name for name, _, _ in DEMO_USERS]
    return [u.username for u in User.objects.filter(username__in=names, is_active=True).order_by("username")
            if u.check_password(demo_password(u.username))]


def refuse_demo_accounts_outside_demo_mode() -> None:
    if settings.MESCAMS_DEMO:
        return
    names = demo_accounts_open()
    if names:
        raise DemoAccountsOutsideDemoMode(names)


def disable_demo_accounts() -> list[str]:
    """Deactivate every open demo account (audited as the command line); the names deactivated."""
    names = demo_accounts_open()
    for user in User.objects.filter(username__in=names):
        set_active(by=Actor.system("cli"), user=user, active=False, reason=DISABLE_REASON)
    return names
