"""The one place where deliberate errors become HTTP answers (messages never carry allocation)."""

from __future__ import annotations

from typing import Any

from mescams.edc.accounts.services import BadCredentials, LoginThrottled
from mescams.edc.trial.services import Forbidden, NotFound
from mescams.errors import (
    BlindingViolation,
    DataLocked,
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
    (LoginThrottled, 429, "throttled"),
    (DataLocked, 423, "locked"),
    (TrialStateError, 409, "conflict"),
    (MescamsError, 400, "error"),
]


def error_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            body: dict[str, Any] = {"error": code, "detail": str(exc)}
            if isinstance(exc, InputValidationError):
                body["field"], body["rule"] = exc.field, exc.rule
            return status, body
    raise exc


def install(api: Any) -> None:
    def handler(request: Any, exc: Exception) -> Any:
        status, body = error_body(exc)
        response = api.create_response(request, body, status=status)
        if isinstance(exc, LoginThrottled):
            response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(MescamsError, handler)
