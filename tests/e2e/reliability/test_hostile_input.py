"""Schemathesis against the running server's /api/openapi.json, as every role: no 5xx, no answer that breaks the
schema, no allocation to a blinded role; then deep and huge bodies on every operation: no 5xx.

The count is ``MESCAMS_FUZZ_CASES`` (default 1,000, the issue's short version: about 10 s at the full run's 105
cases/s; ``bench/bench_fuzz.py`` runs 10,000).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require
from tests.e2e.reliability.fuzz import fuzz, hostile_bodies, sessions
from tests.e2e.reliability.server import PASSWORD, ROLE_USERS, database_env, prepare, running


@pytest.mark.parametrize("engine", ["sqlite"])
def test_fuzzing_the_api_as_every_role(engine: str, tmp_path: Path) -> None:
    require(bool(__import__("shutil").which("gunicorn") or Path(".venv/bin/gunicorn").exists()), "gunicorn")
    cases = int(os.environ.get("MESCAMS_FUZZ_CASES", "1000"))
    env = database_env(engine, tmp_path)
    pids = prepare(env)
    with running(env, workers=2, threads=4) as server:
        logged_in = sessions(server.base, ROLE_USERS, PASSWORD)
        report = fuzz(server.base, logged_in, cases, participants=pids)
        hostile = hostile_bodies(server.base, logged_in)
    print(hostile.line())
    assert hostile.server_errors == 0, hostile.failures[:10]
    print(report.line())
    assert report.cases >= cases * 0.6
    assert report.server_errors == 0, report.failures[:10]
    assert not report.failures, report.failures[:10]
    assert not report.leaks, report.leaks[:10]
    assert report.statuses.get(200, 0) + report.statuses.get(201, 0) > 0  # the fuzz reached real handlers
