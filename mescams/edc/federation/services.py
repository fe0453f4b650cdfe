"""Coordinators' tokens, approvals and the spending of an approval's evaluations; every change audited.

Keyword-only service functions that own their transaction. A token reads ``mfed_<key id>_<secret>``: the key id
finds the row, the secret is checked against its salted SHA-256 in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.audit.context import Actor, acting
from mescams.edc.federation.models import ANALYSES, Approval, Coordinator
from mescams.errors import InputValidationError, MescamsError
from mescams.stats.federated.disclosure import MAX_EVALUATIONS, DisclosureRefused

__all__ = ["NotApproved", "approve", "authenticate", "create_token", "coordinator_actor", "spend"]

PREFIX = "mfed"


class NotApproved(MescamsError):
    """The coordinator has no approval (or none left) of this analysis from the node's unblinded statistician."""


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_token(*, name: str, actor: Actor, reason: str = "") -> str:
    """A new token for coordinator ``name`` (a new coordinator, or the old token replaced); returned once."""
    name = name.strip()
    if not name or len(name) > 100 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InputValidationError("coordinator", gettext("1 to 100 letters, digits, '-', '_' or '.'"))
    key_id, secret, salt = secrets.token_hex(8), secrets.token_urlsafe(32), secrets.token_hex(16)
    with transaction.atomic():
        existing = Coordinator.objects.filter(name=name).first()
        with acting(actor, reason=reason.strip() or ("token replaced" if existing else "")):
            coordinator = existing or Coordinator(name=name, created_at=_now())
            coordinator.key_id, coordinator.salt = key_id, salt
            coordinator.token_sha256, coordinator.revoked = _digest(salt, secret), False
            coordinator.save()
    return f"{PREFIX}_{key_id}_{secret}"


def authenticate(token: str) -> Coordinator | None:
    """The coordinator whose token this is (not revoked), or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:  # noqa: PLR2004 - prefix, key id, secret
        return None
    coordinator = Coordinator.objects.filter(key_id=parts[1], revoked=False).first()
    if coordinator is None:
        _digest("0" * 32, parts[2])  # the same work for an unknown key id
        return None
    return coordinator if hmac.compare_digest(coordinator.token_sha256, _digest(coordinator.salt, parts[2])) else None


def coordinator_actor(coordinator: Coordinator) -> Actor:
    return Actor(None, f"coordinator:{coordinator.name}", "federated_coordinator")


def approve(*, analysis: str, coordinator: str, statistician: Any, reason: str,
            max_evaluations: int = MAX_EVALUATIONS) -> Approval:
    """The unblinded statistician approves ``analysis`` for ``coordinator`` (replacing an earlier approval of it)."""
    if getattr(statistician, "role", None) != Role.UNBLINDED_STATISTICIAN.value:
        raise InputValidationError("statistician", gettext(
            "only the unblinded statistician approves federated analyses"))
    if analysis not in ANALYSES:
        raise InputValidationError("analysis", gettext("must be one of %(analyses)s") % {
            "analyses": ', '.join(ANALYSES)})
    if not reason.strip():
        raise InputValidationError("reason", gettext("type why this analysis is approved for this coordinator"))
    if not 1 <= max_evaluations <= MAX_EVALUATIONS:
        raise InputValidationError("max_evaluations", gettext("must be between 1 and %(max_evaluations)s "
                                                              "(MAX_EVALUATIONS)") % {
                                                                  "max_evaluations": MAX_EVALUATIONS})
    target = Coordinator.objects.filter(name=coordinator, revoked=False).first()
    if target is None:
        raise InputValidationError("coordinator", gettext("no coordinator %(coordinator)s with a token") % {
            "coordinator": repr(coordinator)})
    with transaction.atomic(), acting(statistician, reason=reason):
        for old in Approval.objects.filter(coordinator=target, analysis=analysis, active=True):
            old.active = False
            old.save()
        return _saved(Approval(coordinator=target, analysis=analysis, approved_by=statistician.username,
                               approved_at=_now(), max_evaluations=max_evaluations))


def _saved(approval: Approval) -> Approval:
    approval.save()
    return approval


def spend(*, coordinator: Coordinator, analysis: str, request: str, evaluations: int = 1) -> Approval:
    """Record one request (audited as the coordinator) and spend ``evaluations`` of its approval; refuse without
    an approval or beyond its budget (``MAX_EVALUATIONS``)."""
    with transaction.atomic():
        approval = (Approval.objects.select_for_update()
                    .filter(coordinator=coordinator, analysis=analysis, active=True).first())
        if approval is None:
            raise NotApproved(gettext("%(analysis)s is not approved for coordinator %(name)s at this node: its "
                                      "unblinded statistician approves it with `mescams federated approve`") % {
                                          "analysis": analysis, "name": coordinator.name})
        if approval.evaluations_used + evaluations > approval.max_evaluations:
            raise DisclosureRefused("MAX_EVALUATIONS", gettext(
                "the approval of %(analysis)s allows %(max_evaluations)s evaluations and "
                                                               "%(evaluations_used)s are spent; ask for a new "
                                                               "approval") % {
                                                                   "analysis": analysis,
                                                                   "max_evaluations": approval.max_evaluations,
                                                                   "evaluations_used": approval.evaluations_used})
        with acting(coordinator_actor(coordinator), reason=f"federated request: {request}"):
            approval.evaluations_used += evaluations
            approval.save()
    return approval
