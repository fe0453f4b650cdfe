"""``Idempotency-Key``: a client may retry a write without fear of doing it twice.

Installed once on the whole API (:func:`install`), so every route that creates or changes something honours it,
present and future. A request carrying ``Idempotency-Key: <key>`` from a signed-in user is handled at most once:

- the first request claims the key (a row, unique per user and key), runs, and its answer is kept if it
  succeeded (2xx); a refused request (4xx) stored nothing, so its claim is released and the client may retry;
- a replay (same user, same key, same method, path and body) gets the first answer again, status and body,
  with ``Idempotent-Replayed: true``, and nothing more is stored;
- the same key with another method, path or body is refused with 422 naming the header: a key names one request;
- while the first is still running, a replay gets 409 (retry in a moment); a claim left behind by a crash
  is taken over after :data:`PENDING_TIMEOUT`.

Keys are scoped per user, and a kept answer is replayed only to the user and role it was first given to, so a
stored answer can never show one role what another role saw (blinding). Kept answers expire after :data:`KEEP`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja.utils import check_csrf

from mescams.edc.api.models import KEY_LENGTH, IdempotentRequest

__all__ = ["HEADER", "KEEP", "PENDING_TIMEOUT", "idempotent", "install"]

HEADER = "Idempotency-Key"
KEEP = dt.timedelta(hours=24)
PENDING_TIMEOUT = dt.timedelta(minutes=5)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _answer(status: int, error: str, detail: str, **extra: Any) -> HttpResponse:
    body = {"error": error, "detail": detail, **extra}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _key_problem(key: str) -> str | None:
    if not 1 <= len(key) <= KEY_LENGTH:
        return f"must be 1 to {KEY_LENGTH} characters"
    if not key.isascii() or not key.isprintable():
        return "must be printable ASCII (a UUID, say)"
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _claim(user: Any, key: str, fingerprint: str) -> tuple[bool, IdempotentRequest]:
    """(True, row) when this request now owns ``key``; (False, the row of the request that does) otherwise."""
    now = _now()
    IdempotentRequest.objects.filter(created_at__lt=now - KEEP).delete()
    try:
        with transaction.atomic():
            return True, IdempotentRequest.objects.create(user=user, key=key, role=user.role, fingerprint=fingerprint,
                                                          created_at=now)
    except IntegrityError:
        pass
    with transaction.atomic():
        row = IdempotentRequest.objects.select_for_update().get(user=user, key=key)
        abandoned = row.status is None and row.created_at < now - PENDING_TIMEOUT
        if abandoned and row.fingerprint == fingerprint and row.role == user.role:
            row.created_at = now
            row.save(update_fields=["created_at"])
            return True, row
    return False, row


def _replay(row: IdempotentRequest, user: Any, fingerprint: str) -> HttpResponse:
    if row.fingerprint != fingerprint:
        return _answer(422, "invalid_input", f"{HEADER}: this key was used for another request (method, path or "
                       "body); send a new key for a new request", field=HEADER, rule="names one request only")
    if row.role != user.role:
        return _answer(409, "conflict", f"{HEADER}: your role changed since this key was used; send a new key")
    if row.status is None:
        return _answer(409, "in_progress", f"{HEADER}: the first request with this key is still being handled; "
                       "retry in a moment")
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an operation's ``run`` so a request with an ``Idempotency-Key`` is handled at most once."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated and check_csrf(request) is None
        if key is None or request.method not in WRITES or not signed_in:
            return run(request, *args, **kwargs)  # anonymous or bad CSRF: the route's own auth answers
        problem = _key_problem(key)
        if problem:
            return _answer(422, "invalid_input", f"{HEADER}: {problem}", field=HEADER, rule=problem)
        fingerprint = _fingerprint(request)
        claimed, row = _claim(user, key, fingerprint)
        if not claimed:
            return _replay(row, user, fingerprint)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            row.delete()
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            row.status, row.content_type, row.body = response.status_code, response["Content-Type"], response.content
            row.save(update_fields=["status", "content_type", "body"])
        else:
            row.delete()  # refused or failed: nothing was stored, so the same request may be tried again
        return response

    return wrapper


def install(api: Any) -> None:
    """Honour ``Idempotency-Key`` on every route of ``api`` (before validation, so a replay is answered as is)."""
    api.add_decorator(idempotent, mode="view")
