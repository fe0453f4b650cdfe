"""A service's audit entries are chained at the end of its block, and only for changes that were not undone.

The services run ``with transaction.atomic(), acting(user):``; the entries of every save inside wait for the end
of that block (so the chain's head is locked only for the flush and the commit), then go in in the order the
changes were made. A change rolled back to a savepoint inside the block leaves no entry; a change whose block
failed but whose caller caught the error and committed keeps its entries. Either way the trail verifies.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.models import VitalSigns
from mescams.edc.trial.models import Participant
from mescams.errors import InputValidationError
from tests.factories.edc import randomised
from tests.integration.edc.test_validation_rules import GOOD


def _participant(users) -> Participant:
    return Participant.objects.get(participant_id=randomised(users["coord"]))


def _new_vitals(participant: Participant, weight: float, visit_code: str = "W4") -> VitalSigns:
    """Vital signs at ``visit_code`` (a single form: one per visit, so a second record needs another visit)."""
    values = {**GOOD["vital_signs"], "weight_kg": weight, "visit_code": visit_code}
    record = VitalSigns(participant=participant, **values)
    record.save()
    return record


def test_entries_wait_for_the_end_of_the_block_then_follow_in_order(users, allocation) -> None:
    participant = _participant(users)
    before = AuditEntry.objects.count()
    with transaction.atomic(), acting(users["coord"], reason="entry"):
        first = _new_vitals(participant, 70.0)
        second = _new_vitals(participant, 71.0, "W12")
        assert AuditEntry.objects.count() == before  # nothing chained yet: the head is not locked
    made = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    records = [e.record_id for e in made]
    assert records[0] == str(first.pk) and records[-1] == str(second.pk)
    assert records.index(str(second.pk)) == len([e for e in made if e.record_id == str(first.pk)])
    assert all(e.reason == "entry" and e.username == "coord" for e in made)
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_a_change_rolled_back_to_a_savepoint_leaves_no_entry(users, allocation) -> None:
    participant = _participant(users)
    before = AuditEntry.objects.count()
    with transaction.atomic(), acting(users["coord"], reason="entry"):
        kept = _new_vitals(participant, 70.0)
        with pytest.raises(RuntimeError), transaction.atomic():
            undone = _new_vitals(participant, 99.0, "W12")
            raise RuntimeError("the nested step failed")
    assert not VitalSigns.objects.filter(pk=undone.pk).exists()
    made = AuditEntry.objects.filter(seq__gt=before)
    assert {e.record_id for e in made} == {str(kept.pk)}
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_a_failed_block_whose_error_was_caught_keeps_the_entries_of_what_it_saved(users, allocation) -> None:
    participant = _participant(users)
    before = AuditEntry.objects.count()
    with transaction.atomic():
        with pytest.raises(RuntimeError), acting(users["coord"], reason="entry"):
            saved = _new_vitals(participant, 70.0)
            raise RuntimeError("the caller catches this and commits")
    assert VitalSigns.objects.filter(pk=saved.pk).exists()
    assert {e.record_id for e in AuditEntry.objects.filter(seq__gt=before)} == {str(saved.pk)}
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_a_service_that_fails_after_saving_leaves_neither_rows_nor_entries(users, allocation) -> None:
    participant = _participant(users)
    rows, entries = VitalSigns.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InputValidationError), transaction.atomic(), acting(users["coord"], reason="entry"):
        _new_vitals(participant, 70.0)
        raise InputValidationError("weight_kg", "a rule checked after the save")
    assert (VitalSigns.objects.count(), AuditEntry.objects.count()) == (rows, entries)
    assert verify_audit_trail().entries == entries
