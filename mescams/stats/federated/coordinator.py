"""The coordinator's analysis across nodes: the pooled fit, the two-stage alternative, pooled AE counts.

:func:`run_federated` returns the results JSON: ``gel_crossover`` with the contract's keys (and the pooled model's
extras: trial effects, log rate ratio and its SE, evaluations), ``gel_crossover_two_stage`` (each node's own fit
and their REML random-effects meta-analysis), and ``adverse_events`` (counts by treatment summed over nodes; a count
a node withheld leaves the sum ``None`` and is listed under ``withheld``). Nodes are asked in parallel, a thread
each (the time is spent waiting for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from math import erfc, sqrt
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from mescams.errors import MescamsError
from mescams.stats.federated.disclosure import AE_KEYS, MAX_EVALUATIONS, check_nodes
from mescams.stats.federated.meta import reml_meta_analysis
from mescams.stats.federated.parts import NodePart
from mescams.stats.federated.pooled import fit_pooled

__all__ = ["FederatedNode", "run_federated"]

Z95 = 1.959963984540054
MODEL = ("gel_total ~ treatment + period + trial + offset(log(n_scans)) + (1 | participant), NB2 by Laplace "
         "maximum likelihood; trial 1 is the first node")


class FederatedNode(Protocol):
    url: str

    def post(self, path: str, body: dict[str, Any]) -> Any: ...

    def evaluate(self, z: NDArray[np.float64], nodes: int) -> NodePart: ...


def _effect(estimate: float, se: float) -> dict[str, float]:
    return {"rate_ratio": float(np.exp(estimate)), "ci_low": float(np.exp(estimate - Z95 * se)),
            "ci_high": float(np.exp(estimate + Z95 * se)), "p_value": erfc(abs(estimate / se) / sqrt(2.0)),
            "log_rate_ratio": float(estimate), "se": float(se)}


def pooled_crossover(pool: ThreadPoolExecutor, nodes: Sequence[FederatedNode]) -> dict[str, Any]:
    """The pooled fit (trial as a fixed effect) by Newton steps on the nodes' summed parts."""
    k = len(nodes)
    summaries = list(pool.map(lambda n: n.post("/gel_crossover/summary", {"nodes": k}), nodes))
    gel, scans = [s["gel_total"] for s in summaries], [s["scans"] for s in summaries]
    known = None not in gel and None not in scans and sum(gel) > 0
    rate = float(np.log(sum(gel) / sum(scans))) if known else -1.0

    def evaluate_nodes(zs: list[NDArray[np.float64]]) -> list[NodePart]:
        return list(pool.map(lambda pair: pair[0].evaluate(pair[1], k), zip(nodes, zs, strict=True)))

    # of each node's approval, one request goes to the summary and one to the local fit: the rest is Newton's
    fit = fit_pooled(evaluate_nodes, k, rate, max_evaluations=MAX_EVALUATIONS - 2)
    out: dict[str, Any] = {"rate_ratio": None, "ci_low": None, "ci_high": None, "p_value": None, "theta": None,
                           "random_intercept_sd": None,
                           "n_participants": sum(s["n_participants"] for s in summaries),
                           "n_periods": sum(s["n_observations"] for s in summaries),
                           "converged": fit.converged, "message": fit.message, "evaluations": fit.evaluations,
                           "n_nodes": k, "model": MODEL}
    estimate, se = fit.estimate("treatment")
    if fit.converged and se is not None:
        out.update(_effect(estimate, se), theta=float(np.exp(fit.z[-2])),
                   random_intercept_sd=float(np.exp(fit.z[-1])), loglik=fit.loglik,
                   trial_effects={t: float(v) for t, v in zip(fit.terms, fit.z, strict=True) if t.startswith("trial")})
    return out


def two_stage(pool: ThreadPoolExecutor, nodes: Sequence[FederatedNode]) -> dict[str, Any]:
    """Each node's own fit, then their REML random-effects meta-analysis (nodes whose fit failed are left out)."""
    fits = list(pool.map(lambda n: n.post("/gel_crossover/local-fit", {"nodes": len(nodes)}), nodes))
    per_node = [{"node": n.url, **f} for n, f in zip(nodes, fits, strict=True)]
    usable = [f for f in fits if f.get("converged")]
    out: dict[str, Any] = {"per_node": per_node, "method": "REML random-effects meta-analysis of per-node fits"}
    if len(usable) < 2:  # noqa: PLR2004
        out["meta_analysis"] = None
        out["message"] = f"{len(usable)} node fit(s) converged; a meta-analysis needs 2"
        return out
    meta = reml_meta_analysis([f["log_rate_ratio"] for f in usable], [f["se"] ** 2 for f in usable])
    out["meta_analysis"] = meta.to_dict()
    return out


def pooled_adverse_events(pool: ThreadPoolExecutor, nodes: Sequence[FederatedNode]) -> dict[str, Any]:
    """Counts by treatment summed over nodes; a withheld count (1 or 2 at a node) leaves its sum ``None``."""
    answers = list(pool.map(lambda n: n.post("/adverse_events/counts", {"nodes": len(nodes)}), nodes))
    out: dict[str, Any] = {}
    withheld: list[str] = []
    for treatment in answers[0]:
        block: dict[str, int | None] = {}
        for key in AE_KEYS:
            values = [a[treatment][key] for a in answers]
            block[key] = None if None in values else int(sum(values))
            withheld += [f"{treatment}.{key} at {n.url}" for n, v in zip(nodes, values, strict=True) if v is None]
        out[treatment] = block
    out["withheld"] = withheld
    return out


def run_federated(nodes: Sequence[FederatedNode], *, adverse_events: bool = True) -> dict[str, Any]:
    """The whole federated analysis (module docstring); refusals raise, naming the node and the rule."""
    check_nodes(len(nodes))
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        results: dict[str, Any] = {"gel_crossover": pooled_crossover(pool, nodes),
                                   "gel_crossover_two_stage": two_stage(pool, nodes),
                                   "nodes": [n.url for n in nodes]}
        if adverse_events:
            try:
                results["adverse_events"] = pooled_adverse_events(pool, nodes)
            except MescamsError as exc:  # not approved at some node: the efficacy results stand
                results["adverse_events"] = {"refused": str(exc)}
    return results
