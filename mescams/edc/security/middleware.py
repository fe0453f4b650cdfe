"""Security headers on every response: Content-Security-Policy, frame denial, no sniffing, referrer policy.

Django's SecurityMiddleware and XFrameOptionsMiddleware set nosniff, Referrer-Policy and X-Frame-Options from the
settings; this adds what Django lacks: a Content-Security-Policy (scripts only from this server, no framing, no
plugins, forms post only here) and a Permissions-Policy (no camera, microphone or location). The interactive API
documentation (/api/docs) loads Swagger UI from its CDN, so that one page gets a policy allowing that CDN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CSP", "DOCS_CSP", "SecurityHeadersMiddleware"]

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
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "img-src 'self' data: https://cdn.jsdelivr.net https://django-ninja.dev",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


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
        if request.path.startswith("/api/") or getattr(request, "user", None) is not None and \
                request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")  # trial data never lands in shared caches
        return response
