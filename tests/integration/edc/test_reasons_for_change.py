"""Every change of saved clinical data carries a reason typed by the person making it, for every role (the lab and
the MRI reader included); only a first entry may carry a descriptive one. AE causality is the investigator's,
with their reason, and ``related`` follows it (possible and above). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.lab import record_lab_product
from mescams.edc.crfs.models import AdverseEvent, Infusion, MriScan
from mescams.edc.crfs.services import read_scan, save_form
from mescams.edc.trial.models import Participant
from mescams.edc.trial.services import update_screening_record, withdraw
from mescams.errors import InputValidationError
from tests.factories.edc import RANDOMISATION, D, eligible_record, infuse, randomised, screened

AE = {"term": "Headache", "onset_date": RANDOMISATION + D(days=3), "severity_grade": 1, "serious": False,
      "serious_criteria": [], "action": "none", "outcome": "recovered"}
READ = {"gel_count": 1, "new_enlarging_t2_count": 0, "cua_count": 1, "gel_volume_mm3": 12.0,
        "black_hole_volume_mm3": 300.0}


def _entries() -> int:
    return AuditEntry.objects.count()


def _released(users) -> tuple[str, Infusion]:
    from mescams.edc.crfs.clinical import treatment_at_infusion
    from mescams.edc.randomisation.models import AllocationSlot

    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    msc = treatment_at_infusion(AllocationSlot.objects.get(participant__participant_id=pid).sequence, "W0") == "MSC"
    cells = 70 * 1.5e6 if msc else 0.0
    return pid, record_lab_product(user=users["lab"], participant_id=pid, visit_code="W0", cells_infused=cells,
                                   viability_percent=92.0)


def test_the_lab_changing_release_figures_without_a_reason_is_refused(users, allocation) -> None:
    pid, infusion = _released(users)
    first = AuditEntry.objects.get(table="crfs_infusion", record_id=str(infusion.pk), field="viability_percent",
                                   action="update")
    assert first.reason == "release figures entered"  # the first entry: descriptive
    before = _entries()
    for reason in ("", "   "):
        with pytest.raises(InputValidationError) as caught:
            record_lab_product(user=users["lab"], participant_id=pid, visit_code="W0",
                               cells_infused=infusion.cells_infused, viability_percent=88.0, reason=reason)
        assert caught.value.field == "reason" and "viability_percent" in caught.value.rule
    assert _entries() == before and Infusion.objects.get(pk=infusion.pk).viability_percent == 92.0
    record_lab_product(user=users["lab"], participant_id=pid, visit_code="W0", cells_infused=infusion.cells_infused,
                       viability_percent=88.0, reason="viability recounted on the retained sample")
    change = AuditEntry.objects.filter(table="crfs_infusion", record_id=str(infusion.pk),
                                       field="viability_percent").latest("seq")
    assert (change.old, change.new, change.username, change.reason) == (
        "92.0", "88.0", "lab", "viability recounted on the retained sample")


def test_resending_the_same_release_figures_needs_no_reason(users, allocation) -> None:
    pid, infusion = _released(users)
    before = _entries()
    record_lab_product(user=users["lab"], participant_id=pid, visit_code="W0", cells_infused=infusion.cells_infused,
                       viability_percent=92.0)
    assert _entries() == before


def test_a_re_read_of_a_scan_needs_the_readers_reason(users, allocation) -> None:
    pid = randomised(users["coord"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri",
                     values={"visit_code": "W4", "scan_date": RANDOMISATION + D(weeks=4)})
    read_scan(user=users["mri"], scan_id=scan.scan_id, values=READ)
    with pytest.raises(InputValidationError) as caught:
        read_scan(user=users["mri"], scan_id=scan.scan_id, values={**READ, "gel_volume_mm3": 15.0})
    assert caught.value.field == "reason" and "gel_volume_mm3" in caught.value.rule
    assert MriScan.objects.get(pk=scan.pk).gel_volume_mm3 == 12.0
    read_scan(user=users["mri"], scan_id=scan.scan_id, values={**READ, "gel_volume_mm3": 15.0},
              reason="volume re-measured on thinner slices")
    entry = AuditEntry.objects.filter(table="crfs_mriscan", field="gel_volume_mm3").latest("seq")
    assert entry.reason == "volume re-measured on thinner slices"


def test_a_screening_update_needs_a_reason(users) -> None:
    pid = screened(users["coord"])
    with pytest.raises(InputValidationError) as caught:
        update_screening_record(user=users["coord"], participant_id=pid, record=eligible_record(sex="M"), reason=" ")
    assert caught.value.field == "reason"
    update_screening_record(user=users["coord"], participant_id=pid, record=eligible_record(sex="M"),
                            reason="sex mistyped; corrected from the chart")


def test_a_withdrawal_without_a_reason_is_refused(users, allocation) -> None:
    pid = randomised(users["coord"])
    with pytest.raises(InputValidationError) as caught:
        withdraw(user=users["coord"], participant_id=pid, reason="", on=RANDOMISATION + D(days=10))
    assert caught.value.field == "reason"
    assert Participant.objects.get(participant_id=pid).status != "withdrawn"


def test_a_change_of_any_crf_without_a_reason_is_refused(users, allocation) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["coord"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"severity_grade": 2}, reason="  ")
    assert caught.value.field == "reason"


# -- AE causality -----------------------------------------------------------------------------------------------
def test_a_new_adverse_event_arrives_without_causality(users, allocation) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
    assert (ae.causality, ae.related) == ("", False)


def test_causality_is_the_investigators_with_a_reason(users, allocation) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["coord"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"causality": "possible"}, reason="looks related")
    assert caught.value.field == "causality" and "investigator" in caught.value.rule
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"causality": "possible"})
    assert caught.value.field == "reason"
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"causality": "related"}, reason="x")
    assert caught.value.field == "causality" and "possible" in caught.value.rule
    with pytest.raises(InputValidationError) as caught:  # related is derived, never entered
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"related": True}, reason="x")
    assert caught.value.field == "related"
    with pytest.raises(InputValidationError) as caught:  # a new AE with causality needs the reason as well
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", values={**AE, "causality": "unlikely"})
    assert caught.value.field == "reason"
    assert AdverseEvent.objects.get(pk=ae.pk).causality == ""


@pytest.mark.parametrize(("causality", "related"), [("not_related", False), ("unlikely", False),
                                                    ("possible", True), ("probable", True), ("definite", True)])
def test_related_follows_causality_possible_and_above(users, allocation, causality, related) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
    save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
              values={"causality": causality}, reason="onset two days after the infusion; no other cause")
    ae.refresh_from_db()
    assert (ae.causality, ae.related) == (causality, related)
    entry = AuditEntry.objects.get(table="crfs_adverseevent", record_id=str(ae.pk), field="causality",
                                   action="update")
    assert (entry.username, entry.reason) == ("inv", "onset two days after the infusion; no other cause")


def test_analysis_data_and_sdtm_read_related_from_causality(users, allocation, tmp_path) -> None:
    """adverse_events.csv: related true for possible and above, causality beside it; SDTM AEREL the same."""
    import csv

    from mescams.edc.export.analysis_data import write_analysis_data
    from mescams.edc.export.snapshot import snapshot_from_database
    from mescams.interop.sdtm import build_sdtm
    from mescams.protocols import default_protocol

    pid = randomised(users["coord"])
    save_form(user=users["coord"], participant_id=pid, form="demographics",
              values={"sex": "F", "birth_date": RANDOMISATION - D(days=35 * 365), "ms_course": "RRMS",
                      "race": "WHITE", "ethnicity": "NOT REPORTED"})
    steps = ["not_related", "unlikely", "possible", "probable", "definite", ""]
    for step in steps:
        ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=AE)
        if step:
            save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                      values={"causality": step}, reason="judged from timing and dechallenge")
    write_analysis_data(tmp_path)
    with (tmp_path / "adverse_events.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["causality"], r["related"]) for r in rows] == [
        ("not_related", "false"), ("unlikely", "false"), ("possible", "true"), ("probable", "true"),
        ("definite", "true"), ("", "false")]
    sdtm = build_sdtm(default_protocol(), snapshot_from_database(default_protocol()))
    (domain,) = [d for d in sdtm if d.name == "AE"]
    ae_rows = sorted(domain.rows, key=lambda r: int(str(r["AESPID"])))
    assert [r["AEREL"] for r in ae_rows] == ["N", "N", "Y", "Y", "Y", "N"]
