"""Session expiry after inactivity, without a database write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` gives a sliding expiry but writes the session row on every request, which
on SQLite takes the database's write lock for every read. Instead, this middleware (placed after Django's
SessionMiddleware) marks the session as modified only when its last renewal is more than
:data:`RENEW_AFTER_SECONDS` old: the session then ends after ``SESSION_COOKIE_AGE`` seconds without a request
(to within a minute), and a busy user's session costs one write a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["RENEW_AFTER_SECONDS", "TOUCHED", "IdleTimeoutMiddleware"]

RENEW_AFTER_SECONDS = 60
TOUCHED = "mescams_renewed_at"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(TOUCHED, 0)) >= RENEW_AFTER_SECONDS:
                session[TOUCHED] = now  # marks it modified: the SessionMiddleware saves it, renewing the expiry
        return response
