"""No shell (issue 14, finding 6): one user-name rule everywhere, and the report job started with an argument list
in a folder named from ids, so a user name is never run as a command nor makes folders."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client, override_settings

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.accounts.services import create_user
from mescams.edc.accounts.usernames import check_username
from mescams.errors import InputValidationError
from tests.factories.edc import PASSWORD

HOSTILE = ["st$(touch${IFS}/tmp/x)", "a/b", "../admin", "a b", "-rf", ".hidden", "x;id", "x`id`", "x\n", "é", ""]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_user_names_are_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InputValidationError) as refused:
        check_username(name)
    assert refused.value.field == "username"


@pytest.mark.parametrize("name", ["coordinator.wpg", "j.doe@toh.ca", "sim.coordinator.ott", "coord_wpg", "A-1"])
def test_ordinary_user_names_pass(name: str) -> None:
    assert check_username(name) == name


def test_provisioning_applies_the_same_rule(edc: str) -> None:
    with pytest.raises(InputValidationError, match="username"):
        create_user(username="st$(id)", password=PASSWORD, role=Role.UNBLINDED_STATISTICIAN)
    assert not User.objects.filter(username="st$(id)").exists()


def test_a_report_never_runs_a_user_name_as_a_command(users, allocation, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    # an account left from before the rule (written directly, as an old database could hold it)
    legacy = User.objects.create(username=f"st$(touch${{IFS}}{marker})", role=Role.UNBLINDED_STATISTICIAN.value)
    client = Client(raise_request_exception=False)
    client.force_login(legacy)
    with override_settings(MESCAMS_DATA_DIR=str(tmp_path / "data")):
        assert client.post("/oversight/reports/new/").status_code == 302
    reports = tmp_path / "data" / "reports"
    (folder,) = list(reports.iterdir())
    assert folder.name.endswith(f"-u{legacy.pk}") and "$" not in folder.name
    assert (folder / "analysis-data").is_dir()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not marker.exists():
        time.sleep(0.2)
    assert not marker.exists()
