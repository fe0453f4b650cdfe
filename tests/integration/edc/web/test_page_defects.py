"""Defects a new user met (issue 18), each fixed and kept fixed: a GET on a POST-only address leads back to its
form, a refusal (403) is one log line, a coordinator typing /admin/ gets a 403 instead of a redirect loop, every
``aria-describedby`` names an element of the page, and criteria read as the protocol words them."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import URLPattern

from mescams.core.blinding import Role
from mescams.edc.crfs.access import may_write
from mescams.edc.crfs.models import FORMS
from mescams.edc.web import urls as web_urls
from tests.factories.edc import eligible_record, randomised, screened
from tests.integration.edc.web.test_page_access import _concrete

USER_OF = {Role.SITE_COORDINATOR: "coord", Role.INVESTIGATOR: "inv", Role.CELL_LAB: "lab",
           Role.DATA_MANAGER: "dm", Role.UNBLINDED_STATISTICIAN: "statistician", Role.EDSS_RATER: "rater",
           Role.MONITOR: "monitor"}


def test_a_get_on_a_post_only_address_leads_back_to_its_form(users, allocation) -> None:
    pid = randomised(users["coord"])
    checked = []
    for pattern in web_urls.pages:
        assert isinstance(pattern, URLPattern)
        back = getattr(pattern.callback, "post_only_back", None)
        if back is None:
            continue
        role = next(r for r in USER_OF if r in pattern.callback.allowed_roles)  # type: ignore[attr-defined]
        client = Client()
        client.force_login(users[USER_OF[role]])
        path = _concrete(str(pattern.pattern), pid, "-")
        response = client.get(path)
        assert response.status_code == 302, (pattern.name, response.status_code)
        landing = client.get(response["Location"], follow=True)
        assert landing.status_code == 200, (pattern.name, response["Location"])
        assert "That address takes a form&#x27;s submission" in landing.content.decode()
        assert client.put(path).status_code == 405  # other methods are still refused
        checked.append(pattern.name)
    assert {"randomise", "sign", "dm_lock_action", "answer_query", "lab_prepare"} <= set(checked)


def test_a_refusal_is_one_log_line_without_a_traceback(users, client_for, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for("coord").get("/dm/queries/").status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert "\n" not in line and "/dm/queries/" in line and "site_coordinator" in line


def test_a_coordinator_typing_admin_gets_403_not_a_loop(users, client_for) -> None:
    client = client_for("coord")
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2 and "Back to your dashboard" in response.content.decode()
    anonymous = Client().get("/admin/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")
    admin = client_for("admin").get("/admin/")
    assert admin.status_code == 200


def _dangling_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    refs = [ref for value in re.findall(r'aria-describedby="([^"]*)"', html) for ref in value.split()]
    return [ref for ref in refs if ref not in ids]


@pytest.mark.parametrize("form", [f for f in FORMS if f not in ("screening", "consent")])
def test_every_aria_describedby_names_an_element_of_the_page(users, allocation, form) -> None:
    pid = randomised(users["coord"])
    name = "rater" if form == "edss" else "coord"
    if not may_write(users[name].role, form):
        pytest.skip(f"{form} is not entered from the site pages")
    client = Client()
    client.force_login(users[name])
    blank = client.get(f"/site/p/{pid}/forms/{form}/new/").content.decode()
    assert "aria-describedby" in blank or form != "edss"
    assert _dangling_descriptions(blank) == []
    refused = client.post(f"/site/p/{pid}/forms/{form}/new/", {"visit_code": "W4"}).content.decode()
    assert 'aria-invalid="true"' in refused
    assert _dangling_descriptions(refused) == []


def test_criteria_show_the_protocol_text_and_reasons_in_words(users, allocation) -> None:
    record = eligible_record(able_to_consent=True)
    record["conditions"] = [{"code": "hiv", "active": True}]
    pid = screened(users["coord"], record=record)
    client = Client()
    client.force_login(users["coord"])
    client.post(f"/site/p/{pid}/eligibility/", {"on": "2016-02-01"})
    page = client.get(f"/site/p/{pid}/").content.decode()
    e4 = page[page.index('id="criterion-E4"'):]
    e4 = e4[:e4.index("</tr>")]
    assert "A history of active or chronic infection including infection with HIV1-2" in e4
    assert "history of HIV" in e4 and "hiv" not in e4.replace("HIV", "")
    assert "Age 18 to 50 years old, inclusive at time of informed consent" in page
    for internal in ("able_to_consent", "consent_date", "is true", "is false", "hepatitis_b_chronic"):
        assert internal not in page
