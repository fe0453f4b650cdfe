"""The participant portal: off by default; the coordinator's invitation, the participant's own password and the
e-mailed code, their visit dates, a symptom report that alerts the site with the visit's due date, the AE diary
after an infusion; a participant sees only their own data and nothing of the staff's pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.portal.models import DiaryEntry, PortalAccount, SymptomReport
from mescams.protocols import default_protocol
from tests.factories.edc import enable_participant_portal, infuse, randomised

NEW_PASSWORD = "my own quiet meadow 42"


_capture = None


@pytest.fixture(autouse=True)
def mail_after_commit(django_capture_on_commit_callbacks) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """E-mails leave after the commit; the test's transaction never commits, so each request that sends one runs
    its on-commit hooks at its end (:func:`committed`)."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def committed(client: Client, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """POST, then run what waited for the commit (the e-mails)."""
    assert _capture is not None
    with _capture(execute=True):
        return client.post(path, data)


@pytest.fixture()
def portal_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    def turn_on() -> None:
        enable_participant_portal(tmp_path, monkeypatch)

    yield turn_on
    monkeypatch.delenv("MESCAMS_PROTOCOL", raising=False)
    default_protocol.cache_clear()


def _invite_and_activate(client_for, pid: str, language: str = "fr-ca") -> Client:  # type: ignore[no-untyped-def]
    coord = client_for("coord")
    invited = committed(coord, f"/site/p/{pid}/portal/", {"email": "marie@example.org", "language": language})
    assert invited.status_code == 302
    invitation = mail.outbox[-1]
    assert invitation.to == ["marie@example.org"]
    link = re.search(r"http://testserver(/portal/activate/[^/\s]+/)", invitation.body).group(1)
    username = re.search(r"(?:user name|nom d’utilisateur)\s*:\s*(\S+)", invitation.body, re.I).group(1)
    person = Client()
    assert person.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert person.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 200  # used once
    assert person.post("/portal/login/", {"username": username, "password": NEW_PASSWORD}).status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert person.get("/portal/").status_code == 302  # no session before the code
    wrong = "000000" if code != "000000" else "111111"
    assert person.post("/portal/verify/", {"code": wrong}).status_code == 200
    assert person.post("/portal/verify/", {"code": code}).status_code == 302
    return person


def test_the_portal_is_off_unless_the_protocol_turns_it_on(users, client_for) -> None:  # type: ignore[no-untyped-def]
    assert default_protocol().participant_portal.enabled is False
    assert Client().get("/portal/login/").status_code == 404
    assert client_for("coord").get("/site/portal/reports/").status_code == 404


def test_invitation_password_and_emailed_code_in_french(users, allocation, client_for, portal_on) -> None:  # type: ignore[no-untyped-def]
    pid = randomised(users["coord"])
    portal_on()
    person = _invite_and_activate(client_for, pid)
    assert mail.outbox[0].subject == "Étude MESCAMS : votre invitation au portail des participants"
    home = person.get("/portal/")
    assert home.status_code == 200 and '<html lang="fr-ca">' in home.text and "Mes visites" in home.text
    assert "2016-02-01" in home.text  # week 0, planned at randomisation
    account = PortalAccount.objects.get()
    assert account.activated_at is not None and account.invitation_sha256 == ""
    assert AuditEntry.objects.filter(table="portal_portalaccount", username="coord").exists()


def test_a_staff_log_in_of_a_participant_account_is_refused_without_the_code(users, client_for, portal_on) -> None:  # type: ignore[no-untyped-def]
    portal_on()
    sneaky = Client()
    sneaky.force_login(users["participant"])
    response = sneaky.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/"
    assert "_auth_user_id" not in sneaky.session


def test_a_symptom_report_alerts_the_site_with_the_visit_due_date(users, allocation, client_for, portal_on) -> None:  # type: ignore[no-untyped-def]
    users["coord"].email = "coord@ottawa.example"
    users["coord"].save()
    pid = randomised(users["coord"])
    portal_on()
    person = _invite_and_activate(client_for, pid, language="en")
    onset = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
    sent = committed(person, "/portal/symptoms/", {"onset_date": onset.isoformat(), "systems": ["visual", "sensory"],
                                             "lasted_24_hours": "yes", "fever_or_infection": "no"})
    assert sent.status_code == 302
    report = SymptomReport.objects.get()
    assert report.possible_relapse and report.visit_by == onset + dt.timedelta(days=7)
    alert = mail.outbox[-1]
    assert alert.to == ["coord@ottawa.example"] and pid in alert.subject
    assert f"on or before {report.visit_by.isoformat()}" in alert.body
    page = person.get("/portal/")
    assert f"arrange a visit on or before {report.visit_by.isoformat()}" in page.text
    # the site sees it and marks it handled (audited)
    coord = client_for("coord")
    assert pid in coord.get("/site/portal/reports/").text
    coord.post(f"/site/portal/reports/{report.pk}/acknowledge/")
    report.refresh_from_db()
    assert report.acknowledged_by.username == "coord"
    assert client_for("coord_wpg").get("/site/portal/reports/").text.count(pid) == 0
    # a report from the future is refused, naming the field
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    refused = person.post("/portal/symptoms/", {"onset_date": future, "systems": ["visual"],
                                                "lasted_24_hours": "yes", "fever_or_infection": "no"})
    assert refused.status_code == 200 and "The start date must not be in the future." in refused.text


def test_the_ae_diary_opens_after_an_infusion(users, allocation, client_for, portal_on) -> None:  # type: ignore[no-untyped-def]
    pid = randomised(users["coord"])
    infuse(users["coord"], pid, "W0")
    portal_on()
    person = _invite_and_activate(client_for, pid, language="en")
    assert person.get("/portal/diary/W24/").status_code == 404
    day = dt.date(2016, 2, 3)
    saved = person.post("/portal/diary/W0/", {"day": day.isoformat(), "symptoms": ["headache", "fatigue"],
                                              "severity": "mild"})
    assert saved.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.infusion_visit, entry.day, entry.symptoms) == ("W0", day, ["fatigue", "headache"])
    late = person.post("/portal/diary/W0/", {"day": "2016-03-30", "symptoms": [], "severity": ""})
    assert late.status_code == 200 and "must be between 2016-02-01 and 2016-02-15" in late.text


def test_a_participant_sees_only_their_own_portal_and_no_staff_page(users, allocation, client_for, portal_on) -> None:  # type: ignore[no-untyped-def]
    pid = randomised(users["coord"])
    other = randomised(users["coord"])
    portal_on()
    person = _invite_and_activate(client_for, pid, language="en")
    assert other not in person.get("/portal/").text
    for path in ["/site/", f"/site/p/{other}/", f"/site/p/{pid}/", "/dm/queries/", "/lab/worklist/",
                 "/site/portal/reports/", f"/site/p/{pid}/portal/", "/api/participants"]:
        assert person.get(path).status_code in (403, 404), path
