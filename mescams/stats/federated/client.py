"""The coordinator's side of the wire: one node's federated endpoint over HTTPS, with its bearer token (httpx).

A refusal (403: not approved, or a disclosure rule) becomes :class:`NodeRefused` naming the node and the rule; an
unreachable node or any other answer becomes :class:`NodeUnavailable`. Connections are kept open (one
``httpx.Client`` per node), so a Newton iteration costs one round trip per node.
"""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
from numpy.typing import NDArray

from mescams.errors import MescamsError
from mescams.stats.federated.parts import NodePart

__all__ = ["HttpNode", "NodeRefused", "NodeUnavailable"]


class NodeRefused(MescamsError):
    """A node refused a request: not approved for this coordinator, or a disclosure rule."""

    def __init__(self, node: str, rule: str | None, detail: str) -> None:
        self.node, self.rule = node, rule
        super().__init__(f"node {node} refused: {detail}")


class NodeUnavailable(MescamsError):
    """A node could not be reached, or answered something other than the protocol's JSON."""


class HttpNode:
    """One node: ``url`` is its server's root (``https://host``), ``token`` the coordinator's token there."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=f"{self.url}/api/federated", timeout=timeout,
                                    headers={"Authorization": f"Bearer {token}"})

    def close(self) -> None:
        self._client.close()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise NodeUnavailable(f"node {self.url}: {exc}") from None
        if response.status_code in (401, 403, 422):
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            detail = answer.get("detail") or ("the token is not accepted" if response.status_code == 401
                                              else response.text[:200])
            raise NodeRefused(self.url, answer.get("rule"), detail)
        if response.status_code != 200:  # noqa: PLR2004
            raise NodeUnavailable(f"node {self.url} answered HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    def evaluate(self, z: NDArray[np.float64], nodes: int) -> NodePart:
        answer = self.post("/gel_crossover/evaluate", {"nodes": nodes, "parameters": [float(v) for v in z]})
        return NodePart(float(answer["loglik"]), np.asarray(answer["gradient"], dtype=float),
                        np.asarray(answer["hessian"], dtype=float))
