"""Federated analysis across nodes on loopback, each node its own gunicorn server and SQLite database holding a
virtual trial from ``sim populate``: the pooled fit equals glmmTMB's on the pooled data (log rate ratio within
1e-6, its SE within 1e-4), and the nodes refuse what the rules forbid, saying which rule."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from mescams.stats.federated.client import HttpNode, NodeRefused
from mescams.stats.federated.coordinator import run_federated
from mescams.stats.federated.disclosure import DisclosureRefused
from tests.conftest import require
from tests.e2e.federated.nodes import STATISTICIAN_PASSWORD, Node, running_nodes
from tests.e2e.federated.r_reference import glmmtmb_pooled, r_available
from tests.e2e.reliability.server import REPO, run_cli

THREE = [(11, 10), (12, 12), (13, 14)]
# nine small trials (99 participants; the benchmark enters 144): as many nodes as MESEMS, in less time; each large
# enough for the disclosure rules (a node with 8 had 14 analysable periods, too few for 5 parameters)
NINE = [(21, 10), (22, 11), (23, 12), (24, 10), (25, 11), (26, 12), (27, 10), (28, 11), (29, 12)]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Node]]:
    with running_nodes(tmp_path_factory.mktemp("federated3"), THREE) as nodes:
        yield nodes


def _pooled(nodes: list[Node], workdir: Path) -> pd.DataFrame:
    frames = []
    for k, node in enumerate(nodes):
        totals = node.totals(workdir / f"totals{k + 1}")
        # participant IDs are per trial (every trial has an OTT-001): the pooled data need the trial in them
        totals = totals.assign(trial=k + 1, participant_id=[f"{k + 1}:{p}" for p in totals["participant_id"]])
        frames.append(totals[["participant_id", "trial", "period", "treatment", "n_scans",
                                                   "gel_total"]])
    return pd.concat(frames, ignore_index=True)


def _analyze(nodes: list[Node], out: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "mescams.cli", "federated", "analyze",  # noqa: S603
                           *[arg for n in nodes for arg in ("--node", n.spec)], "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _check_against_glmmtmb(nodes: list[Node], tmp_path: Path) -> dict:
    results = _analyze(nodes, tmp_path / "federated.json")
    fit = results["gel_crossover"]
    assert fit["converged"], fit["message"]
    pooled = _pooled(nodes, tmp_path)
    assert (fit["n_participants"], fit["n_periods"]) == (pooled["participant_id"].nunique(), len(pooled))
    reference = glmmtmb_pooled(pooled, tmp_path)
    assert reference["gradient"] < 1e-8
    assert fit["log_rate_ratio"] == pytest.approx(reference["estimate"], abs=1e-6)
    assert fit["se"] == pytest.approx(reference["se"], abs=1e-4)
    for key in ("rate_ratio", "ci_low", "ci_high", "p_value", "theta", "random_intercept_sd", "n_participants",
                "n_periods"):  # the contract's keys of gel_crossover
        assert fit[key] is not None, key
    return results


@pytest.mark.r
def test_three_nodes_reproduce_glmmtmb_on_the_pooled_data(three: list[Node], tmp_path: Path) -> None:
    require(r_available(), "Rscript with glmmTMB not installed")
    results = _check_against_glmmtmb(three, tmp_path)
    meta = results["gel_crossover_two_stage"]["meta_analysis"]
    assert meta is not None and meta["n_trials"] >= 2
    events = results["adverse_events"]
    assert set(events) >= {"MSC", "PLACEBO", "PRE_TREATMENT", "withheld"}
    assert all(v is None or v >= 3 or v == 0 for t in ("MSC", "PLACEBO") for v in events[t].values())


@pytest.mark.r
@pytest.mark.heavy_sim
def test_nine_nodes_reproduce_glmmtmb_on_the_pooled_data(tmp_path: Path) -> None:
    require(r_available(), "Rscript with glmmTMB not installed")
    with running_nodes(tmp_path / "nodes", NINE) as nodes:
        results = _check_against_glmmtmb(nodes, tmp_path)
    assert results["gel_crossover"]["n_nodes"] == 9


def test_two_nodes_are_refused_by_the_coordinator_and_by_the_node(three: list[Node]) -> None:
    clients = [HttpNode(n.server.base, n.token) for n in three[:2]]
    with pytest.raises(DisclosureRefused, match="MIN_NODES"):
        run_federated(clients)
    with pytest.raises(NodeRefused, match="MIN_NODES"):  # a coordinator that lies about nothing but the count
        clients[0].post("/gel_crossover/summary", {"nodes": 2})


def test_a_bad_token_gets_nothing(three: list[Node]) -> None:
    base = three[0].server.base
    for token in ("nope", "mfed_0000_nope", three[0].token + "x", three[1].token):
        answer = httpx.post(f"{base}/api/federated/gel_crossover/summary", json={"nodes": 3},
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token
        assert "n_participants" not in answer.text


def test_cli_token_and_approval_budget_and_audit(three: list[Node]) -> None:
    """A second coordinator: its token printed once by the CLI, no answer before the statistician's approval, an
    approval of 2 requests allows 2, the third is refused by MAX_EVALUATIONS; each request is in the audit chain."""
    node = three[0]
    created = run_cli(node.env, "federated", "token", "create", "second-centre")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("mfed_")
    client = HttpNode(node.server.base, token)
    with pytest.raises(NodeRefused, match="not approved"):
        client.post("/gel_crossover/summary", {"nodes": 3})
    refused = run_cli({**node.env, "MESCAMS_STATISTICIAN_PASSWORD": "wrong"}, "federated", "approve",
                      "gel_crossover", "--coordinator", "second-centre", "--statistician", "fed.statistician",
                      "--reason", "test", "--max-evaluations", "2")
    assert refused.returncode != 0
    approved = run_cli({**node.env, "MESCAMS_STATISTICIAN_PASSWORD": STATISTICIAN_PASSWORD}, "federated",
                       "approve", "gel_crossover", "--coordinator", "second-centre", "--statistician",
                       "fed.statistician", "--reason", "second centre's sensitivity analysis",
                       "--max-evaluations", "2")
    assert approved.returncode == 0, approved.stderr
    assert client.post("/gel_crossover/summary", {"nodes": 3})["n_participants"] >= 6
    client.evaluate(pd.Series([-1.0, -0.5, 0.0, 1.0, 0.0]).to_numpy(), 3)
    with pytest.raises(NodeRefused, match="MAX_EVALUATIONS"):
        client.evaluate(pd.Series([-1.0, -0.5, 0.0, 1.0, 0.0]).to_numpy(), 3)
    with pytest.raises(NodeRefused, match="not approved"):
        client.post("/adverse_events/counts", {"nodes": 3})
    database = Path(node.env["MESCAMS_DATA_DIR"]) / "mescams.sqlite3"
    with sqlite3.connect(database) as db:
        requests = db.execute("select reason from audit_auditentry where username = ? and field = ?",
                              ("coordinator:second-centre", "evaluations_used")).fetchall()
        approval = db.execute('select reason from audit_auditentry where username = ? and "table" = ?',
                              ("fed.statistician", "federation_approval")).fetchall()
    assert [r[0].split(" ")[2] for r in requests] == ["summary", "evaluate"]
    assert ("second centre's sensitivity analysis",) in approval
    verified = run_cli(node.env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
