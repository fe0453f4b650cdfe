"""Session, cookie and header settings of the EDC, from the environment (merged by ``build_settings``).

``MESCAMS_SESSION_IDLE_MINUTES`` (default 30): a session expires after this long without a request (its expiry
is renewed by requests, at most once a minute, so only inactivity ends it). ``MESCAMS_INSECURE_HTTP=1``: serve
over plain HTTP (cookies without the Secure flag); demo mode implies it. Everywhere else cookies are Secure,
HttpOnly and SameSite, so a session or CSRF cookie never travels over an unencrypted connection.
``MESCAMS_LOGIN_RATE`` (default ``30/60``): at most 30 log-in attempts per client address per minute.
``MESCAMS_LOGIN_FREE_FAILURES`` (default 5) and ``MESCAMS_LOGIN_MAX_DELAY_MINUTES`` (default 15): failed log-ins
for one account from one address before each further failure doubles the wait before the next attempt, and the
longest wait (see :mod:`mescams.edc.security.throttle`; an address gets four times the free failures).
They replace ``MESCAMS_LOCKOUT_ATTEMPTS``/``MESCAMS_LOCKOUT_MINUTES``: no account is ever locked.
``MESCAMS_ACCESS_LOG_RETENTION_YEARS`` (default 15): how long the access log (who viewed which participant's
data, :mod:`mescams.edc.security.access_log`) is kept; Health Canada's C.05.012 asks for 15 years of clinical
trial records since 2022, and PHIPA/PHIA access logs belong with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mescams.errors import InputValidationError

__all__ = ["ACCESS_LOG_RETENTION_YEARS", "MIDDLEWARE", "login_rate", "login_throttle", "retention_years",
           "security_settings"]

MIDDLEWARE = [
    "mescams.edc.security.middleware.SecurityHeadersMiddleware",
    "mescams.edc.security.ratelimit.LoginRateLimitMiddleware",
    "mescams.edc.security.inputs.InputGuardMiddleware",
]


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def login_rate(env: Mapping[str, str]) -> tuple[int, int]:
    """(attempts, seconds) from ``MESCAMS_LOGIN_RATE`` such as ``20/300``."""
    text = env.get("MESCAMS_LOGIN_RATE", "30/60").strip()
    try:
        attempts, seconds = (int(x) for x in text.split("/"))
    except ValueError:
        raise InputValidationError("MESCAMS_LOGIN_RATE", "must be ATTEMPTS/SECONDS, e.g. 30/60") from None
    if attempts < 1 or seconds < 1:
        raise InputValidationError("MESCAMS_LOGIN_RATE", "attempts and seconds must be positive")
    return attempts, seconds


def login_throttle(env: Mapping[str, str]) -> tuple[int, int]:
    """(free failures, longest delay in minutes) of the failed log-in delays."""
    values = []
    for name, default in (("MESCAMS_LOGIN_FREE_FAILURES", "5"), ("MESCAMS_LOGIN_MAX_DELAY_MINUTES", "15")):
        try:
            value = int(env.get(name, default))
        except ValueError:
            raise InputValidationError(name, "must be a whole number") from None
        if value < 1:
            raise InputValidationError(name, "must be at least 1")
        values.append(value)
    for old in ("MESCAMS_LOCKOUT_ATTEMPTS", "MESCAMS_LOCKOUT_MINUTES"):
        if old in env:
            raise InputValidationError(old, "no longer exists: accounts are never locked; use "
                                            "MESCAMS_LOGIN_FREE_FAILURES and MESCAMS_LOGIN_MAX_DELAY_MINUTES")
    return values[0], values[1]


ACCESS_LOG_RETENTION_YEARS = 15
"""Default retention of the access log, in years (Health Canada, Food and Drug Regulations C.05.012, 2022)."""


def retention_years(env: Mapping[str, str]) -> int:
    """``MESCAMS_ACCESS_LOG_RETENTION_YEARS`` (default :data:`ACCESS_LOG_RETENTION_YEARS`)."""
    text = env.get("MESCAMS_ACCESS_LOG_RETENTION_YEARS", str(ACCESS_LOG_RETENTION_YEARS))
    if not text.strip().isdigit() or int(text) < 1:
        raise InputValidationError("MESCAMS_ACCESS_LOG_RETENTION_YEARS", "must be a whole number of years, at least 1")
    return int(text)


def security_settings(env: Mapping[str, str], *, demo: bool) -> dict[str, Any]:
    """The Django settings for sessions, cookies and security headers."""
    plain_http = demo or _flag(env, "MESCAMS_INSECURE_HTTP")
    secure = _flag(env, "MESCAMS_SECURE_COOKIES") or not plain_http
    idle = int(env.get("MESCAMS_SESSION_IDLE_MINUTES", "30"))
    if idle < 1:
        raise InputValidationError("MESCAMS_SESSION_IDLE_MINUTES", "must be at least 1")
    return {
        "SESSION_COOKIE_AGE": idle * 60,
        "SESSION_SAVE_EVERY_REQUEST": False,  # sliding expiry by IdleTimeoutMiddleware (one write a minute)
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "CSRF_COOKIE_SECURE": secure,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "MESCAMS_LOGIN_RATE": login_rate(env),
        "MESCAMS_LOGIN_THROTTLE": login_throttle(env),
        "MESCAMS_ACCESS_LOG_RETENTION_YEARS": retention_years(env),
    }
