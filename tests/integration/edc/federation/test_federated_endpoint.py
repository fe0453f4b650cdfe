"""The node's federated endpoint in-process: bearer tokens only (no session of any role, blinded or not, reads
it), the statistician's approval first, refusals naming the rule, tokens kept hashed, every request audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mescams.core.blinding import Role
from mescams.edc.audit.context import Actor
from mescams.edc.audit.models import AuditEntry
from mescams.edc.federation.models import Coordinator
from mescams.edc.federation.services import approve, authenticate, create_token
from mescams.errors import InputValidationError

ROUTES = ("/api/federated/gel_crossover/summary", "/api/federated/gel_crossover/evaluate",
          "/api/federated/gel_crossover/local-fit", "/api/federated/adverse_events/counts")


def _post(client: Client, path: str, token: str | None, body: dict[str, Any]) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_no_session_of_any_role_reads_the_endpoint(users: dict[str, Any]) -> None:
    for user in users.values():
        client = Client()
        client.force_login(user)
        for path in ROUTES:
            answer = _post(client, path, None, {"nodes": 3, "parameters": [0, 0, 0, 0, 0]})
            # 401 (no coordinator token); a participant's session may be refused first, outside its portal (403)
            allowed = {401, 403} if user.role == "participant" else {401}
            assert answer.status_code in allowed, (user.role, path)


def test_token_is_stored_hashed_and_checked(users: dict[str, Any]) -> None:
    token = create_token(name="centre-a", actor=Actor.system("test"))
    stored = Coordinator.objects.get(name="centre-a")
    assert token.split("_", 2)[2] not in json.dumps(list(Coordinator.objects.values()), default=str)
    assert authenticate(token) == stored
    assert authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    renewed = create_token(name="centre-a", actor=Actor.system("test"), reason="lost")
    assert authenticate(token) is None and authenticate(renewed) == stored
    assert not AuditEntry.objects.filter(field__in=("salt", "token_sha256")).exists()


def test_requests_need_the_statisticians_approval_and_are_refused_by_rule(users: dict[str, Any]) -> None:
    token = create_token(name="centre-b", actor=Actor.system("test"))
    client = Client()
    answer = _post(client, ROUTES[0], token, {"nodes": 3})
    assert answer.status_code == 403 and answer.json()["error"] == "not_approved"
    coordinator_user = next(u for u in users.values() if u.role == Role.SITE_COORDINATOR.value)
    with pytest.raises(InputValidationError, match="statistician"):
        approve(analysis="gel_crossover", coordinator="centre-b", statistician=coordinator_user, reason="x")
    statistician = next(u for u in users.values() if u.role == Role.UNBLINDED_STATISTICIAN.value)
    with pytest.raises(InputValidationError, match="reason"):
        approve(analysis="gel_crossover", coordinator="centre-b", statistician=statistician, reason="  ")
    approve(analysis="gel_crossover", coordinator="centre-b", statistician=statistician, reason="pooled MESEMS")
    answer = _post(client, ROUTES[0], token, {"nodes": 2})
    assert answer.status_code == 403 and answer.json()["rule"] == "MIN_NODES"
    answer = _post(client, ROUTES[0], token, {"nodes": 3})  # an empty trial: too few participants
    assert answer.status_code == 403 and answer.json()["rule"] == "MIN_PARTICIPANTS"
    assert "MIN_PARTICIPANTS" in answer.json()["detail"]
    answer = _post(client, ROUTES[1], token, {"nodes": 3, "parameters": [0, 0]})
    assert answer.status_code == 422
    spent = AuditEntry.objects.filter(username="coordinator:centre-b", field="evaluations_used")
    assert spent.count() == 1  # the MIN_NODES refusal spent nothing; the MIN_PARTICIPANTS one was one request
    approval_entries = AuditEntry.objects.filter(table="federation_approval", username=statistician.username)
    assert approval_entries.filter(reason="pooled MESEMS").exists()
