"""The pages of issue 13's dosing safety and reasons for change: the vital signs refused (or confirmed by the
investigator) once the lab has prepared a product, the lab's flag and re-confirmation, the release figures changed
only with a reason, and the AE review with nothing pre-selected and the investigator's own reason."""

from __future__ import annotations

import re

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.dose_basis import weight_at_randomisation
from mescams.edc.crfs.lab import record_lab_product, record_preparation
from mescams.edc.crfs.models import AdverseEvent, ProductPreparation, VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.trial.models import Participant
from tests.factories.edc import RANDOMISATION, D, infuse, randomised
from tests.integration.edc.web.test_form_validation import field_errors

W0_VITALS = {"visit_code": "W0", "assessment_date": RANDOMISATION.isoformat(), "weight_kg": "90"}
AE = {"term": "Headache", "onset_date": RANDOMISATION + D(days=3), "severity_grade": 1, "serious": False,
      "serious_criteria": [], "action": "none", "outcome": "recovered"}


def _prepared(users) -> str:
    pid = randomised(users["coord"])
    record_preparation(user=users["lab"], participant_id=pid, visit_code="W0")
    return pid


def test_the_lab_marks_a_product_prepared_from_the_worklist(users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    lab = client_for("lab")
    assert "Mark prepared on 70.0 kg" in lab.get("/lab/").content.decode()
    assert lab.post(f"/lab/{pid}/W0/prepare/").status_code == 302
    prep = ProductPreparation.objects.get(participant__participant_id=pid, visit_code="W0")
    assert (prep.weight_kg, prep.prepared_by) == (70.0, "lab")
    assert "prepared on 70.0 kg" in lab.get("/lab/").content.decode()
    assert client_for("coord").post(f"/lab/{pid}/W0/prepare/").status_code == 403


def test_a_new_week0_weight_after_preparation_is_refused_on_the_page(users, allocation, client_for) -> None:
    pid = _prepared(users)
    page = client_for("coord").get(f"/site/p/{pid}/forms/vital_signs/new/").content.decode()
    assert "confirm_dose_change" not in page  # the coordinator cannot confirm
    response = client_for("coord").post(f"/site/p/{pid}/forms/vital_signs/new/", W0_VITALS)
    error = field_errors(response.content.decode(), "assessment_date")
    assert "70 kg to 90 kg" in error and "investigator must confirm" in error
    assert VitalSigns.objects.filter(participant__participant_id=pid).count() == 1


def test_the_investigator_confirms_with_a_reason_and_the_lab_reconfirms(users, allocation, client_for) -> None:
    pid = _prepared(users)
    inv = client_for("inv")
    assert 'name="confirm_dose_change"' in inv.get(f"/site/p/{pid}/forms/vital_signs/new/").content.decode()
    response = inv.post(f"/site/p/{pid}/forms/vital_signs/new/", {**W0_VITALS, "confirm_dose_change": "on"})
    assert "needs your reason" in field_errors(response.content.decode(), "reason")
    assert VitalSigns.objects.filter(participant__participant_id=pid).count() == 1
    response = inv.post(f"/site/p/{pid}/forms/vital_signs/new/",
                        {**W0_VITALS, "confirm_dose_change": "on", "reason": "weighed again on the day"})
    assert response.status_code == 302
    assert weight_at_randomisation(Participant.objects.get(participant_id=pid)) == 90.0

    lab = client_for("lab")
    worklist = lab.get("/lab/").content.decode()
    assert "prepared on 70.0 kg; the dose basis is now 90.0 kg" in worklist
    page = lab.get(f"/lab/{pid}/W0/").content.decode()
    assert "Re-confirm on 90.0 kg" in page
    response = lab.post(f"/lab/{pid}/W0/reconfirm/", {"reason": ""})
    assert "required" in field_errors(response.content.decode(), "reason")
    assert ProductPreparation.objects.get(participant__participant_id=pid).weight_kg == 70.0
    response = lab.post(f"/lab/{pid}/W0/reconfirm/", {"reason": "volumes recalculated for 90 kg"})
    assert response.status_code == 302
    assert ProductPreparation.objects.get(participant__participant_id=pid).weight_kg == 90.0
    assert "the dose basis is now" not in lab.get("/lab/").content.decode()


def test_release_figures_change_only_with_the_labs_reason(users, allocation, client_for) -> None:
    from mescams.edc.crfs.clinical import treatment_at_infusion
    from mescams.edc.randomisation.models import AllocationSlot

    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    msc = treatment_at_infusion(AllocationSlot.objects.get(participant__participant_id=pid).sequence, "W0") == "MSC"
    cells = str(70 * 1.5e6) if msc else "0"
    record_lab_product(user=users["lab"], participant_id=pid, visit_code="W0", cells_infused=float(cells),
                       viability_percent=92.0)
    lab = client_for("lab")
    response = lab.post(f"/lab/{pid}/W0/", {"cells_infused": cells, "viability_percent": "85"})
    assert "needs your reason" in field_errors(response.content.decode(), "reason")
    response = lab.post(f"/lab/{pid}/W0/", {"cells_infused": cells, "viability_percent": "85",
                                            "reason": "viability recounted"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(table="crfs_infusion", field="viability_percent").latest("seq")
    assert (entry.new, entry.reason) == ("85.0", "viability recounted")


def test_ae_review_has_nothing_preselected_and_needs_the_investigators_reason(users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
    inv = client_for("inv")
    page = inv.get("/site/ae-review/").content.decode()
    radios = re.findall(r'<input type="radio" name="causality"[^>]*>', page)
    assert len(radios) == 5 and not any("checked" in r for r in radios)
    assert "investigator review" not in page and 'type="hidden" name="reason"' not in page
    assert "not yet assessed" in page
    url = f"/site/p/{pid}/ae/{ae.pk}/causality/"
    assert url in page
    page = inv.post(url, {"causality": "possible"}, follow=True).content.decode()
    assert "nothing saved; reason required" in page
    page = inv.post(url, {"reason": "two days after the infusion"}, follow=True).content.decode()
    assert "nothing saved; causality required" in page
    assert AdverseEvent.objects.get(pk=ae.pk).causality == ""
    inv.post(url, {"causality": "probable", "reason": "two days after the infusion, no other cause"})
    ae.refresh_from_db()
    assert (ae.causality, ae.related) == ("probable", True)
    entry = AuditEntry.objects.get(table="crfs_adverseevent", record_id=str(ae.pk), field="causality",
                                   action="update")
    assert entry.reason == "two days after the infusion, no other cause"
    page = inv.get("/site/ae-review/").content.decode()
    assert 'assessed <strong class="causality">probable</strong>' in page
    assert not any("checked" in r for r in re.findall(r'<input type="radio"[^>]*>', page))


def test_the_investigator_edits_vital_signs_with_the_confirmation_offered(users, allocation, client_for) -> None:
    pid = _prepared(users)
    record = VitalSigns.objects.get(participant__participant_id=pid)
    url = f"/site/p/{pid}/forms/vital_signs/{record.pk}/"
    inv = client_for("inv")
    assert 'name="confirm_dose_change"' in inv.get(url).content.decode()
    data = {"visit_code": "SCR", "assessment_date": record.assessment_date.isoformat(), "weight_kg": "72",
            "reason": "scale recalibrated"}
    response = inv.post(url, data)
    assert "investigator must confirm" in field_errors(response.content.decode(), "weight_kg")
    assert inv.post(url, {**data, "confirm_dose_change": "on"}).status_code == 302
    record.refresh_from_db()
    assert record.weight_kg == 72.0
