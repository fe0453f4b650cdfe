"""Every page enforces its roles on the server: a role not allowed gets 403 (not a hidden link), an allowed role
gets the page (or a redirect, a 404 for a record it may not see, a redirect to its form for a GET on a POST-only
action)."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.urls import URLPattern

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.crfs.access import may_write
from mescams.edc.crfs.models import FORMS
from mescams.edc.portal.middleware import SECOND_FACTOR_KEY
from mescams.edc.web import urls as web_urls
from tests.factories.edc import randomised


def _concrete(route: str, pid: str, form: str) -> str:
    values = {"participant_id": pid, "visit_code": "W0", "form_name": form, "record_pk": "1",
              "scan_id": "S0", "query_id": "1", "name": "none", "filename": "report.html", "entry_id": "1",
              "term_id": "1", "visit_id": "1"}
    for key, value in values.items():
        route = re.sub(rf"<(?:str|int):{key}>", value, route)
    return "/" + route


def test_every_page_refuses_the_roles_it_is_not_for(users, allocation) -> None:
    pid = randomised(users["coord"])
    checked = 0
    for pattern in web_urls.pages:
        assert isinstance(pattern, URLPattern)
        allowed = getattr(pattern.callback, "allowed_roles", None)
        if pattern.name == "home":
            continue
        assert allowed, f"page {pattern.name} does not declare its roles"
        forms = ["vital_signs", "edss"] if "<str:form_name>" in str(pattern.pattern) else ["-"]
        for form in forms:
            path = _concrete(str(pattern.pattern), pid, form)
            for user in users.values():
                if user.username == "coord_wpg":
                    continue
                client = Client()
                client.force_login(user)
                if user.role == Role.PARTICIPANT.value:  # past the portal's second factor, as a participant is
                    session = client.session
                    session[SECOND_FACTOR_KEY] = True
                    session.save()
                status = client.get(path).status_code
                may = Role(user.role) in allowed and (form == "-" or may_write(user.role, form))
                assert (status == 403) != may, (pattern.name, form, user.role, status)
                checked += 1
    assert checked > 300


def test_unblinded_pages_are_only_for_roles_the_policy_unblinds() -> None:
    """The oversight and lab pages are open exactly to roles the one blinding policy lets see allocation."""
    for pattern in web_urls.pages:
        allowed = getattr(pattern.callback, "allowed_roles", frozenset())
        if pattern.name and pattern.name.startswith(("oversight", "lab_")):
            assert allowed, pattern.name
            assert all(BLINDING_POLICY.may_see(role, Reveal.SEQUENCE) for role in allowed), pattern.name


def test_a_site_user_gets_404_for_another_sites_participant(users, allocation) -> None:
    pid = randomised(users["coord"])  # an Ottawa participant
    client = Client()
    client.force_login(users["coord_wpg"])
    assert client.get(f"/site/p/{pid}/").status_code == 404
    assert client.get(f"/site/p/{pid}/forms/vital_signs/new/").status_code == 404
    assert client.post(f"/site/p/{pid}/forms/vital_signs/new/", {"weight_kg": "70"}).status_code == 404
    assert FORMS["vital_signs"].objects.filter(participant__participant_id=pid).count() == 1


def test_report_downloads_refuse_paths_outside_the_reports_folder(users, settings, tmp_path: Path) -> None:
    settings.MESCAMS_DATA_DIR = str(tmp_path)
    (tmp_path / "reports" / "r1").mkdir(parents=True)
    (tmp_path / "reports" / "r1" / "report.html").write_text("<h1>report</h1>")
    (tmp_path / "reports" / "r1" / "exit-status").write_text("0\n")
    client = Client()
    client.force_login(users["dsmb"])
    response = client.get("/oversight/reports/r1/report.html")
    assert response.status_code == 200 and b"".join(response) == b"<h1>report</h1>"
    assert client.get("/oversight/reports/r1/exit-status").status_code == 404
    assert client.get("/oversight/reports/../report.html").status_code == 404
    assert b"done" in client.get("/oversight/reports/").content
    client.force_login(users["dm"])
    assert client.get("/oversight/reports/r1/report.html").status_code == 403


def test_the_rater_inbox_holds_only_queries_on_the_raters_own_forms(users, allocation) -> None:
    """The coordinator's inbox in the rater's scope: EDSS queries listed and answerable; a query on any other form
    (vital signs here; infusions, labs and AEs alike) neither listed nor answerable by the rater."""
    from mescams.edc.queries.models import Query
    from mescams.edc.queries.services import open_query

    pid = randomised(users["coord"])
    edss = open_query(user=users["dm"], participant_id=pid, form="edss", text="Please confirm the EDSS step.")
    other = open_query(user=users["dm"], participant_id=pid, form="vital_signs", text="Please confirm the weight.")
    rater = Client()
    rater.force_login(users["rater"])
    page = rater.get("/rater/queries/").content.decode()
    assert "Queries on your EDSS forms" in page and "Please confirm the EDSS step." in page
    assert "Please confirm the weight." not in page
    assert f'href="/rater/p/{pid}/"' in page and f'href="/site/p/{pid}/"' not in page
    assert '<a href="/rater/queries/">Queries</a>' in page  # in the rater's navigation

    response = rater.post(f"/queries/{edss.pk}/answer/", {"answer": "EDSS 4.0 confirmed."})
    assert response.status_code == 302 and response["Location"] == "/rater/queries/"
    assert Query.objects.get(pk=edss.pk).answer == "EDSS 4.0 confirmed."
    assert rater.post(f"/queries/{other.pk}/answer/", {"answer": "x"}).status_code == 404
    assert Query.objects.get(pk=other.pk).status == "open"
    assert rater.get("/site/queries/").status_code == 403

    coord = Client()
    coord.force_login(users["coord"])
    assert coord.get("/rater/queries/").status_code == 403
    both = coord.get("/site/queries/").content.decode()
    assert "Please confirm the weight." in both and "Please confirm the EDSS step." in both
