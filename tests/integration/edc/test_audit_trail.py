"""The audit trail: old and new values, reasons, append-only, and verify catching edits behind the system's back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.models import VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.queries import services as queries
from mescams.errors import AuditChainBroken, DataLocked, InputValidationError
from tests.factories.edc import randomised
from tests.integration.edc.test_validation_rules import GOOD


def _vitals(users) -> VitalSigns:
    pid = randomised(users["coord"])
    return save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])


def test_a_change_records_who_role_old_new_and_reason(users, allocation) -> None:
    rec = _vitals(users)
    save_form(user=users["coord"], participant_id=rec.participant.participant_id, form="vital_signs",
              record_pk=rec.pk, values={"weight_kg": 71.5}, reason="transcription error")
    entry = AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(rec.pk), action="update").get()
    assert (entry.field, entry.old, entry.new) == ("weight_kg", "70.0", "71.5")
    assert (entry.username, entry.role, entry.reason) == ("coord", "site_coordinator", "transcription error")
    assert entry.at.tzinfo is not None and abs(entry.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    created = AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(rec.pk), action="create")
    assert {e.field for e in created} >= {"weight_kg", "assessment_date", "visit_code", "participant_id"}
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_a_change_after_first_save_needs_a_reason(users, allocation) -> None:
    rec = _vitals(users)
    with pytest.raises(InputValidationError, match="reason"):
        save_form(user=users["coord"], participant_id=rec.participant.participant_id, form="vital_signs",
                  record_pk=rec.pk, values={"weight_kg": 72.0})
    rec.refresh_from_db()
    assert rec.weight_kg == 70.0


def test_bulk_paths_and_unaudited_saves_are_impossible(users, allocation) -> None:
    rec = _vitals(users)
    with pytest.raises(PermissionError):
        VitalSigns.objects.filter(pk=rec.pk).update(weight_kg=1)
    rec.weight_kg = 80.0
    with pytest.raises(RuntimeError, match="acting"):
        rec.save()
    entry = AuditEntry.objects.first()
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_delete_is_audited_and_needs_a_reason(users, allocation) -> None:
    rec = _vitals(users)
    with acting(users["coord"]), pytest.raises(InputValidationError, match="reason"):
        rec.delete()
    pk = rec.pk
    with acting(users["coord"], reason="entered on the wrong participant"):
        rec.delete()
    deleted = AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(pk), action="delete")
    assert deleted.filter(field="weight_kg").get().old == "70.0"
    verify_audit_trail()


def test_locks_stop_changes_until_an_audited_unlock(users, allocation) -> None:
    rec = _vitals(users)
    pid = rec.participant.participant_id
    queries.lock(user=users["dm"], participant_id=pid)
    with pytest.raises(DataLocked):
        save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=rec.pk,
                  values={"weight_kg": 75.0}, reason="late correction")
    with pytest.raises(InputValidationError, match="reason"):
        queries.unlock(user=users["dm"], participant_id=pid, reason="")
    queries.unlock(user=users["dm"], participant_id=pid, reason="query 12 correction")
    save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=rec.pk,
              values={"weight_kg": 75.0}, reason="late correction")
    assert AuditEntry.objects.filter(table="queries_datalock", field="unlock_reason",
                                     new=json.dumps("query 12 correction")).exists()
    queries.lock(user=users["dm"])  # the whole trial
    with pytest.raises(DataLocked, match="trial"):
        save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])


def test_editing_an_audit_row_breaks_the_chain_at_that_entry(users, allocation) -> None:
    _vitals(users)
    victim = AuditEntry.objects.filter(table="crfs_vitalsigns", field="weight_kg").order_by("seq").last()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET new = %s WHERE id = %s", ['"55.0"', victim.pk])
    with pytest.raises(AuditChainBroken) as caught:
        verify_audit_trail()
    assert caught.value.entry_id == victim.seq and "does not match its hash" in caught.value.detail


def test_deleting_an_audit_row_breaks_the_chain(users, allocation) -> None:
    _vitals(users)
    victim = AuditEntry.objects.order_by("seq")[5]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    with pytest.raises(AuditChainBroken) as caught:
        verify_audit_trail()
    assert caught.value.entry_id == victim.seq + 1 and "missing" in caught.value.detail


def test_editing_a_data_row_is_caught_and_named(users, allocation) -> None:
    rec = _vitals(users)
    with connection.cursor() as cur:
        cur.execute("UPDATE crfs_vitalsigns SET weight_kg = 99.0 WHERE id = %s", [rec.pk])
    with pytest.raises(AuditChainBroken) as caught:
        verify_audit_trail()
    assert caught.value.entry_id == f"crfs_vitalsigns/{rec.pk}"
    assert "field weight_kg" in caught.value.detail and "99.0" in caught.value.detail


def test_inserting_a_data_row_behind_the_systems_back_is_caught(users, allocation) -> None:
    rec = _vitals(users)
    with connection.cursor() as cur:
        cur.execute("INSERT INTO crfs_vitalsigns (participant_id, visit_code, created_at, assessment_date, weight_kg)"
                    " SELECT participant_id, 'W12', created_at, assessment_date, 60.0 FROM crfs_vitalsigns"
                    " WHERE id = %s", [rec.pk])
    with pytest.raises(AuditChainBroken, match="not in the audit trail"):
        verify_audit_trail()


def test_deleting_a_data_row_behind_the_systems_back_is_caught(users, allocation) -> None:
    rec = _vitals(users)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM crfs_vitalsigns WHERE id = %s", [rec.pk])
    with pytest.raises(AuditChainBroken, match="deleted behind"):
        verify_audit_trail()
