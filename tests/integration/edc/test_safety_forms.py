"""The case forms (CIOMS I PDF, E2B(R3) XML), the reminders by e-mail (locmem backend) and the safety pages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import Client
from typer.testing import CliRunner

from mescams.edc.crfs.base import today
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.safety import actions
from mescams.edc.safety.cases import safety_case
from mescams.edc.safety.cioms import cioms_html, cioms_pdf
from mescams.edc.safety.e2b import HL7, icsr_xml
from mescams.edc.safety.reminders import send_reminders
from tests.factories.edc import infuse, randomised
from tests.integration.edc import safety_world
from tests.integration.edc.safety_world import UNLISTED_PT, serious_case

coding = safety_world.coding
D = dt.timedelta
NS = {"h": HL7}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@pytest.fixture()
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    return mail.outbox


def _msc_case(users, coding):
    """A revealed SUSAR: the first participant whose week-0 product is MSC."""
    for _ in range(6):
        pid = randomised(users["coord"])
        if AllocationSlot.objects.get(participant__participant_id=pid).sequence.startswith("MSC"):
            infuse(users["coord"], pid)
            ae = serious_case(users, pid=pid)
            coding.terms[ae.pk] = UNLISTED_PT
            actions.reveal_case(user=users["safety"], record_pk=ae.pk, reason="verdict")
            return safety_case(user=users["safety"], record_pk=ae.pk, today=today())
    raise AssertionError("no MSC-first participant among the first six")


def test_cioms_form_carries_the_case(users, allocation, coding) -> None:
    case = _msc_case(users, coding)
    html = cioms_html(case, generated_on=dt.date(2016, 2, 10))
    for text in (case.participant_id, "Anaphylaxis (verbatim)", "PT 90009999 Anaphylactic reaction",
                 "[X]</span> Life threatening", "[X]</span> Involved or prolonged inpatient hospitalisation",
                 "[ ]</span> Patient died", "Autologous mesenchymal stem cells", "intravenous",
                 str(case.ae.awareness_date), "is not listed in RSI"):
        assert text in html, text
    pdf = cioms_pdf(case, generated_on=dt.date(2016, 2, 10))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    from weasyprint import HTML

    assert len(HTML(string=html).render().pages) == 1  # CIOMS I is a one-page form


def test_an_unrevealed_case_form_names_the_product_blinded(users, allocation, coding) -> None:
    ae = serious_case(users)
    coding.terms[ae.pk] = UNLISTED_PT
    case = safety_case(user=users["safety"], record_pk=ae.pk, today=today())
    html = cioms_html(case, generated_on=today())
    assert "blinded: Autologous mesenchymal stem cells or Suspension media (matching placebo)" in html


def test_e2b_icsr_has_the_required_elements(users, allocation, coding) -> None:
    case = _msc_case(users, coding)
    root = ET.fromstring(icsr_xml(case, created_at=dt.datetime(2016, 2, 10, 12, 0, tzinfo=dt.UTC)))  # noqa: S314
    assert root.tag == f"{{{HL7}}}MCCI_IN200100UV01"
    message = root.find("h:PORR_IN049016UV", NS)
    assert message is not None
    for path in ("h:id", "h:creationTime", "h:receiver/h:device/h:id", "h:sender/h:device/h:id"):  # N.2
        assert message.find(path, NS) is not None, path
    event = message.find("h:controlActProcess/h:subject/h:investigationEvent", NS)
    report_id = f"CA-NCT02239393-{case.participant_id}-AE{case.ae.ae_number}"
    assert [i.get("extension") for i in event.findall("h:id", NS)] == [report_id, report_id]  # C.1.1, C.1.8.1
    assert event.find("h:effectiveTime/h:low", NS).get("value") == case.ae.awareness_date.strftime("%Y%m%d")
    assert case.participant_id in event.find("h:text", NS).text  # H.1 narrative
    characteristics = {c.find("h:code", NS).get("code"): c.find("h:value", NS)
                       for c in event.findall("h:subjectOf2/h:investigationCharacteristic", NS)}
    assert characteristics["1"].get("code") == "2"  # C.1.3 report from study
    assert characteristics["3"].get("value") == "true"  # C.1.7 expedited
    role = event.find("h:component/h:adverseEventAssessment/h:subject1/h:primaryRole", NS)
    patient = role.find("h:player1", NS)
    assert patient.find("h:administrativeGenderCode", NS).get("code") == "2"  # D.5 female (the factories' record)
    reaction = next(o for o in role.findall("h:subjectOf2/h:observation", NS)
                    if o.find("h:code", NS).get("code") == "29")
    value = reaction.find("h:value", NS)
    assert (value.get("code"), value.get("codeSystem"), value.find("h:originalText", NS).text) == (
        "90009999", "2.16.840.1.113883.6.163", "Anaphylaxis")
    flags = {o.find("h:code", NS).get("displayName"): o.find("h:value", NS).get("value")
             for o in reaction.findall("h:outboundRelationship2/h:observation", NS)}
    assert flags["isLifeThreatening"] == "true" and flags["requiresInpatientHospitalization"] == "true"
    assert flags["resultsInDeath"] is None  # not ticked: null flavour, not false
    drug = role.find("h:subjectOf2/h:organizer/h:component/h:substanceAdministration", NS)
    name = drug.find("h:consumable/h:instanceOfKind/h:kindOfProduct/h:name", NS).text
    assert name.startswith("Autologous mesenchymal stem cells")


def test_reminders_go_to_safety_officers_only(users, allocation, coding, mailbox) -> None:
    users["safety"].email = "safety@example.org"
    users["safety"].save()
    users["dm"].email = "dm@example.org"
    users["dm"].save()
    case = _msc_case(users, coding)
    aware = case.ae.awareness_date
    run = send_reminders(today=aware + D(days=8), within_days=3)
    assert [m.to for m in mailbox] == [["safety@example.org"]]
    message = mailbox[0]
    assert "1 OVERDUE" in message.subject
    assert f"OVERDUE {(aware + D(days=7)).isoformat()}: 7-day report" in message.body
    assert f"due {(aware + D(days=15)).isoformat()}: Complete report" not in message.body  # beyond 3 days
    assert len(run.due) == 1
    mailbox.clear()
    assert send_reminders(today=aware, within_days=3).due == () and mailbox == []  # nothing due yet


def test_remind_command(users, allocation, coding, mailbox, monkeypatch) -> None:
    from mescams.cli import app

    users["safety"].email = "safety@example.org"
    users["safety"].save()
    case = _msc_case(users, coding)
    late = (case.ae.awareness_date + D(days=8)).isoformat()
    result = CliRunner().invoke(app, ["safety", "remind", "--on", late])
    assert result.exit_code == 0, result.output
    assert "reminded 1 safety officer(s) of 1 report(s), 1 overdue" in result.output
    assert len(mailbox) == 1
    bad = CliRunner().invoke(app, ["safety", "remind", "--on", "2016-02-30"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_safety_pages(users, allocation, coding) -> None:
    case = _msc_case(users, coding)
    client = Client()
    client.force_login(users["safety"])
    page = client.get("/safety/").content.decode()
    assert f"{case.participant_id} AE {case.ae.ae_number}" in page and "SUSAR" in page
    detail = client.get(f"/safety/case/{case.ae.pk}/").content.decode()
    assert "Record a report sent" in detail
    response = client.post(f"/safety/case/{case.ae.pk}/report/", {"kind": "initial_7_day",
                                                                    "sent_on": case.ae.awareness_date.isoformat(),
                                                                    "reference": "HC-1"})
    assert response.status_code == 302
    assert "sent " + case.ae.awareness_date.isoformat() in client.get("/safety/").content.decode()
    pdf = client.get(f"/safety/case/{case.ae.pk}/cioms.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    xml = client.get(f"/safety/case/{case.ae.pk}/e2b.xml")
    assert xml["Content-Type"] == "application/xml" and b"PORR_IN049016UV" in xml.content
    other = Client()
    other.force_login(users["coord"])
    assert other.get("/safety/").status_code == 403
    # a report's POST implies the case's treatment: the blinded data manager's access log leaves these routes out,
    # the operator's full log (mescams access-log) keeps them
    from mescams.edc.security import access_log

    reported = f"/safety/case/{case.ae.pk}/report/"
    assert access_log.records().filter(route=reported, method="POST").exists()
    dm = Client()
    dm.force_login(users["dm"])
    assert "/safety/" not in dm.get("/dm/access-log/").content.decode()
    assert not [r for r in dm.get("/api/access-log").json() if r["route"].startswith("/safety/")]


def test_a_french_speaking_officer_is_reminded_in_french(users, allocation, coding, mailbox) -> None:
    from django.utils import translation

    users["safety"].email, users["safety"].language = "safety@example.org", "fr-ca"
    users["safety"].save()
    case = _msc_case(users, coding)
    with translation.override("en"):  # whatever the language of whoever runs the reminders
        send_reminders(today=case.ae.awareness_date + D(days=8), within_days=3)
    message = mailbox[0]
    assert message.subject == "Sécurité MESCAMS : 1 déclaration accélérée à faire, 1 EN RETARD"
    assert message.body.startswith("Déclarations accélérées de sécurité (Santé Canada, C.05.014) au ")
    assert "- EN RETARD " in message.body and "OVERDUE" not in message.body
