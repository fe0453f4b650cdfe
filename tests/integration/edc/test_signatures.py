"""Casebook e-signatures (21 CFR Part 11 §11.50, §11.70): signing an incomplete casebook needs "sign anyway" and
a reason; any audited change of the casebook's records afterwards invalidates the signature, naming the audit
entry, and the casebook needs signing again; a replayed request signs once; the manifestation carries printed
name, UTC and site time, and meaning."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from django.test import Client

from mescams.edc.accounts.services import create_user
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.queries.models import Signature
from mescams.edc.queries.services import open_query, sign_casebook
from tests.factories.edc import PASSWORD, RANDOMISATION, randomised

MEANING = "Approval of casebook contents"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sign(client: Client, pid: str, **extra):
    return client.post(f"/api/participants/{pid}/signature", {"password": PASSWORD, "meaning": MEANING, **extra},
                       content_type="application/json")


def test_an_incomplete_casebook_is_signed_only_anyway_with_a_reason(users, allocation) -> None:
    pid = randomised(users["coord"])
    open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg", text="Weight?")
    inv = _client(users["inv"])
    status = inv.get(f"/api/participants/{pid}/casebook").json()
    assert status["state"] == "unsigned"
    assert any(g.startswith("visit W4 ") for g in status["incomplete"])
    assert any(g.startswith("query on vital_signs.weight_kg open since ") for g in status["incomplete"])
    refused = _sign(inv, pid)
    assert refused.status_code == 422 and refused.json()["field"] == "sign_anyway"
    assert "visit W4" in refused.json()["detail"]
    no_reason = _sign(inv, pid, sign_anyway=True)
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    assert not Signature.objects.exists()
    signed = _sign(inv, pid, sign_anyway=True, reason="interim review for the DSMB")
    assert signed.status_code == 201, signed.content
    body = signed.json()
    assert body["signed_anyway_reason"] == "interim review for the DSMB" and body["incomplete"] == status["incomplete"]
    assert body["state"] == "valid"


def test_a_change_after_signing_invalidates_the_signature_naming_the_audit_entry(users, allocation) -> None:
    pid = randomised(users["coord"])
    inv = _client(users["inv"])
    assert _sign(inv, pid, sign_anyway=True, reason="interim").status_code == 201
    record = VitalSigns.objects.get(participant__participant_id=pid)
    save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=record.pk,
              values={"weight_kg": 71.5}, reason="transcription error")
    change = AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(record.pk), field="weight_kg",
                                       action="update").get()
    listed = inv.get(f"/api/participants/{pid}/signatures").json()
    assert [s["state"] for s in listed] == [f"invalidated by change (audit entry {change.seq})"]
    assert listed[0]["invalidated_by_audit_seq"] == change.seq
    assert "vital_signs" in listed[0]["invalidating_change"]
    assert inv.get(f"/api/participants/{pid}/casebook").json()["state"] == "needs re-signing"
    marks = AuditEntry.objects.filter(table="queries_signature", field="invalidated_by_seq", action="update")
    assert [m.new for m in marks] == [str(change.seq)]  # the invalidation is itself audited
    page = inv.get(f"/site/p/{pid}/").content.decode()
    assert f"invalidated by change (audit entry {change.seq})" in page and "needs signing again" in page
    exported = _client(users["statistician"]).get("/api/export/analysis-data")  # the exports say it too
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    row = next(csv.DictReader(io.StringIO(archive.read("analysis-data/participants.csv").decode("utf-8"))))
    assert row["casebook_signature"] == f"needs re-signing (signature invalidated by change (audit entry {change.seq}))"
    again = _sign(inv, pid, sign_anyway=True, reason="re-signed after the correction")
    assert again.status_code == 201  # a new signature: the first no longer stands
    assert inv.get(f"/api/participants/{pid}/casebook").json()["state"] == "signed"
    save_form(user=users["coord"], participant_id=pid, form="vital_signs",
              values={"visit_code": "W4", "assessment_date": RANDOMISATION + dt.timedelta(weeks=4),
                      "weight_kg": 71.0})  # a new record of the casebook is a change too
    assert inv.get(f"/api/participants/{pid}/casebook").json()["state"] == "needs re-signing"


def test_a_replayed_signature_request_signs_once(users, allocation) -> None:
    pid = randomised(users["coord"])
    inv = _client(users["inv"])
    first = _sign(inv, pid, sign_anyway=True, reason="interim")
    replay = _sign(inv, pid, sign_anyway=True, reason="interim")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert first.json() == replay.json()
    assert Signature.objects.count() == 1
    again = sign_casebook(user=users["inv"], participant_id=pid, password=PASSWORD, meaning=MEANING,
                          sign_anyway=True, reason="interim")
    assert again.replayed and Signature.objects.count() == 1


def test_the_manifestation_shows_printed_name_utc_and_site_time_and_meaning(users, allocation) -> None:
    signer = create_user(username="dr_ng", password=PASSWORD, role="investigator", site_codes=["OTT", "WPG"],
                         first_name="Alice", last_name="Ng")
    ott, wpg = randomised(users["coord"]), randomised(users["coord_wpg"], site="WPG")
    shown = {}
    for pid in (ott, wpg):
        s = sign_casebook(user=signer, participant_id=pid, password=PASSWORD, meaning=MEANING, sign_anyway=True,
                          reason="interim")
        shown[pid] = _client(signer).get(f"/api/participants/{pid}/signatures").json()[0]
        assert shown[pid]["printed_name"] == "Alice Ng" and shown[pid]["meaning"] == MEANING
        assert shown[pid]["signed_at_utc"] == s.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert shown[ott]["site_timezone"] == "America/Toronto" and "(America/Toronto)" in shown[ott]["signed_at_site"]
    assert shown[wpg]["site_timezone"] == "America/Winnipeg" and "(America/Winnipeg)" in shown[wpg]["signed_at_site"]
    assert shown[ott]["signed_at_site"][:16] != shown[ott]["signed_at_utc"][:16]  # never UTC relabelled
