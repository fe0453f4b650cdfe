"""The JSON API: session log-in with CSRF, every route behind session auth (anonymous -> 401).

The OpenAPI schema and the interactive docs are for logged-in users only outside demo mode (:func:`docs_login`):
the schema lists every route and field, which an anonymous visitor has no need of. Build the API with
:func:`build_api` (the URL map calls it once); nothing is registered at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.middleware.csrf import get_token
from ninja import NinjaAPI, Router, Status
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from mescams.edc.accounts.services import check_credentials
from mescams.edc.api import (
    access_log,
    allocation,
    consent,
    errors,
    exports,
    forms,
    idempotency,
    management,
    participants,
)
from mescams.edc.api.schemas import CsrfOut, ErrorOut, LoginIn, MeOut
from mescams.edc.federation.api import router as federated_router


def _me(user: Any) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "sites": user.site_codes()}


def _auth_router() -> Router:
    router = Router(tags=["auth"])

    @router.get("/csrf", auth=None, response=CsrfOut)
    def csrf(request: Any) -> Any:
        """Sets the CSRF cookie; send the token back as the X-CSRFToken header on every POST/PUT/DELETE."""
        return {"csrf_token": get_token(request)}

    @router.post("/login", auth=None, response={200: MeOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut})
    def login_view(request: Any, body: LoginIn) -> Any:
        """Session log-in (CSRF-checked); repeated failures make further attempts from the same address wait (429
        with Retry-After), the same for every user name; no account is ever locked."""
        forbidden = check_csrf(request)
        if forbidden:
            return Status(403, {"error": "csrf", "detail": "CSRF token missing or incorrect"})
        user = check_credentials(username=body.username, password=body.password, request=request)
        login(request, user)  # rotates the session key
        return _me(user)

    @router.post("/logout", response={204: None})
    def logout_view(request: Any) -> Any:
        logout(request)
        return Status(204, None)

    @router.get("/me", response=MeOut)
    def me(request: Any) -> Any:
        return _me(request.user)

    return router


def docs_login(view: Callable[..., Any]) -> Callable[..., Any]:
    """The schema and docs for logged-in users (anyone in demo mode): anonymous -> 401 for the schema, the log-in
    page for the docs."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if settings.MESCAMS_DEMO or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"error": "login", "detail": "log in to read the API schema"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="MESCAMS EDC API",
        version="1",
        description="Electronic data capture for the MESCAMS trial (NCT02239393). Session auth with CSRF.",
        auth=SessionAuth(csrf=True),
        urls_namespace="mescams_api",
        docs_decorator=docs_login,
    )
    errors.install(api)
    idempotency.install(api)
    api.add_router("/auth", _auth_router())
    api.add_router("/participants", participants.router)
    api.add_router("/prescreening", consent.prescreening_router)
    api.add_router("/consent", consent.consent_router)
    api.add_router("/participants", forms.build_router())
    api.add_router("/", management.router)
    api.add_router("/", allocation.router)
    api.add_router("/exports", exports.router)
    api.add_router("/access-log", access_log.router)
    api.add_router("/federated", federated_router)  # a coordinator's bearer token, not a session
    return api
