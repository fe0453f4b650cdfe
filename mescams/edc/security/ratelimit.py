"""Log-in rate limiting per client address, in front of the per-account lock-out, shared by all server processes.

A fixed window per address (``MESCAMS_LOGIN_RATE``, default 30 attempts per 60 s): POSTs to the API log-in and the
log-in page beyond the limit get 429 with a Retry-After header and never reach the password check (so a flood
costs no argon2 work). The count lives in the database (:class:`~mescams.edc.security.models.LoginAttemptWindow`),
not in a process's memory, so the limit holds for the whole server whatever the number of gunicorn workers or
servers on one database. Each attempt is counted by one statement, ``INSERT ... ON CONFLICT DO UPDATE SET count =
count + 1 RETURNING count``, atomic on SQLite (3.35 and later) and PostgreSQL alike: two processes counting at once
can never both read the same count. The first attempt of a new window also deletes the expired windows, so the
table holds at most one row per address that tried to log in during the last window.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

from mescams.edc.security.models import ADDRESS_LENGTH, LoginAttemptWindow

__all__ = ["LOGIN_PATHS", "Attempt", "LoginRateLimitMiddleware", "attempts_in_window", "client_address",
           "count_attempt"]

LOGIN_PATHS = frozenset({"/api/auth/login", "/accounts/login/"})


def client_address(request: Any) -> str:
    """The peer address (the server listens on 127.0.0.1 behind a proxy that must set REMOTE_ADDR correctly)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:ADDRESS_LENGTH]


@dataclass(frozen=True)
class Attempt:
    """One counted log-in attempt: the address's count in its window so far (this one included) and the seconds
    until that window ends."""

    count: int
    retry_after: int


def _window(seconds: int, now: float) -> tuple[int, int]:
    start = int(now // seconds) * seconds
    return start, start + seconds


def count_attempt(address: str, *, seconds: int, now: float | None = None) -> Attempt:
    """Count one log-in attempt from ``address`` in the current ``seconds``-long window, atomically, in the
    database every server process shares."""
    now = time.time() if now is None else now
    start, expires = _window(seconds, now)
    meta = LoginAttemptWindow._meta
    table = connection.ops.quote_name(meta.db_table)
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (address, window_start, expires, {count}) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (address, window_start) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [address, start, expires])
        (value,) = cursor.fetchone()
    if value == 1:  # a new window for this address: the expired windows of every address go
        LoginAttemptWindow.objects.filter(expires__lte=now).delete()
    return Attempt(count=int(value), retry_after=max(1, math.ceil(expires - now)))


def attempts_in_window(address: str, *, seconds: int, now: float | None = None) -> int:
    """The log-in attempts ``address`` made in the current window (0 if none), as every process sees them."""
    start, _ = _window(seconds, time.time() if now is None else now)
    row = LoginAttemptWindow.objects.filter(address=address, window_start=start).values_list("count", flat=True)
    return int(row.first() or 0)


class LoginRateLimitMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            limit, seconds = getattr(settings, "MESCAMS_LOGIN_RATE", (30, 60))
            attempt = count_attempt(client_address(request), seconds=seconds)
            if attempt.count > limit:
                retry = str(attempt.retry_after)
                body = {"error": "rate_limited", "detail": "too many log-in attempts from this address; try again "
                                                             f"in {retry} s"}
                response = HttpResponse(json.dumps(body), status=429, content_type="application/json")
                response["Retry-After"] = retry
                return response
        return self.get_response(request)
