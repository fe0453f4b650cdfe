"""The dose basis (weight at randomisation) is one value, guarded once the lab has prepared a product: a change is
refused unless an investigator confirms it with a reason, and the product is then flagged until the lab
re-confirms it. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.dose_basis import products_of, weight_at_randomisation
from mescams.edc.crfs.lab import reconfirm_preparation, record_lab_product, record_preparation
from mescams.edc.crfs.models import Infusion, ProductPreparation, VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.trial.models import Participant
from mescams.errors import DoseBasisChanged, IllegalTransition, InputValidationError
from tests.factories.edc import RANDOMISATION, SCREENING, D, infuse, randomised

W0_VITALS = {"visit_code": "W0", "assessment_date": RANDOMISATION, "weight_kg": 90.0}


@pytest.fixture()
def prepared(users, allocation) -> str:
    """A randomised participant (70 kg at screening) whose week-0 product the lab has prepared."""
    pid = randomised(users["coord"])
    record_preparation(user=users["lab"], participant_id=pid, visit_code="W0")
    return pid


def _p(pid: str) -> Participant:
    return Participant.objects.get(participant_id=pid)


def _cells(pid: str, visit_code: str = "W0") -> float:
    """Cells of the product: 1.5e6/kg of 70 kg for MSC, none for placebo."""
    from mescams.edc.crfs.clinical import treatment_at_infusion
    from mescams.edc.randomisation.models import AllocationSlot

    sequence = AllocationSlot.objects.get(participant__participant_id=pid).sequence
    return 70 * 1.5e6 if treatment_at_infusion(sequence, visit_code) == "MSC" else 0.0


def test_the_dose_basis_is_the_last_weight_on_or_before_randomisation(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    save_form(user=coord, participant_id=pid, form="vital_signs",
              values={"visit_code": "W4", "assessment_date": RANDOMISATION + D(weeks=4), "weight_kg": 95.0})
    assert weight_at_randomisation(_p(pid)) == 70.0  # a later weight is not the basis


def test_a_new_weight_that_would_become_the_basis_is_refused_after_preparation(users, prepared) -> None:
    """The issue's case: a second week-0 weight (90 kg) beside the 70 kg the product was prepared on."""
    before = (VitalSigns.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DoseBasisChanged) as caught:
        save_form(user=users["coord"], participant_id=prepared, form="vital_signs", values=W0_VITALS)
    assert caught.value.field == "assessment_date"
    assert "70 kg to 90 kg" in caught.value.rule and "W0 prepared" in caught.value.rule
    assert "investigator must confirm" in caught.value.rule
    assert (VitalSigns.objects.count(), AuditEntry.objects.count()) == before
    assert weight_at_randomisation(_p(prepared)) == 70.0


def test_changing_the_weight_that_is_the_basis_is_refused_naming_weight_kg(users, prepared) -> None:
    record = VitalSigns.objects.get(participant__participant_id=prepared)
    with pytest.raises(DoseBasisChanged) as caught:
        save_form(user=users["coord"], participant_id=prepared, form="vital_signs", record_pk=record.pk,
                  values={"weight_kg": 72.0}, reason="transcription error")
    assert caught.value.field == "weight_kg"
    with pytest.raises(DoseBasisChanged) as caught:  # moved after randomisation, it would stop being the basis
        save_form(user=users["coord"], participant_id=prepared, form="vital_signs", record_pk=record.pk,
                  values={"assessment_date": RANDOMISATION + D(days=1)}, reason="date typo")
    assert caught.value.field == "assessment_date"
    record.refresh_from_db()
    assert (record.weight_kg, record.assessment_date) == (70.0, SCREENING)


def test_a_change_that_leaves_the_basis_alone_is_not_guarded(users, prepared) -> None:
    record = VitalSigns.objects.get(participant__participant_id=prepared)
    save_form(user=users["coord"], participant_id=prepared, form="vital_signs", record_pk=record.pk,
              values={"heart_rate_bpm": 66}, reason="pulse added from the source")
    save_form(user=users["coord"], participant_id=prepared, form="vital_signs",
              values={"visit_code": "W4", "assessment_date": RANDOMISATION + D(weeks=4), "weight_kg": 95.0})


def test_only_an_investigator_with_a_reason_confirms(users, prepared) -> None:
    with pytest.raises(DoseBasisChanged) as caught:
        save_form(user=users["coord"], participant_id=prepared, form="vital_signs", values=W0_VITALS,
                  confirm_dose_change=True, reason="weighed again")
    assert caught.value.field == "confirm_dose_change"
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["inv"], participant_id=prepared, form="vital_signs", values=W0_VITALS,
                  confirm_dose_change=True, reason="  ")
    assert caught.value.field == "reason"
    assert VitalSigns.objects.filter(participant__participant_id=prepared).count() == 1
    record = save_form(user=users["inv"], participant_id=prepared, form="vital_signs", values=W0_VITALS,
                       confirm_dose_change=True, reason="weighed on the infusion day; the screening scale was off")
    assert weight_at_randomisation(_p(prepared)) == 90.0
    entry = AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(record.pk), field="weight_kg").get()
    assert (entry.username, entry.reason) == ("inv", "weighed on the infusion day; the screening scale was off")


def test_the_product_stays_flagged_until_the_lab_reconfirms_with_a_reason(users, prepared) -> None:
    save_form(user=users["inv"], participant_id=prepared, form="vital_signs", values=W0_VITALS,
              confirm_dose_change=True, reason="weighed again at week 0")
    status = products_of(_p(prepared))["W0"]
    assert (status.superseded, status.prepared_on_kg, status.basis_kg) == (True, 70.0, 90.0)
    with pytest.raises(InputValidationError) as caught:
        reconfirm_preparation(user=users["lab"], participant_id=prepared, visit_code="W0", reason="")
    assert caught.value.field == "reason"
    infuse(users["coord"], prepared)  # the site records the infusion on the new basis
    with pytest.raises(DoseBasisChanged) as caught:  # releasing the old preparation needs the lab's reason
        record_lab_product(user=users["lab"], participant_id=prepared, visit_code="W0",
                           cells_infused=_cells(prepared), viability_percent=90.0)
    assert caught.value.field == "reason"
    prep = reconfirm_preparation(user=users["lab"], participant_id=prepared, visit_code="W0",
                                 reason="volumes recalculated for 90 kg")
    assert (prep.weight_kg, prep.confirmed_by) == (90.0, "lab")
    assert products_of(_p(prepared))["W0"].superseded is False
    entry = AuditEntry.objects.get(table="crfs_productpreparation", record_id=str(prep.pk), field="weight_kg",
                                   action="update")
    assert (entry.old, entry.new, entry.reason) == ("70.0", "90.0", "volumes recalculated for 90 kg")
    with pytest.raises(IllegalTransition):
        reconfirm_preparation(user=users["lab"], participant_id=prepared, visit_code="W0", reason="again")


def test_an_infused_product_guards_the_basis_too(users, allocation) -> None:
    """No preparation recorded, but the infusion is: the dose was given on the basis, so it is guarded."""
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    with pytest.raises(DoseBasisChanged, match="W0 infused on 70 kg"):
        save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=W0_VITALS)


def test_the_site_cannot_enter_a_dosing_weight_on_the_infusion(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = infuse(users["coord"], pid)
    assert record.weight_kg == 70.0
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["coord"], participant_id=pid, form="infusion", record_pk=record.pk,
                  values={"weight_kg": 90.0}, reason="heavier")
    assert caught.value.field == "weight_kg" and "dose basis" in caught.value.rule


def test_release_on_a_confirmed_new_basis_recomputes_cells_per_kg(users, allocation) -> None:
    coord, lab = users["coord"], users["lab"]
    pid = randomised(coord)
    infuse(coord, pid)
    cells = _cells(pid)
    record_lab_product(user=lab, participant_id=pid, visit_code="W0", cells_infused=cells, viability_percent=91.0)
    assert ProductPreparation.objects.get(participant__participant_id=pid).weight_kg == 70.0
    save_form(user=users["inv"], participant_id=pid, form="vital_signs", values=W0_VITALS,
              confirm_dose_change=True, reason="correct weight found in the source")
    assert products_of(_p(pid))["W0"].superseded
    reconfirm_preparation(user=lab, participant_id=pid, visit_code="W0", reason="basis corrected by the site")
    infusion = Infusion.objects.get(participant__participant_id=pid)
    assert infusion.weight_kg == 90.0
    assert infusion.cells_per_kg == pytest.approx(cells / 90.0)  # recomputed on the confirmed basis


def test_preparing_twice_or_without_a_weight_is_refused(users, prepared) -> None:
    with pytest.raises(IllegalTransition, match="already"):
        record_preparation(user=users["lab"], participant_id=prepared, visit_code="W0")
    with pytest.raises(InputValidationError) as caught:
        record_preparation(user=users["lab"], participant_id=prepared, visit_code="W4")
    assert caught.value.field == "visit_code"
