"""Log-in rate limiting per client address, in front of the per-account lock-out.

A fixed window per address (``MESCAMS_LOGIN_RATE``, default 30 attempts per 60 s) counted in Django's cache:
POSTs to the API log-in and the log-in page beyond the limit get 429 with a Retry-After header and never reach
the password check (so a flood costs no argon2 work). The count is per server process with the default local
memory cache; several workers each enforce the limit, which bounds an attacker at workers x limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

__all__ = ["LOGIN_PATHS", "LoginRateLimitMiddleware", "client_address"]

LOGIN_PATHS = frozenset({"/api/auth/login", "/accounts/login/"})


def client_address(request: Any) -> str:
    """The peer address (the server listens on 127.0.0.1 behind a proxy that must set REMOTE_ADDR correctly)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class LoginRateLimitMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            attempts, seconds = getattr(settings, "MESCAMS_LOGIN_RATE", (30, 60))
            window = int(time.time() // seconds)
            key = f"mescams:login-rate:{client_address(request)}:{window}"
            cache.add(key, 0, timeout=seconds + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=seconds + 5)
                count = 1
            if count > attempts:
                retry = str(int(seconds - time.time() % seconds) + 1)
                body = {"error": "rate_limited", "detail": "too many log-in attempts from this address; try again "
                                                             f"in {retry} s"}
                response = HttpResponse(json.dumps(body), status=429, content_type="application/json")
                response["Retry-After"] = retry
                return response
        return self.get_response(request)
