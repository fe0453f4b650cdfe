"""A coordinator's access token (kept hashed) and the statistician's approvals of analyses for it.

Both are audited (a change of who may read aggregates of the trial's data is a change of rights): creating a
token, revoking it, approving an analysis and every evaluation it spends are entries in the audit chain. The
token itself is never stored: a random per-token salt and the SHA-256 of salt and secret are (the secret has 256
bits of entropy, so a fast hash is as safe as a slow password hash and keeps every request cheap).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext

from mescams.edc.audit.audited import AuditedModel
from mescams.errors import InputValidationError

__all__ = ["ANALYSES", "Approval", "Coordinator"]

ANALYSES = ("gel_crossover", "adverse_events")
"""What a coordinator may be approved for: the crossover model's parts, and adverse-event counts."""


class Coordinator(AuditedModel):
    """A coordinator (another trial's analysis centre) that may send federated requests with its token."""

    name = models.CharField(max_length=100, unique=True)
    key_id = models.CharField(max_length=32, unique=True)
    salt = models.CharField(max_length=64)
    token_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    audit_exclude: ClassVar[tuple[str, ...]] = ("salt", "token_sha256")

    def validate(self) -> None:
        if not self.name.strip():
            raise InputValidationError("coordinator", gettext("must not be empty"))

    def __str__(self) -> str:
        return self.name


class Approval(AuditedModel):
    """The unblinded statistician's approval of one analysis for one coordinator, with a budget of evaluations."""

    coordinator = models.ForeignKey(Coordinator, on_delete=models.PROTECT, related_name="approvals")
    analysis = models.CharField(max_length=40)
    approved_by = models.CharField(max_length=150)
    approved_at = models.DateTimeField()
    max_evaluations = models.PositiveIntegerField()
    evaluations_used = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    def validate(self) -> None:
        if self.analysis not in ANALYSES:
            raise InputValidationError("analysis", gettext("must be one of %(analyses)s") % {
                "analyses": ', '.join(ANALYSES)})

    def __str__(self) -> str:
        return f"{self.analysis} for {self.coordinator_id}"
