"""The pages' actions through the audited services: e-signature with re-authentication, emergency unblinding
revealed to the requester only, locks, the lab's release record and live dose plan, the MRI reader's scan list."""

from __future__ import annotations

import re

from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import FORMS
from mescams.edc.queries.models import DataLock, Signature
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.models import EmergencyUnblinding
from tests.factories.edc import PASSWORD, infuse, randomised
from tests.integration.edc.web.test_form_validation import field_errors


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def test_casebook_signature_needs_the_password_again(users, allocation) -> None:
    pid = randomised(users["coord"])
    inv = _as(users, "inv")
    response = inv.post(f"/site/p/{pid}/sign/", {"meaning": "I attest.", "password": "wrong password"})
    assert "wrong user name or password" in field_errors(response.content.decode(), "password", "sign")
    assert not Signature.objects.exists()
    response = inv.post(f"/site/p/{pid}/sign/", {"meaning": "", "password": PASSWORD})
    assert "required" in field_errors(response.content.decode(), "meaning", "sign")
    response = inv.post(f"/site/p/{pid}/sign/", {"meaning": "I attest.", "password": PASSWORD})
    assert "incomplete" in field_errors(response.content.decode(), "sign_anyway", "sign")  # visits are still to come
    response = inv.post(f"/site/p/{pid}/sign/", {"meaning": "I attest.", "password": PASSWORD, "sign_anyway": "on"})
    assert "reason" in field_errors(response.content.decode(), "reason", "sign")
    assert not Signature.objects.exists()
    response = inv.post(f"/site/p/{pid}/sign/", {"meaning": "I attest.", "password": PASSWORD, "sign_anyway": "on",
                                                 "reason": "interim review"})
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.signed_by, signature.meaning) == ("inv", "I attest.")
    assert _as(users, "coord").post(f"/site/p/{pid}/sign/", {"meaning": "x", "password": PASSWORD}).status_code == 403


def test_each_label_of_the_participant_page_names_its_own_field(users, allocation) -> None:
    """The page holds the re-consent, withdrawal, signature and unblinding forms: no id twice, so the casebook's
    "Reason for signing an incomplete casebook" label does not lead to the withdrawal's reason."""
    pid = randomised(users["coord"])
    page = _as(users, "inv").get(f"/site/p/{pid}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label for="([^"]+)"', page):
        assert target in ids, target
    assert '<label for="sign_reason">Reason for signing an incomplete casebook' in page


def test_emergency_unblinding_is_shown_to_the_requester_only(users, allocation) -> None:
    pid = randomised(users["coord"])
    sequence = AllocationSlot.objects.get(participant__participant_id=pid).sequence
    inv = _as(users, "inv")
    response = inv.post(f"/site/p/{pid}/unblind/", {"reason": ""})
    assert "required" in field_errors(response.content.decode(), "reason", "unblind")
    assert not EmergencyUnblinding.objects.exists()
    response = inv.post(f"/site/p/{pid}/unblind/", {"reason": "anaphylaxis; treating physician needs to know"})
    assert response.status_code == 200 and sequence in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    record = EmergencyUnblinding.objects.get()
    assert record.requested_by == users["inv"] and "anaphylaxis" in record.reason
    for name in ("coord", "inv"):  # afterwards the flag shows, never the sequence, even to the investigator
        page = _as(users, name).get(f"/site/p/{pid}/").content.decode()
        assert "emergency unblinded" in page and "MSC-PLACEBO" not in page and "PLACEBO-MSC" not in page
    assert _as(users, "coord").post(f"/site/p/{pid}/unblind/", {"reason": "curious"}).status_code == 403


def test_a_locked_participant_cannot_be_changed_until_an_audited_unlock(users, allocation) -> None:
    pid = randomised(users["coord"])
    dm = _as(users, "dm")
    # the locks page only links to a confirmation; a lock without it is sent there and locks nothing
    assert f'href="/dm/locks/confirm/?participant_id={pid}"' in dm.get("/dm/locks/").content.decode()
    unconfirmed = dm.post("/dm/locks/action/", {"participant_id": pid, "action": "lock"})
    assert unconfirmed["Location"] == f"/dm/locks/confirm/?participant_id={pid}"
    assert not DataLock.objects.exists()
    confirm = dm.get(f"/dm/locks/confirm/?participant_id={pid}").content.decode()
    assert f"Lock {pid}?" in confirm and "nobody can change" in confirm
    assert "lock-banner" not in _as(users, "coord").get(f"/site/p/{pid}/").content.decode()
    confirmed = {"participant_id": pid, "action": "lock", "confirmed": "yes"}
    assert dm.post("/dm/locks/action/", confirmed).status_code == 302
    page = _as(users, "coord").get(f"/site/p/{pid}/").content.decode()
    assert 'id="lock-banner"' in page and f"{pid}'s data are locked" in page  # seen before saving
    form_page = _as(users, "coord").get(f"/site/p/{pid}/forms/vital_signs/new/").content.decode()
    assert 'id="lock-banner"' in form_page  # and on the form itself, before typing anything
    data = {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": "71"}
    response = _as(users, "coord").post(f"/site/p/{pid}/forms/vital_signs/new/", data)
    assert "locked" in response.content.decode()
    assert FORMS["vital_signs"].objects.filter(participant__participant_id=pid).count() == 1
    dm.post("/dm/locks/action/", {"participant_id": pid, "action": "unlock", "reason": ""})
    assert "unlock needs a reason" in dm.get("/dm/locks/").content.decode()
    dm.post("/dm/locks/action/", {"participant_id": pid, "action": "unlock", "reason": "query resolved"})
    assert _as(users, "coord").post(f"/site/p/{pid}/forms/vital_signs/new/", data).status_code == 302
    assert "lock-banner" not in _as(users, "coord").get(f"/site/p/{pid}/").content.decode()
    assert AuditEntry.objects.filter(table="queries_datalock", field="unlock_reason", new='"query resolved"').exists()


def test_lab_release_record_and_live_dose_plan(users, allocation) -> None:
    pid = randomised(users["coord"])
    slot = AllocationSlot.objects.get(participant__participant_id=pid)
    lab = _as(users, "lab")
    page = lab.get(f"/lab/{pid}/W0/").content.decode()
    assert "has not recorded this infusion yet" in page
    plan = lab.post(f"/lab/{pid}/W0/dose/", {"viable_cells": "9e7"}).content.decode()
    assert "9.00 × 10⁷ cells" in plan and "below target" in plan  # 70 kg: 7e7 minimum, 1.05e8 target
    too_few = lab.post(f"/lab/{pid}/W0/dose/", {"viable_cells": "5e7"}).content.decode()
    assert "fewer than the minimum dose" in too_few
    infuse(users["coord"], pid, "W0")
    msc = slot.sequence.startswith("MSC")
    cells = str(70 * 1.5e6) if msc else "0"
    response = lab.post(f"/lab/{pid}/W0/", {"cells_infused": cells, "viability_percent": "93"})
    assert response.status_code == 302
    infusion = FORMS["infusion"].objects.get(participant__participant_id=pid, visit_code="W0")
    assert infusion.viability_percent == 93.0 and infusion.cells_infused == float(cells)
    accountability = lab.get("/lab/accountability/").content.decode()
    assert slot.product_code in accountability and "93.0 %" in accountability


def test_mri_reader_sees_scan_ids_only(users, allocation) -> None:
    from mescams.edc.crfs.services import save_form
    from tests.integration.edc.test_validation_rules import GOOD

    pid = randomised(users["coord"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri", values=GOOD["mri"])
    page = _as(users, "mri").get("/mri/").content.decode()
    page = re.sub(r"[A-Za-z0-9]{32,}", "<token>", page)  # a CSRF token can hold "W4" by chance
    assert scan.scan_id in page and pid not in page and "W4" not in page
    read = _as(users, "mri").get(f"/mri/{scan.scan_id}/").content.decode()
    assert pid not in read and str(scan.scan_date) not in read
