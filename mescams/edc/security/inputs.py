"""A guard in front of every view: text with control characters, of absurd length, or a date outside 1900-2100
is refused, naming the field.

Why here and not in each form: a NUL character or an escape sequence is never clinical data, PostgreSQL refuses
NUL in text (the request would fail deep inside a transaction instead of with a clear error), and a megabyte
"term" is an attack, not an entry. One check covers the JSON API, the pages' form posts, query strings and paths,
including free-form JSON such as the screening record. The answer is 422 with the field and the rule, the same
shape as every other validation error of the API; nothing reaches a view or the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpResponse
from django.http.request import RawPostDataException

__all__ = ["CONTROL", "MAX_TEXT", "InputGuardMiddleware", "first_problem"]

MAX_TEXT = 20_000
"""The longest text any field accepts (the longest model text is 4,000; JSON records are nested, not long)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab, line feed and carriage return."""
ISO_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$")
YEARS = (1900, 2100)
"""Dates of a clinical trial (births included) lie in these years; anything else is a typing error or an attack."""


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}" if path else str(k), str(k)
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def first_problem(items: Iterator[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, rule) of the first text that breaks a rule, or None."""
    for field, text in items:
        if len(text) > MAX_TEXT:
            return field, f"at most {MAX_TEXT} characters"
        if CONTROL.search(text):
            return field, "must not contain control characters"
        date = ISO_DATE.match(text)
        if date and not YEARS[0] <= int(date.group(1)) <= YEARS[1]:
            return field, f"a date must lie between {YEARS[0]}-01-01 and {YEARS[1]}-12-31, got {text[:32]}"
    return None


def _refuse(request: Any, field: str, rule: str) -> HttpResponse:
    body = {"error": "invalid_input", "detail": f"{field}: {rule}", "field": field, "rule": rule}
    return HttpResponse(json.dumps(body), status=422, content_type="application/json")


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        problem = first_problem(iter([("path", request.path)])) or first_problem(
            (k, v) for key, values in request.GET.lists() for k, v in ((key, key), *((key, x) for x in values)))
        if problem is None and request.method in ("POST", "PUT", "PATCH"):
            problem = self._body_problem(request)
        if problem is not None:
            return _refuse(request, *problem)
        return self.get_response(request)

    @staticmethod
    def _body_problem(request: Any) -> tuple[str, str] | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if content_type.startswith("application/json"):
                try:
                    data = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    return None  # the API answers malformed JSON itself
                return first_problem(_walk(data, ""))
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                return first_problem((k, v) for key, values in request.POST.lists()
                                     for k, v in ((key, key), *((key, x) for x in values)))
        except RawPostDataException:
            return None
        return None
