"""A guard in front of every view: text with control characters, of absurd length, or a date outside 1900-2100
is refused, naming the field.

Why here and not in each form: a NUL character or an escape sequence is never clinical data, PostgreSQL refuses
NUL in text (the request would fail deep inside a transaction instead of with a clear error), and a megabyte
"term" is an attack, not an entry. One check covers the JSON API, the pages' form posts, query strings and paths,
including free-form JSON such as the screening record. The answer is 422 with the field and the rule, the same
shape as every other validation error of the API; nothing reaches a view or the database.

A body nested deeper than :data:`MAX_DEPTH` (``[[[[...]]]]`` 5,000 deep) is refused with 400 before anything
parses it: Python's JSON parser (ours here, and django-ninja's after us) recurses once per level and would end in
a RecursionError, a 500 that any anonymous client could provoke. The depth is measured on the raw text by one
regular-expression pass (strings taken out, brackets counted), without recursion, whatever the content type the
client claims: the API parses a body as JSON whatever the header says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpResponse
from django.http.request import RawPostDataException

__all__ = ["CONTROL", "MAX_DEPTH", "MAX_TEXT", "InputGuardMiddleware", "first_problem", "json_depth"]

MAX_TEXT = 20_000
"""The longest text any field accepts (the longest model text is 4,000; JSON records are nested, not long)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab, line feed and carriage return."""
MAX_DEPTH = 32
"""The deepest nesting of objects and arrays a JSON body may have (the EDC's own bodies are at most 4 deep)."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\[\s\S]?)*+(?:"|\Z)')
"""A JSON string, or an unterminated one up to the end (so that no text makes the scan go back: linear time)."""
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
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


def json_depth(body: bytes, *, stop_above: int | None = None) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text (strings ignored), counted without recursion.

    With ``stop_above``, the answer only says whether the depth exceeds it (the count stops there, and a text with
    no more openers than that answers with their number), so a hostile body costs one pass at most.
    """
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    openers = brackets.count(b"[") + brackets.count(b"{")
    if stop_above is not None and openers <= stop_above:
        return openers  # cannot be deeper than the number of openers: most bodies end here
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


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


def _refuse(request: Any, field: str, rule: str, *, status: int = 422) -> HttpResponse:
    body = {"error": "invalid_input", "detail": f"{field}: {rule}", "field": field, "rule": rule}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        problem = first_problem(iter([("path", request.path)])) or first_problem(
            (k, v) for key, values in request.GET.lists() for k, v in ((key, key), *((key, x) for x in values)))
        if problem is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if self._too_deep(request):
                return _refuse(request, "body", f"JSON nested at most {MAX_DEPTH} levels deep", status=400)
            problem = self._body_problem(request)
        if problem is not None:
            return _refuse(request, *problem)
        return self.get_response(request)

    @staticmethod
    def _too_deep(request: Any) -> bool:
        if request.META.get("CONTENT_TYPE", "").startswith(("application/x-www-form-urlencoded",
                                                              "multipart/form-data")):
            return False
        try:
            return json_depth(request.body, stop_above=MAX_DEPTH) > MAX_DEPTH
        except RawPostDataException:
            return False

    @staticmethod
    def _body_problem(request: Any) -> tuple[str, str] | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if content_type.startswith("application/json"):
                try:
                    data = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError, RecursionError):
                    return None  # the API answers malformed JSON itself
                return first_problem(_walk(data, ""))
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                return first_problem((k, v) for key, values in request.POST.lists()
                                     for k, v in ((key, key), *((key, x) for x in values)))
        except RawPostDataException:
            return None
        return None
