"""Log-in throttling (finding 3 of issue 14): the same answers for unknown and real user names, growing delays per
account at one address and per address instead of a lock anyone could trigger, and an audited administrator's
release; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from mescams.edc.accounts.services import BadCredentials, reauthenticate
from mescams.edc.audit.models import AuditEntry
from mescams.edc.security.models import LoginThrottle
from mescams.edc.security.throttle import delay_seconds, release
from mescams.edc.trial.services import Forbidden
from tests.factories.edc import PASSWORD

LOGIN = "/api/auth/login"


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, content_type="application/json")


def _answer(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body.get("error", ""), response.get("Retry-After", "")


def _wait_over() -> None:
    """As if every delay had run out (the counts stay)."""
    LoginThrottle.objects.update(blocked_until=0)


def test_the_delay_doubles_after_the_free_failures_up_to_the_cap() -> None:
    assert [delay_seconds(n, 5, 900) for n in range(1, 12)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32]
    assert delay_seconds(40, 5, 900) == 900 and delay_seconds(10**6, 5, 900) == 900


def test_a_real_user_name_and_an_invented_one_get_the_same_answers(users) -> None:
    """Before: the 6th failure gave 403 account_locked for a real user, 401 forever for an invented one."""
    answers = {}
    for name in ("inv", "no-such-user"):
        c = Client(REMOTE_ADDR=f"10.1.0.{len(answers) + 1}")
        seen = []
        for _ in range(8):
            seen.append(_answer(_login(c, name, "wrong password")))
            _wait_over() if len(seen) == 7 else None
        answers[name] = seen
    assert answers["inv"] == answers["no-such-user"]
    assert all(code in (401, 429) for code, _, _ in answers["inv"])
    assert "account_locked" not in str(answers)
    assert (429, "throttled", "1") in answers["inv"]  # the 7th attempt waits 1 s after the 6th failure


def test_real_and_invented_names_cost_the_same_database_work(users) -> None:
    """A proxy for equal timing: the same number of queries for either name (the hasher runs for both)."""
    counts = {}
    for name in ("coord", "nobody-at-all"):
        with CaptureQueriesContext(connection) as queries:
            _login(Client(REMOTE_ADDR="10.2.0.1" if name == "coord" else "10.2.0.2"), name, "wrong password")
        counts[name] = len(queries)
    assert counts["coord"] == counts["nobody-at-all"]


def test_nobody_can_lock_the_investigator_out(users) -> None:
    """An attacker elsewhere failing 30 times on the investigator's name slows only their own attempts: the
    investigator logs in from their own address, and re-authenticates for e-signature or emergency unblinding."""
    attacker = Client(REMOTE_ADDR="10.6.6.6")
    with override_settings(MESCAMS_LOGIN_RATE=(1000, 60)):  # past the per-minute cap: the delays alone
        for _ in range(30):
            _login(attacker, "inv", "guess")
            _wait_over()
        assert _login(attacker, "inv", "guess").status_code == 401
        assert _answer(_login(attacker, "inv", PASSWORD))[:2] == (429, "throttled")  # even the right one waits
    investigator = Client(REMOTE_ADDR="10.0.0.20")
    assert _login(investigator, "inv", PASSWORD).status_code == 200
    reauthenticate(users["inv"], PASSWORD)  # e-signature and unblinding: no lock in the way
    with pytest.raises(BadCredentials):
        reauthenticate(users["inv"], "wrong")


def test_delays_grow_per_address_across_accounts(users) -> None:
    """Spraying one password over many names from one address: after 4 x 5 free failures, the next failure makes
    the address wait, whatever name it tries next."""
    c = Client(REMOTE_ADDR="10.3.0.1")
    answers = [_login(c, f"user{i}", "Winter2016!").status_code for i in range(22)]
    assert answers[:21] == [401] * 21 and answers[21] == 429
    assert _login(Client(REMOTE_ADDR="10.3.0.2"), "coord", PASSWORD).status_code == 200


def test_a_right_password_clears_the_account_key_at_that_address(users) -> None:
    c = Client(REMOTE_ADDR="10.4.0.1")
    for _ in range(4):
        _login(c, "coord", "wrong")
    assert _login(c, "coord", PASSWORD).status_code == 200
    assert not LoginThrottle.objects.filter(key__startswith="account:").exists()
    assert LoginThrottle.objects.get(key="address:10.4.0.1").failures == 4  # the address's count stays


def test_an_administrator_releases_an_account_audited_and_nobody_else_may(users) -> None:
    attacker = Client(REMOTE_ADDR="10.6.6.7")
    for _ in range(6):
        _login(attacker, "dm", "guess")
    assert _login(attacker, "dm", PASSWORD).status_code == 429
    with pytest.raises(Forbidden):
        release(user=users["coord"], username="dm", reason="let me in")
    assert release(user=users["admin"], username="dm", reason="ticket 42: user locked out after a typo") == 1
    assert _login(attacker, "dm", PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(table="security_loginthrottle", record_id="dm")
    assert (entry.username, entry.reason, entry.new) == ("admin", "ticket 42: user locked out after a typo",
                                                        "cleared")
