"""Demo accounts only in demo mode (issue 14, finding 2): outside demo mode the server's start-up checks refuse a
database whose demo accounts still open with their public passwords, and ``disable_demo_accounts`` (``mescams users
disable-demo``) deactivates them, audited."""

from __future__ import annotations

import pytest
from django.test import override_settings

from mescams.core.blinding import Role
from mescams.edc.accounts.services import create_user
from mescams.edc.audit.models import AuditEntry
from mescams.edc.demo.guard import DemoAccountsOutsideDemoMode, disable_demo_accounts
from mescams.edc.demo.loader import demo_password
from mescams.edc.wsgi import startup_checks


@pytest.fixture()
def demo_accounts(edc: str) -> list[object]:
    return [create_user(username="statistician", password=demo_password("statistician"),
                        role=Role.UNBLINDED_STATISTICIAN),
            create_user(username="admin", password=demo_password("admin"), role=Role.ADMINISTRATOR),
            create_user(username="lab", password="a password only the lab knows", role=Role.CELL_LAB)]


def test_the_server_refuses_demo_passwords_outside_demo_mode(demo_accounts) -> None:
    with override_settings(MESCAMS_DEMO=False), pytest.raises(DemoAccountsOutsideDemoMode) as refused:
        startup_checks()
    message = str(refused.value)
    assert refused.value.names == ["admin", "statistician"]  # lab's password was changed: not a demo log-in
    assert "mescams users disable-demo" in message and "MESCAMS_DEMO=1" in message


def test_demo_mode_serves_the_demo_accounts(demo_accounts) -> None:
    with override_settings(MESCAMS_DEMO=True):
        startup_checks()


def test_disabling_the_demo_accounts_is_audited_and_lets_the_server_start(demo_accounts) -> None:
    assert disable_demo_accounts() == ["admin", "statistician"]
    entries = AuditEntry.objects.filter(table="accounts_user", field="is_active")
    assert {(e.username, e.old, e.new) for e in entries} == {("cli", "true", "false")}
    assert all("demo" in e.reason for e in entries)
    with override_settings(MESCAMS_DEMO=False):
        startup_checks()
