"""E-mail notifications, sent through Django's SMTP backend to a local SMTP server the test starts: each user gets
only the kinds they chose (query raised, query answered, serious AE entered, signature requested, visit due), only
for participants they may see, only after the change commits, never a value or a treatment; a mail server that is
down never undoes the change. The visit calendar lists overdue, open and coming visits with their windows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mescams.edc.crfs.services import save_form
from mescams.edc.notifications.services import set_choices
from mescams.edc.queries.services import answer_query, open_query, sign_casebook
from mescams.edc.web.reminders import send_visit_reminders
from tests.factories.edc import PASSWORD, RANDOMISATION, randomised
from tests.integration.edc.test_validation_rules import GOOD
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)  # mails go out on commit


@pytest.fixture()
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = False
        yield server


def _mails(smtp: SmtpServer) -> list[tuple[str, str, str]]:
    return [(r.recipients[0], r.message["Subject"], r.message.get_payload(decode=True).decode()) for r in
            smtp.messages]


def _addresses(users) -> None:
    for name, user in users.items():
        user.email = f"{name}@site.example"
        user.save(update_fields=["email"])


def test_each_user_gets_only_what_they_chose_through_smtp(users, allocation, smtp) -> None:
    _addresses(users)
    set_choices(user=users["coord"], kinds=["query_raised", "serious_ae"])
    set_choices(user=users["coord_wpg"], kinds=["query_raised", "serious_ae"])  # other site: never told
    set_choices(user=users["dm"], kinds=["query_answered"])
    set_choices(user=users["inv"], kinds=["signature_requested"])
    pid = randomised(users["coord"])
    assert smtp.messages == []
    query = open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg", text="71 kg?")
    assert _mails(smtp) == [("coord@site.example", f"[MESCAMS] Query {query.pk} on {pid}", _mails(smtp)[0][2])]
    assert "Vital signs and weight, field Weight (kg)" in _mails(smtp)[0][2] and "71 kg?" not in _mails(smtp)[0][2]
    answer_query(user=users["coord"], query_id=query.pk, answer="Yes, 71 kg.")
    assert _mails(smtp)[1][:2] == ("dm@site.example", f"[MESCAMS] Query {query.pk} on {pid} answered")
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={**GOOD["adverse_event"], "serious": True, "serious_criteria": ["hospitalisation"],
                      "severity_grade": 3, "severity": "severe",
                      "awareness_date": RANDOMISATION + dt.timedelta(days=4)})
    assert _mails(smtp)[2][:2] == ("coord@site.example", f"[MESCAMS] Serious adverse event: {pid}")
    assert "Pneumonia" not in _mails(smtp)[2][2] and "placebo" not in _mails(smtp)[2][2].lower()
    sign_casebook(user=users["inv"], participant_id=pid, password=PASSWORD, meaning="I approve.", sign_anyway=True,
                  reason="interim")
    save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    assert _mails(smtp)[3][:2] == ("inv@site.example", f"[MESCAMS] Casebook {pid} needs your signature")
    assert len(smtp.messages) == 4 and all(r.recipients != ["coord_wpg@site.example"] for r in smtp.messages)


def test_visit_reminders_and_the_calendar(users, allocation, smtp) -> None:
    _addresses(users)
    set_choices(user=users["coord"], kinds=["visit_due"])
    pid = randomised(users["coord"])
    day = RANDOMISATION + dt.timedelta(weeks=4) - dt.timedelta(days=9)
    assert send_visit_reminders(day, days_ahead=7) == 1
    (recipient, subject, body), = _mails(smtp)
    assert recipient == "coord@site.example" and f"{pid} W4: window" in body
    client = Client()
    client.force_login(users["coord"])
    page = client.get("/site/calendar/?weeks=26").content.decode()
    assert 'id="calendar"' in page and f"/site/p/{pid}/visit/W4/" in page


def test_a_mail_server_that_is_down_never_undoes_the_change(users, allocation, settings, caplog) -> None:
    _addresses(users)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: connection refused
    set_choices(user=users["coord"], kinds=["query_raised"])
    pid = randomised(users["coord"])
    query = open_query(user=users["dm"], participant_id=pid, form="vital_signs", text="Weight?")
    assert query.pk and "not sent" in caplog.text


def test_the_preferences_page_keeps_each_users_choice(users, client_for) -> None:
    client = client_for("monitor")
    client.post("/account/notifications/", {"kinds": ["query_answered", "bogus"]})
    page = client.get("/account/notifications/").content.decode()
    assert 'value="query_answered" checked' in page and 'value="query_raised" checked' not in page
