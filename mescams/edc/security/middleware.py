"""Security headers on every response: Content-Security-Policy, frame denial, no sniffing, referrer policy.

Django's SecurityMiddleware and XFrameOptionsMiddleware set nosniff, Referrer-Policy and X-Frame-Options from the
settings; this adds what Django lacks: a Content-Security-Policy (scripts only from this server, no framing, no
plugins, forms post only here) and a Permissions-Policy (no camera, microphone or location), and
Strict-Transport-Security whenever the cookies are Secure. Django's own HSTS header goes out only on requests it
sees as HTTPS, which a server behind a TLS-terminating proxy never does; a browser ignores the header over plain
HTTP, so sending it whenever the deployment says it is HTTPS-only (Secure cookies) is both safe and sufficient.

The interactive API documentation (/api/docs) is Swagger UI served from the static files of the installed
django-ninja (no CDN), started by a script file rather than inline code, so its policy allows no other origin and
no inline script; only its styles need ``'unsafe-inline'`` (Swagger UI sets style attributes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

__all__ = ["CSP", "DOCS_CSP", "HSTS", "SecurityHeadersMiddleware"]

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # a few style="" attributes in the pages; scripts stay strict
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
DOCS_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"
"""One year, the value browsers' HSTS preload lists ask for; sub-domains are not ours to bind."""


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        policy = DOCS_CSP if request.path.startswith("/api/docs") else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if settings.SESSION_COOKIE_SECURE:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith("/api/") or getattr(request, "user", None) is not None and \
                request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")  # trial data never lands in shared caches
        return response
