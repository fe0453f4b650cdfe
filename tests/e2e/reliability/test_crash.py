"""Crash safety, short version of bench/crash.py: 3 SIGKILLs of the server under 20 writing clients, per database.

Every write that got a 2xx answer must be in the database with its audit entry, and ``mescams audit verify`` must
pass (no half-written record, chain intact).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash import run
from mescams.edc.testing import postgres_available
from tests.conftest import require


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_acknowledged_writes_survive_sigkill(engine: str, tmp_path: Path) -> None:
    if engine == "postgresql":
        require(postgres_available(), "PostgreSQL at 127.0.0.1:5432 is not reachable")
    report = run(engine, kills=3, clients=20, workdir=tmp_path, max_gap=1.0, participants_per_site=2)
    print(report.line())
    assert report.kills == 3
    assert report.acknowledged >= 5  # the clients did write between the kills
    assert not report.lost, report.lost[:5]
    assert not report.unaudited, report.unaudited[:5]
    assert not report.refused, report.refused[:5]
    assert report.verify.startswith("audit trail intact"), report.verify
