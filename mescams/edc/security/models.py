"""The log-in rate limit's and the failed log-in delays' counters, shared by every server process through the
database.

Not trial data: a row says how many log-in attempts one client address made in one fixed window
(:class:`LoginAttemptWindow`, see :mod:`.ratelimit`), or how many log-ins failed for one key and until when the
next attempt must wait (:class:`LoginThrottle`, see :mod:`.throttle`); nothing about a participant, so these are
plain models (not audited), and old rows are deleted.
"""

from __future__ import annotations

from django.db import models

__all__ = ["LoginAttemptWindow", "LoginThrottle"]

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
    blocked_until = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures, blocked until {self.blocked_until}"
