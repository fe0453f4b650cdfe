"""Authentication hardening: argon2, rate limit (log-in delays: test_login_throttle.py), password rules,
sessions, cookies, headers, logs."""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from mescams.edc.security.models import LoginThrottle
from mescams.edc.settings import build_settings
from tests.factories.edc import PASSWORD, RANDOMISATION, randomised

PRODUCTION = {"MESCAMS_SECRET_KEY": "s" * 50}
LOGIN = "/api/auth/login"


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password}, content_type="application/json")


def test_production_settings_hash_with_argon2_and_check_passwords() -> None:
    values = build_settings(PRODUCTION)
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=values["PASSWORD_HASHERS"]):
        assert make_password("a long enough passphrase").startswith("argon2$argon2id$")
    with override_settings(AUTH_PASSWORD_VALIDATORS=values["AUTH_PASSWORD_VALIDATORS"]):
        for weak in ("short1", "qwertyuiop", "1234567890"):
            with pytest.raises(ValidationError):
                validate_password(weak)
        validate_password("crossover trial of stem cells 2015")


def test_cookies_are_secure_outside_demo_and_plain_http_mode() -> None:
    production = build_settings(PRODUCTION)
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["SESSION_COOKIE_AGE"] == 30 * 60
    assert "mescams.edc.security.sessions.IdleTimeoutMiddleware" in production["MIDDLEWARE"]
    demo = build_settings({"MESCAMS_DEMO": "1"})
    assert not demo["SESSION_COOKIE_SECURE"]
    http = build_settings({**PRODUCTION, "MESCAMS_INSECURE_HTTP": "1", "MESCAMS_SESSION_IDLE_MINUTES": "5"})
    assert not http["SESSION_COOKIE_SECURE"] and http["SESSION_COOKIE_AGE"] == 300


def test_login_rotates_the_session_and_sets_hardened_cookies(users) -> None:
    c = Client()
    session = c.session
    session["planted"] = "by an attacker"
    session.save()
    before = c.cookies["sessionid"].value
    with override_settings(SESSION_COOKIE_SECURE=True):
        r = _login(c, "coord", PASSWORD)
    assert r.status_code == 200
    cookie = r.cookies["sessionid"]
    assert cookie.value != before  # a fixed session cannot be carried across log-in
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # a browser session cookie: gone when the browser closes


def test_the_session_expires_after_inactivity_not_after_login(users) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from mescams.edc.security.sessions import TOUCHED

    c = Client()
    assert _login(c, "coord", PASSWORD).status_code == 200
    key = c.cookies["sessionid"].value
    assert c.get("/api/auth/me").status_code == 200
    assert Session.objects.get(session_key=key).expire_date - timezone.now() > timezone.timedelta(minutes=29)
    # as if the last request was 25 minutes ago
    store = SessionStore(key)
    store[TOUCHED] = int(time.time()) - 25 * 60
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timezone.timedelta(minutes=5))
    assert c.get("/api/auth/me").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert timezone.timedelta(minutes=29) < renewed <= timezone.timedelta(minutes=30)  # each request renews it
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert c.get("/api/auth/me").status_code == 401


def test_login_attempts_per_address_are_rate_limited_before_any_password_check(users) -> None:
    c = Client()
    with override_settings(MESCAMS_LOGIN_RATE=(3, 60)):
        for name in ("dm", "dsmb", "mri"):  # spraying several accounts from one address
            assert _login(c, name, "wrong").status_code == 401
        limited = _login(c, "coord", PASSWORD)
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert int(limited["Retry-After"]) >= 1
        page = c.post("/accounts/login/", {"username": "coord", "password": PASSWORD})
        assert page.status_code == 429
        other = Client(REMOTE_ADDR="10.0.0.9")
        assert _login(other, "coord", PASSWORD).status_code == 200  # another address is not affected
    # the limited attempts never reached the check: only the three sprayed failures were counted for the address
    assert LoginThrottle.objects.get(key="address:127.0.0.1").failures == 3


@pytest.mark.parametrize("path", ["/api/auth/csrf", "/accounts/login/", "/api/participants"])
def test_security_headers_on_pages_and_api(path: str, users) -> None:
    c = Client()
    c.force_login(users["coord"])
    r = c.get(path)
    assert r.status_code in (200, 302)
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r["Permissions-Policy"]
    if path.startswith("/api/"):
        assert r["Cache-Control"] == "no-store"


def test_no_secrets_or_personal_data_in_logs(users, allocation, caplog) -> None:
    """Log in (right and wrong), enter personal data, and fail validation: nothing sensitive reaches a log."""
    from django.conf import settings

    caplog.set_level(logging.DEBUG)
    c = Client()
    _login(c, "coord", "my-wrong-secret-password")
    assert _login(c, "coord", PASSWORD).status_code == 200
    pid = randomised(users["coord"])
    body = {"sex": "F", "birth_date": "1981-07-13", "race": "WHITE", "ethnicity": "NOT REPORTED", "ms_course": "RRMS",
            "ms_onset_date": "2005-01-01"}
    assert c.post(f"/api/participants/{pid}/forms/demographics", body,
                  content_type="application/json").status_code == 201
    bad = {**body, "birth_date": "2999-01-01"}
    assert c.post(f"/api/participants/{pid}/forms/demographics", bad,
                  content_type="application/json").status_code in (409, 422)
    c.get("/api/participants/OTT-999")  # a 404 is logged by Django: the path only
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert caplog.records, "the requests above should have logged something (e.g. the 4xx warnings)"
    for secret in (PASSWORD, "my-wrong-secret-password", settings.SECRET_KEY, "1981-07-13", "2999-01-01",
                   c.cookies["sessionid"].value):
        assert secret not in text
    assert RANDOMISATION  # the participant was randomised through the services (data entered)
