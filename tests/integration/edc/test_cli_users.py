"""``mescams users create`` on a real SQLite file (issue 14, findings 10, 6 and 2): weak passwords, unknown sites,
duplicate and hostile names get a clear error naming the field (exit 2, no traceback); the account is audited;
``mescams serve`` refuses demo accounts with their public passwords outside demo mode until ``users disable-demo``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

STRONG = "violet harbour lantern 58"
MAKE_DEMO_ACCOUNT = """
from mescams.edc.settings import configure
configure()
from mescams.edc.accounts.services import create_user
from mescams.edc.demo.loader import demo_password
create_user(username="statistician", password=demo_password("statistician"), role="unblinded_statistician")
"""


def run(env: dict[str, str], *args: str, password: str = STRONG) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mescams.cli", *args], env={**env, "MESCAMS_NEW_PASSWORD": password},
                          cwd=REPO, text=True, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESCAMS_")}
    env.update(MESCAMS_DATA_DIR=str(tmp_path_factory.mktemp("users-cli")), MESCAMS_SECRET_KEY="k" * 50,
               PYTHONPATH=str(REPO))
    assert run(env, "migrate").returncode == 0
    return env


def _refused(result: subprocess.CompletedProcess[str], field: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {field}:"), result.stderr
    assert "Traceback" not in result.stderr


def test_weak_passwords_are_refused(server_env) -> None:
    for name, password in [("jsmith.ottawa", "jsmith.ottawa"),  # the user name itself (long enough otherwise)
                           ("jsmith.ottawa", "jsmith2015!"),  # too like the user name
                           ("jsmith.ottawa", "password123"),  # a common password
                           ("jsmith.ottawa", "k7#Qp2")]:  # too short
        _refused(run(server_env, "users", "create", name, "--role", "data_manager", "--reason", "new DM",
                     password=password), "password")


def test_unknown_sites_are_refused(server_env) -> None:
    _refused(run(server_env, "users", "create", "coordx", "--role", "site_coordinator", "--sites", "OTT,XYZ",
                 "--reason", "new"), "sites")
    _refused(run(server_env, "users", "create", "coordy", "--role", "site_coordinator", "--reason", "new"), "sites")


def test_hostile_names_are_refused(server_env) -> None:
    _refused(run(server_env, "users", "create", "st$(touch${IFS}/tmp/x)", "--role", "data_manager",
                 "--reason", "x"), "username")
    _refused(run(server_env, "users", "create", "a/b", "--role", "data_manager", "--reason", "x"), "username")


def test_a_created_user_is_audited_and_a_duplicate_refused(server_env) -> None:
    made = run(server_env, "users", "create", "dm.ottawa", "--role", "data_manager", "--reason", "new data manager")
    assert made.returncode == 0, made.stderr
    assert "created dm.ottawa" in made.stdout and "changed at the first log-in" in made.stdout
    _refused(run(server_env, "users", "create", "dm.ottawa", "--role", "data_manager", "--reason", "again"),
             "username")
    _refused(run(server_env, "users", "create", "DM.Ottawa", "--role", "data_manager", "--reason", "again"),
             "username")
    assert run(server_env, "audit", "verify").returncode == 0


def test_an_unblinded_role_from_the_command_line_awaits_approval(server_env) -> None:
    made = run(server_env, "users", "create", "lab.tech", "--role", "cell_lab", "--reason", "new technician")
    assert made.returncode == 0, made.stderr
    assert "stays inactive until an administrator approves request" in made.stdout
    reset = run(server_env, "users", "set-password", "lab.tech", "--reason", "typo in the first one")
    assert reset.returncode == 0 and "must be changed" in reset.stdout, reset.stderr
    _refused(run(server_env, "users", "set-password", "nobody", "--reason", "x"), "username")


def test_serve_refuses_demo_accounts_outside_demo_mode(server_env) -> None:
    made = subprocess.run([sys.executable, "-c", MAKE_DEMO_ACCOUNT], env=server_env, cwd=REPO, text=True,
                          capture_output=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    try:
        refused = run(server_env, "serve", "--port", "1")  # a port nobody can bind: it must stop before that
    except subprocess.TimeoutExpired:  # pragma: no cover - the server started
        pytest.fail("mescams serve started on demo accounts outside demo mode")
    assert refused.returncode == 2 and "statistician" in refused.stderr
    assert "mescams users disable-demo" in refused.stderr and "Traceback" not in refused.stderr
    disabled = run(server_env, "users", "disable-demo")
    assert disabled.returncode == 0 and "deactivated: statistician" in disabled.stdout
    assert run(server_env, "audit", "verify").returncode == 0

