"""The one place where deliberate errors become HTTP answers (messages never carry allocation)."""

from __future__ import annotations

from typing import Any

from mescams.edc.accounts.passwords import PasswordChangeRequired
from mescams.edc.accounts.services import BadCredentials, LoginThrottled
from mescams.edc.api.forms import record_url_name
from mescams.edc.trial.services import Forbidden, NotFound
from mescams.errors import (
    BlindingViolation,
    DataLocked,
    DuplicateRecord,
    EditChecksFailed,
    InputValidationError,
    MescamsError,
    TrialStateError,
)

STATUS: list[tuple[type[Exception], int, str]] = [
    (InputValidationError, 422, "invalid_input"),
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (BlindingViolation, 403, "blinded"),
    (BadCredentials, 401, "bad_credentials"),
    (PasswordChangeRequired, 403, PasswordChangeRequired.code),
    (LoginThrottled, 429, "throttled"),
    (DataLocked, 423, "locked"),
    (DuplicateRecord, 409, "duplicate"),
    (TrialStateError, 409, "conflict"),
    (MescamsError, 400, "error"),
]


def error_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            body: dict[str, Any] = {"error": code, "detail": str(exc)}
            if isinstance(exc, InputValidationError):
                # the first failure as field and rule (as ever), then every failure of the submit
                body["field"], body["rule"] = exc.field, exc.rule
                failures = exc.failures if isinstance(exc, EditChecksFailed) else ()
                body["failures"] = [f.as_dict() for f in failures] or [
                    {"check": "field_rule", "field": exc.field, "message": exc.rule, "severity": "hard",
                     "confirmable": False}]
            if isinstance(exc, DuplicateRecord):
                body["existing"] = existing_record(exc)
            return status, body
    raise exc


def existing_record(exc: DuplicateRecord) -> dict[str, Any]:
    """The record a refused second entry collides with, and the URL to read (GET) or change (PUT) it."""
    from django.urls import reverse

    url = reverse(f"mescams_api:{record_url_name(exc.form)}",
                  kwargs={"participant_id": exc.participant_id, "record_id": exc.record_id})
    return {"form": exc.form, "participant_id": exc.participant_id, "record_id": exc.record_id, "key": exc.key,
            "url": url}


def install(api: Any) -> None:
    def handler(request: Any, exc: Exception) -> Any:
        status, body = error_body(exc)
        response = api.create_response(request, body, status=status)
        if isinstance(exc, LoginThrottled):
            response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(MescamsError, handler)
