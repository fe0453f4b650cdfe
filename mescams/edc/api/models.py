"""The answers kept for ``Idempotency-Key`` replays (see :mod:`mescams.edc.api.idempotency`).

Not trial data: a row is the first answer one user got to one request, kept for a day so that a client retrying
after a lost connection gets that answer again instead of a second record. It is never shown to anyone but the
user (and role) who sent the request, so it cannot carry one role's view to another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["IdempotentRequest"]

KEY_LENGTH = 200


class IdempotentRequest(models.Model):
    """``user``'s request under ``key``: its fingerprint, and the answer once there is one (``status`` None while
    the first request is still being handled)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_LENGTH)
    role = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_one_request_per_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} -> {self.status}"
