"""Deep and huge bodies on every route (API and pages), anonymous and logged in: never a 5xx.

Finding 7 of issue 14: a JSON body nested 5,000 deep gave a 500 (RecursionError in the input guard) without
logging in. It now gets 400 naming the rule, before any parser recurses; a body over Django's upload limit gets
400 too. The e2e fuzz (``tests/e2e/reliability/fuzz.py``) sends the same bodies to the running server.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mescams.edc.security.inputs import MAX_DEPTH, json_depth
from tests.integration.edc.reliability.routes import api_routes, fill_api, fill_page, page_routes

DEEP = b"[" * 5000 + b"]" * 5000
DEEP_OBJECT = b'{"a":' * 5000 + b"1" + b"}" * 5000
HUGE = json.dumps({"text": "x" * 3_000_000}).encode()  # over Django's 2.5 MB in-memory limit
VALUES = {"participant_id": "OTT-001", "record_id": "1", "record_pk": "1", "visit_code": "W0",
          "form_name": "vital_signs", "scan_id": "S-1", "query_id": "1", "name": "x", "filename": "x",
          "entry_id": "1", "request_id": "1", "user_id": "1"}


def test_the_depth_is_measured_without_recursion_and_ignores_strings() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[[[["}]}') == 3
    assert json_depth(DEEP) == 5000
    assert json_depth(b'"unterminated \\" [[[[') == 0
    assert json_depth(DEEP, stop_above=MAX_DEPTH) == MAX_DEPTH + 1


def test_a_deep_body_gets_400_without_logging_in() -> None:
    c = Client(raise_request_exception=False)
    for body in (DEEP, DEEP_OBJECT):
        r = c.post("/api/auth/login", body, content_type="application/json")
        assert r.status_code == 400, r.content[:200]
        assert r.json()["field"] == "body" and str(MAX_DEPTH) in r.json()["rule"]
    # the API reads a body as JSON whatever its declared type: the guard does not trust the header either
    assert c.post("/api/auth/login", DEEP, content_type="text/plain").status_code == 400
    ok = {"username": "nobody", "password": "x", "extra": [[[[1]]]]}
    assert c.post("/api/auth/login", json.dumps(ok), content_type="application/json").status_code == 401


def _targets() -> list[tuple[str, str]]:
    out = [(m, fill_api(p, VALUES)) for m, p in api_routes() if m != "GET"]
    out += [("POST", fill_page(route, VALUES)) for _, route in page_routes()]
    return out


@pytest.mark.parametrize("who", ["anonymous", "coord", "lab"])
def test_deep_and_huge_bodies_on_every_route_never_give_a_server_error(who, users) -> None:
    c = Client(raise_request_exception=False)
    if who != "anonymous":
        c.force_login(users[who])
    crashes = []
    for method, path in _targets():
        call = getattr(c, method.lower())
        for body in (DEEP, DEEP_OBJECT, HUGE):
            r = call(path, body, content_type="application/json")
            if r.status_code >= 500:
                crashes.append((method, path, len(body), r.status_code))
        r = call(path, {"field": "x" * 3_000_000})  # a huge form post
        if r.status_code >= 500:
            crashes.append((method, path, "form", r.status_code))
    assert not crashes, crashes[:10]
