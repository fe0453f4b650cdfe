"""The log-in rate limit is one count per address in the database, whichever client or process sees the attempt.

Run on SQLite and on PostgreSQL (the ``users`` fixture). That two real server processes share the count is shown
end to end in ``tests/e2e/reliability/test_login_rate_shared.py``; here two clients, the store itself, the window
arithmetic, the pruning of old windows and the atomic count under concurrent connections.
"""

from __future__ import annotations

import threading

import pytest
from django.test import Client, override_settings

from mescams.edc.security.models import LoginAttemptWindow
from mescams.edc.security.ratelimit import attempts_in_window, count_attempt
from tests.conftest import require
from tests.integration.edc.conftest import ALIASES, HAS_PG

LOGIN = "/api/auth/login"
HERE = "127.0.0.1"  # the test client's REMOTE_ADDR


def _login(client: Client, username: str) -> int:
    body = {"username": username, "password": "not the password"}
    return client.post(LOGIN, body, content_type="application/json").status_code


def test_two_clients_from_one_address_share_one_count_in_the_database(users) -> None:
    first, second = Client(), Client()
    with override_settings(MESCAMS_LOGIN_RATE=(4, 60)):
        assert [_login(c, "nobody") for c in (first, second, first, second)] == [401] * 4
        assert attempts_in_window(HERE, seconds=60) == 4  # the store, not a process's memory, holds the count
        assert _login(second, "nobody") == 429
        assert first.post("/accounts/login/", {"username": "coord", "password": "x"}).status_code == 429
        assert attempts_in_window(HERE, seconds=60) == 6  # refused attempts count too
    assert LoginAttemptWindow.objects.count() == 1


def test_an_attempt_counted_elsewhere_limits_this_client(users) -> None:
    """As if another worker had already seen 3 attempts: this process's next attempt is refused."""
    for _ in range(3):
        count_attempt(HERE, seconds=60)
    with override_settings(MESCAMS_LOGIN_RATE=(3, 60)):
        limited = Client().post(LOGIN, {"username": "coord", "password": "x"}, content_type="application/json")
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_windows_are_fixed_and_a_new_one_starts_from_zero_and_prunes_the_old(users) -> None:
    t = 1_700_000_000.0  # 2023-11-14T22:13:20Z, 20 s into a 60 s window (1_699_999_980 is a multiple of 60)
    assert [count_attempt("10.0.0.1", seconds=60, now=t + i).count for i in range(3)] == [1, 2, 3]
    assert count_attempt("10.0.0.1", seconds=60, now=t).retry_after == 40
    assert count_attempt("10.0.0.1", seconds=60, now=t + 39.5).retry_after == 1
    assert count_attempt("10.0.0.2", seconds=60, now=t).count == 1  # another address: its own count
    assert attempts_in_window("10.0.0.1", seconds=60, now=t) == 5
    nxt = t + 40  # the next window: counts start again, and the rows of the expired window are deleted
    first = count_attempt("10.0.0.1", seconds=60, now=nxt)
    assert (first.count, first.retry_after) == (1, 60)
    assert list(LoginAttemptWindow.objects.values_list("address", "window_start", "count")) == [
        ("10.0.0.1", 1_700_000_040, 1)]
    assert attempts_in_window("10.0.0.2", seconds=60, now=nxt) == 0


@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_concurrent_connections_never_read_the_same_count() -> None:
    """Eight threads, each on its own PostgreSQL connection, count 25 attempts each at once: every count from 1 to
    200 is handed out exactly once (a read-then-write counter would hand some out twice).

    PostgreSQL only: the SQLite test database is a shared in-memory one, where concurrent writers get "table is
    locked" at once instead of waiting; on the real SQLite file (WAL, busy timeout) two server processes share the
    count in ``tests/e2e/reliability/test_login_rate_shared.py``."""
    from mescams.edc.testing import thread_connection

    require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable")
    alias = "postgres"

    counts: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            with thread_connection(alias):
                start.wait()
                counts.extend(count_attempt("10.9.9.9", seconds=3600, now=1_800_000_000).count for _ in range(25))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(counts) == list(range(1, 201))
