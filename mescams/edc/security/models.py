"""The log-in rate limit's and the failed log-in delays' counters, shared by every server process through the
database.

Not trial data: a row says how many log-in attempts one client address made in one fixed window
(:class:`LoginAttemptWindow`, see :mod:`.ratelimit`), or how many log-ins failed for one key and until when the
next attempt must wait (:class:`LoginThrottle`, see :mod:`.throttle`); nothing about a participant, so these are
plain models (not audited), and old rows are deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["AccessLogSeal", "AccessRecord", "LoginAttemptWindow", "LoginThrottle"]

ADDRESS_LENGTH = 100


class LoginAttemptWindow(models.Model):
    """Log-in attempts from ``address`` in the window ``[window_start, expires)`` (Unix seconds)."""

    address = models.CharField(max_length=ADDRESS_LENGTH)
    window_start = models.BigIntegerField()
    expires = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "window_start"],
                                               name="security_login_window_once")]

    def __str__(self) -> str:
        return f"{self.address} @ {self.window_start}: {self.count}"


class LoginThrottle(models.Model):
    """Failed log-ins counted under ``key`` (an address, or an account as typed at one address, hashed), and the
    Unix second before which the next attempt under that key is refused."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.BigIntegerField(default=0, db_index=True)
    blocked_until = models.FloatField(default=0)  # Unix seconds with fractions: a 1 s wait is a whole second

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures, blocked until {self.blocked_until}"


class AccessRecord(models.Model):
    """One view of participant data: who, when, which participant ('' for a list), which route.

    ``digest`` is the keyed hash of the other columns (:func:`mescams.edc.audit.chain.keyed_hash`), so a changed row
    shows; seals (:class:`AccessLogSeal`) chain the digests in order, so a removed row shows too. Append-only.
    """

    at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    participant_id = models.CharField(max_length=32, blank=True, default="")
    method = models.CharField(max_length=8)
    route = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["participant_id", "at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("access records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("access records are append-only")


class AccessLogSeal(models.Model):
    """The hash chain over the access records ``first_record`` to ``last_record`` (ids), continuing ``prev_hash``."""

    sealed_at = models.DateTimeField()
    first_record = models.BigIntegerField()
    last_record = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
