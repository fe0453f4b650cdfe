"""The log-in rate limit's counters, shared by every server process through the database.

Not trial data: a row says how many log-in attempts one client address made in one fixed window, nothing about a
participant, so it is a plain model (not audited) and expired rows are deleted (see :mod:`.ratelimit`).
"""

from __future__ import annotations

from django.db import models

__all__ = ["LoginAttemptWindow"]

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
