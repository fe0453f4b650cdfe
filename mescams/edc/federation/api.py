"""The federated endpoint (``/api/federated/...``): a coordinator's requests, answered with aggregates only.

Authentication is the coordinator's bearer token (never a user's session: no person, blinded or not, reads
anything here with a log-in). Each request needs the node's unblinded statistician's approval of that analysis for
that coordinator, spends one evaluation of it and is audited in the chain as the coordinator; the disclosure
rules (:mod:`mescams.stats.federated.disclosure`) are checked before anything leaves. Refusals are 403 with
``{"error": "not_approved" | "disclosure", "rule": ..., "detail": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from mescams.edc.federation.models import Coordinator
from mescams.edc.federation.node_data import node_analysis
from mescams.edc.federation.services import NotApproved, authenticate, coordinator_actor, spend
from mescams.stats.federated.disclosure import DisclosureRefused, check_nodes
from mescams.stats.federated.pooled import LOCAL_TERMS

__all__ = ["router"]

LOCAL_FIT_EVALUATIONS = 40


class CoordinatorToken(HttpBearer):
    def authenticate(self, request: Any, token: str) -> Coordinator | None:
        return authenticate(token)


class RequestIn(Schema):
    nodes: int


class EvaluateIn(Schema):
    nodes: int
    parameters: list[float]


class Refusal(Schema):
    error: str
    rule: str | None = None
    detail: str


router = Router(tags=["federated"], auth=CoordinatorToken())
class Unauthorised(Schema):
    """django-ninja's answer to a request without a valid bearer token."""

    detail: str


ANSWERS = {200: dict[str, Any], 401: Unauthorised, 403: Refusal, 422: Refusal}


def _answer(request: Any, analysis: str, what: str, nodes: int, compute: Callable[[], dict[str, Any]],
            detail: str = "") -> Any:
    coordinator: Coordinator = request.auth
    try:
        check_nodes(nodes)
        spend(coordinator=coordinator, analysis=analysis, request=f"{what} {detail}".strip())
        return compute()
    except DisclosureRefused as exc:
        return Status(403, {"error": "disclosure", "rule": exc.rule, "detail": str(exc)})
    except NotApproved as exc:
        return Status(403, {"error": "not_approved", "rule": None, "detail": str(exc)})


@router.post("/gel_crossover/summary", response=ANSWERS)
def crossover_summary(request: Any, body: RequestIn) -> Any:
    """The node's sizes and the sums the coordinator starts from."""
    return _answer(request, "gel_crossover", "summary", body.nodes,
                   lambda: node_analysis(coordinator_actor(request.auth)).summary())


@router.post("/gel_crossover/evaluate", response=ANSWERS)
def crossover_evaluate(request: Any, body: EvaluateIn) -> Any:
    """The node's Laplace log-likelihood, gradient and Hessian at the proposed local parameters."""
    if len(body.parameters) != len(LOCAL_TERMS):
        return Status(422, {"error": "invalid_input", "rule": None,
                            "detail": f"parameters: expected {len(LOCAL_TERMS)} values ({', '.join(LOCAL_TERMS)})"})
    return _answer(request, "gel_crossover", "evaluate", body.nodes,
                   lambda: node_analysis(coordinator_actor(request.auth)).evaluate(body.parameters),
                   json.dumps([round(v, 12) for v in body.parameters]))


@router.post("/gel_crossover/local-fit", response=ANSWERS)
def crossover_local_fit(request: Any, body: RequestIn) -> Any:
    """The crossover model on this trial alone (stage one of the two-stage analysis)."""
    return _answer(request, "gel_crossover", "local-fit", body.nodes,
                   lambda: node_analysis(coordinator_actor(request.auth)).local_fit(LOCAL_FIT_EVALUATIONS))


@router.post("/adverse_events/counts", response=ANSWERS)
def adverse_event_counts(request: Any, body: RequestIn) -> Any:
    """Adverse-event counts by treatment (1 or 2 withheld)."""
    return _answer(request, "adverse_events", "counts", body.nodes,
                   lambda: node_analysis(coordinator_actor(request.auth)).adverse_event_counts())
