"""Transport and API docs (finding 9 of issue 14): HSTS whenever cookies are Secure, Swagger UI from the
installed package under a policy with no other origin and no inline script, and the schema and docs for
logged-in users only outside demo mode."""

from __future__ import annotations

import re

from django.test import Client, override_settings

from mescams.edc.settings import build_settings


def _script_policy(csp: str) -> str:
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("script-src"))


def test_hsts_is_sent_whenever_cookies_are_secure_even_behind_a_proxy() -> None:
    assert build_settings({"MESCAMS_SECRET_KEY": "s" * 50})["SESSION_COOKIE_SECURE"]
    with override_settings(SESSION_COOKIE_SECURE=True):
        r = Client().get("/accounts/login/")  # plain HTTP as a TLS-terminating proxy forwards it
    assert re.fullmatch(r"max-age=\d{8,}", r["Strict-Transport-Security"])
    assert int(r["Strict-Transport-Security"].split("=")[1]) >= 180 * 86400
    with override_settings(SESSION_COOKIE_SECURE=False):  # demo or MESCAMS_INSECURE_HTTP: plain HTTP on purpose
        assert "Strict-Transport-Security" not in Client().get("/accounts/login/")


def test_swagger_ui_comes_from_the_installed_package_without_inline_script(users) -> None:
    c = Client()
    c.force_login(users["dm"])
    page = c.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn." not in html and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    executable = [(attrs, body) for attrs, body in scripts if "application/json" not in attrs]
    assert executable and all("src=" in attrs and not body.strip() for attrs, body in executable)
    for attrs, _ in executable:
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith("/static/ninja/")
        assert c.get(src).status_code == 200  # served from the package's own files
    csp = page["Content-Security-Policy"]
    assert _script_policy(csp) == "script-src 'self'"
    assert "http" not in csp


def test_the_schema_and_docs_need_a_login_outside_demo_mode(users) -> None:
    anonymous = Client()
    with override_settings(MESCAMS_DEMO=False):
        assert anonymous.get("/api/openapi.json").status_code == 401
        docs = anonymous.get("/api/docs")
        assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
        c = Client()
        c.force_login(users["coord"])
        assert "paths" in c.get("/api/openapi.json").json()
        assert c.get("/api/docs").status_code == 200
    with override_settings(MESCAMS_DEMO=True):  # the demo shows its API to anyone
        assert anonymous.get("/api/openapi.json").status_code == 200
