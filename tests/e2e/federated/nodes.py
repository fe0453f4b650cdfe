"""Federated nodes on loopback for the tests and the benchmark: each its own database and gunicorn server.

A node's database is migrated, holds a virtual trial from ``sim populate`` (its own seed and size), a coordinator
token and the unblinded statistician's approvals of ``gel_crossover`` and ``adverse_events``. Nodes are prepared in
parallel child processes (the virtual trials take most of the time), then served as by ``mescams serve``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mescams.protocols import default_protocol
from mescams.stats.analysis_data import read_analysis_data
from mescams.stats.datasets import period_totals
from tests.e2e.reliability.server import REPO, Server, database_env, run_cli

COORDINATOR = "mesems-coordinator"
STATISTICIAN_PASSWORD = "federated statistician 2015"  # noqa: S105 - a test account's password
SETUP = """
import json, sys
from mescams.edc.settings import configure
configure()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from mescams.edc.accounts.services import create_user
from mescams.edc.audit.context import Actor
from mescams.edc.demo.populate import populate
from mescams.edc.federation.services import approve, create_token
seed, participants, coordinator, password = json.loads(sys.argv[1])
populate(screen=-(-participants * 45 // 31), participants=participants, rate_ratio=0.6, seed=seed)
statistician = create_user(username="fed.statistician", password=password, role="unblinded_statistician")
token = create_token(name=coordinator, actor=Actor.system("test"))
for analysis in ("gel_crossover", "adverse_events"):
    approve(analysis=analysis, coordinator=coordinator, statistician=statistician,
            reason="MESEMS pooled analysis, approved by the steering committee")
print(json.dumps(token))
"""


@dataclass
class Node:
    env: dict[str, str]
    token: str
    server: Server

    @property
    def spec(self) -> str:
        return f"{self.server.base}={self.token}"

    def totals(self, workdir: Path) -> pd.DataFrame:
        """The node's period totals, as its own analysis would derive them (for the pooled R reference only)."""
        out = workdir / "export"
        done = run_cli(self.env, "export", "analysis-data", str(out))
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        protocol = default_protocol()
        return period_totals(read_analysis_data(out, protocol), protocol)


def prepare_nodes(workdir: Path, trials: list[tuple[int, int]]) -> list[tuple[dict[str, str], str]]:
    """Prepare one database per (seed, participants), in parallel; returns each node's environment and token."""
    jobs = []
    for k, (seed, participants) in enumerate(trials):
        folder = workdir / f"node{k + 1}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        env = database_env("sqlite", folder)
        args = json.dumps([seed, participants, COORDINATOR, STATISTICIAN_PASSWORD])
        jobs.append((env, subprocess.Popen([sys.executable, "-c", SETUP, args], env=env, cwd=REPO,  # noqa: S603
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    prepared = []
    for env, job in jobs:
        stdout, stderr = job.communicate(timeout=1800)
        if job.returncode != 0:
            raise RuntimeError(f"node setup failed: {stderr[-3000:]}")
        prepared.append((env, json.loads(stdout.strip().splitlines()[-1])))
    return prepared


@contextlib.contextmanager
def running_nodes(workdir: Path, trials: list[tuple[int, int]]) -> Iterator[list[Node]]:
    """Prepared nodes, each served by its own gunicorn (one worker, four threads) on 127.0.0.1."""
    nodes = [Node(env, token, Server(env, workers=1, threads=4)) for env, token in prepare_nodes(workdir, trials)]
    try:
        for node in nodes:
            node.server.start()
        yield nodes
    finally:
        for node in nodes:
            node.server.stop()
