"""Every route of the EDC, read from the code: the API's OpenAPI schema and Django's URL patterns (the pages).

Used by the access-control matrix and the site-isolation walk, so a new route is covered the day it is added.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_PREFIXES = ("admin/", "static/")  # Django admin has its own staff checks; static files are public
PUBLIC_API = {("GET", "/api/auth/csrf"), ("POST", "/api/auth/login"), ("GET", "/api/openapi.json"),
              ("GET", "/api/docs")}
PUBLIC_PAGES = {"accounts/login/", "admin/login/", "language/",  # the language switch works before log-in
                "portal/login/", "portal/verify/", "portal/activate/<str:token>/"}  # the participant's way in


def api_routes() -> list[tuple[str, str]]:
    """(METHOD, /api/path/{param}) of every API operation."""
    schema = Client().get("/api/openapi.json").json()
    return sorted((m.upper(), p) for p, ops in schema["paths"].items() for m in ops)


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith(SKIPPED_PREFIXES) or route.startswith("api/"):
                continue
            out += _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            if route.startswith(SKIPPED_PREFIXES) or route.startswith("api/") or route.startswith("^"):
                continue
            out.append((p.name or route, route))
    return out


def page_routes() -> list[tuple[str, str]]:
    """(name, django route such as site/p/<str:participant_id>/) of every page."""
    return sorted(set(_walk(get_resolver().url_patterns)))


def fill_api(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def fill_page(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), route)
