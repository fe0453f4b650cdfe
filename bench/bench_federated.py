"""Federated fit across 9 nodes on loopback, 144 participants: the whole analysis in under 5 s (target).

Nine nodes, each its own gunicorn server and SQLite database with a ``sim populate`` trial (12 to 20
participants, 144 in all), a token and approvals, are prepared first (minutes: the virtual trials are entered
through the EDC's services); only the analysis is timed. Three figures:

- ``cold``: ``run_federated`` in this process against nodes that have not yet built their analysis data
  (each node exports and derives its data on the first request);
- ``warm``: the same again (the nodes keep their data until trial data change);
- ``cli``: ``mescams federated analyze`` as a user runs it, interpreter start and imports included.

Each is the pooled fit (Newton steps, one round trip to every node per step), the two-stage fits and the AE
counts; the target applies to each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 5.0
NINE = [(21, 12), (22, 14), (23, 16), (24, 18), (25, 16), (26, 14), (27, 18), (28, 20), (29, 16)]


def main() -> None:
    from mescams.stats.federated.client import HttpNode
    from mescams.stats.federated.coordinator import run_federated
    from tests.e2e.federated.nodes import running_nodes
    from tests.e2e.reliability.server import REPO

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with running_nodes(Path(tmp), NINE) as nodes:
            print(f"prepared 9 nodes in {time.perf_counter() - started:.0f} s (not timed)")
            figures = {}
            for label in ("cold", "warm"):
                clients = [HttpNode(n.server.base, n.token) for n in nodes]
                start = time.perf_counter()
                results = run_federated(clients)
                figures[label] = time.perf_counter() - start
                for c in clients:
                    c.close()
            out = Path(tmp) / "federated.json"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "mescams.cli", "federated", "analyze",  # noqa: S603
                                   *[a for n in nodes for a in ("--node", n.spec)], "--json", str(out)],
                                  cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
            figures["cli"] = time.perf_counter() - start
            if done.returncode != 0:
                print(f"cli failed: {done.stderr[-1000:]}")
    fit = results["gel_crossover"]
    print(f"pooled fit: {fit['n_participants']} participants, {fit['n_nodes']} nodes, {fit['evaluations']} "
          f"evaluations, rate ratio {fit['rate_ratio']:.4f} ({fit['message']})")
    for label, seconds in figures.items():
        print(f"{label:>5}: {seconds:.2f} s ({seconds / TARGET_S:.2f} of the {TARGET_S:.0f} s target)"
              f"{'' if seconds < TARGET_S else '  OVER TARGET'}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))
