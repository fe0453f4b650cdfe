"""Two real server processes on one database enforce one log-in rate limit per address, on SQLite and PostgreSQL.

With a count kept in each process's memory, two servers would let an address try ``2 x limit`` times per window.
Here a concurrent burst against both servers gets exactly ``limit`` answers past the limiter; in the next window
the count starts again, and attempts alternating between the servers are refused after the ``limit``-th. The
failed log-in delays (:mod:`mescams.edc.security.throttle`, tested on their own) are set out of reach.
"""

from __future__ import annotations

import contextlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any

import pytest

from mescams.edc.testing import postgres_available
from tests.conftest import require
from tests.e2e.reliability.server import PG_BASE, database_env, prepare, running

LIMIT, WINDOW = 6, 8  # MESCAMS_LOGIN_RATE=6/8: 6 attempts per address per 8-second window
BURST = 16


def _client(base: str) -> Any:
    """An httpx client holding a CSRF token, so an attempt the limiter lets through gets the 401 of a wrong
    password (and not a CSRF refusal)."""
    import httpx

    http = httpx.Client(base_url=base, timeout=60)
    token = http.get("/api/auth/csrf").json()["csrf_token"]
    http.headers.update({"X-CSRFToken": token, "Referer": base})
    return http


def _attempt(http: Any) -> tuple[int, str | None]:
    r = http.post("/api/auth/login", json={"username": "nobody", "password": "wrong password"})
    return r.status_code, r.headers.get("Retry-After")


def _wait_for_a_new_window() -> None:
    time.sleep(WINDOW - time.time() % WINDOW + 0.05)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_servers_share_one_login_rate_limit(engine: str, tmp_path: Path) -> None:
    if engine == "postgresql":
        require(postgres_available(), "PostgreSQL at 127.0.0.1:5432 is not reachable")
    name = f"mescams_ratelimit_{os.getpid()}"
    env = database_env(engine, tmp_path, name=name)
    env["MESCAMS_LOGIN_RATE"] = f"{LIMIT}/{WINDOW}"
    # the growing delays after failed log-ins (per name and address) would refuse the wrong passwords sent here
    # from the sixth on; this test is about the rate limit in front of them, so they are kept out of its way
    env["MESCAMS_LOGIN_FREE_FAILURES"] = "1000"
    prepare(env, per_site=0)
    try:
        with running(env, workers=1, threads=4) as a, running(env, workers=1, threads=4) as b:
            clients = [_client(server.base) for server in (a, b) for _ in range(BURST // 2)]
            start = Barrier(BURST)

            def burst(http: Any) -> int:
                start.wait()
                return _attempt(http)[0]

            _wait_for_a_new_window()
            with ThreadPoolExecutor(BURST) as pool:
                statuses = list(pool.map(burst, clients))
            assert sorted(statuses) == [401] * LIMIT + [429] * (BURST - LIMIT), statuses

            _wait_for_a_new_window()  # a new window: the count starts again
            one, other = clients[0], clients[-1]
            alternating = [_attempt(http)[0] for http in (one, other) * (LIMIT // 2)]
            assert alternating == [401] * LIMIT
            for http in (one, other):
                status, retry = _attempt(http)
                assert status == 429 and retry is not None and 1 <= int(retry) <= WINDOW
            for http in clients:
                http.close()
    finally:
        if engine == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn, contextlib.suppress(Exception):
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
