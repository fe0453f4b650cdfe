"""Hostile input, full version: 10,000 schemathesis cases against the running server's OpenAPI, as every role.

The same harness as tests/e2e/reliability/test_hostile_input.py (which runs a few hundred): no 5xx, no response
breaking the schema, no allocation to a blinded role. ``MESCAMS_FUZZ_CASES`` overrides the count. Prints the
cases sent, the answers by status, and the rate (cases per second) against a 50-case baseline of the same run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.reliability.fuzz import fuzz, sessions
from tests.e2e.reliability.server import PASSWORD, ROLE_USERS, database_env, prepare, running


def main() -> None:
    cases = int(os.environ.get("MESCAMS_FUZZ_CASES", "10000"))
    env = database_env("sqlite", Path(tempfile.mkdtemp(prefix="mescams-fuzz-")))
    pids = prepare(env)
    with running(env, workers=2, threads=8) as server:
        role_sessions = sessions(server.base, ROLE_USERS, PASSWORD)
        started = time.perf_counter()
        baseline = fuzz(server.base, role_sessions, 50, participants=pids)
        base_rate = baseline.cases / (time.perf_counter() - started)
        started = time.perf_counter()
        report = fuzz(server.base, role_sessions, cases, participants=pids)
        rate = report.cases / (time.perf_counter() - started)
    print(f"fuzz: {report.line()}; {rate:.1f} cases/s (x{rate / base_rate:.2f} of the 50-case baseline)")
    for problem in (report.failures + report.leaks)[:20]:
        print("  ", problem)
    if report.server_errors or report.failures or report.leaks or baseline.server_errors or baseline.failures:
        sys.exit("bench_fuzz: 5xx, schema-breaking answers or allocation leaks")


if __name__ == "__main__":
    main()
