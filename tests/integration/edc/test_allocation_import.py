"""Importing an allocation list generated elsewhere: a good file is stored and verified against the recorded file;
every kind of bad file is refused naming the row and the column, with nothing stored; a changed slot is found."""

from __future__ import annotations

import pytest
from django.db import connection

from mescams.core.randomisation import AllocationListMismatch
from mescams.edc.audit.models import AuditEntry
from mescams.edc.randomisation.models import AllocationList, AllocationSlot
from mescams.edc.randomisation.services import generate_list, import_list, randomise, verify_list
from mescams.errors import BlindingViolation, InputValidationError
from tests.factories.edc import LIST_SEED, RANDOMISATION, eligible

HEADER = "site,slot,sequence,product_code\n"
GOOD_ROWS = [
    "OTT,1,MSC-PLACEBO,OTTA0001", "OTT,2,PLACEBO-MSC,OTTA0002", "OTT,3,PLACEBO-MSC,OTTA0003",
    "OTT,4,MSC-PLACEBO,OTTA0004", "WPG,1,PLACEBO-MSC,WPGA0001", "WPG,2,MSC-PLACEBO,WPGA0002",
]


def raw(sql: str, *params: object) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))


def csv_of(rows: list[str], header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_good_import_is_stored_audited_and_verified(edc, users) -> None:
    before = AuditEntry.objects.count()
    stored, parsed = import_list(actor=users["statistician"], content=csv_of(GOOD_ROWS))
    assert parsed.warnings == []
    assert stored.seed == "" and len(stored.source_sha256) == 64 and stored.slots.count() == 6
    slot = AllocationSlot.objects.get(allocation_list=stored, site_code="OTT", number=3)
    assert (slot.sequence, slot.product_code, slot.block, slot.block_size) == ("PLACEBO-MSC", "OTTA0003", 2, 2)
    assert AuditEntry.objects.count() > before
    assert set(AuditEntry.objects.filter(seq__gt=before).values_list("reason", flat=True)) == {
        "allocation list imported"}
    assert verify_list() == 6


def test_import_refused_for_blinded_roles_and_over_an_existing_list(edc, users) -> None:
    with pytest.raises(BlindingViolation):
        import_list(actor=users["coord"], content=csv_of(GOOD_ROWS))
    generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=4)
    with pytest.raises(InputValidationError, match="allocation_list: a list exists already"):
        import_list(actor=users["statistician"], content=csv_of(GOOD_ROWS))
    assert AllocationList.objects.count() == 1


@pytest.mark.parametrize(("rows", "header", "message"), [
    (GOOD_ROWS[:1] + ["XXX,1,MSC-PLACEBO,XXXA0001"], HEADER, "row 3, column site: unknown site 'XXX'"),
    (GOOD_ROWS[:1] + ["OTT,2,MSC-MSC,OTTA0002"], HEADER, "row 3, column sequence: unknown sequence 'MSC-MSC'"),
    (GOOD_ROWS[:2] + ["OTT,2,MSC-PLACEBO,OTTA0009"], HEADER, "row 4, column slot: duplicate slot 2 of site OTT"),
    (GOOD_ROWS[:2] + ["OTT,4,MSC-PLACEBO,OTTA0004"] + GOOD_ROWS[4:], HEADER,
     "row 4, column slot: gap in site OTT: slot 3 is missing before slot 4"),
    (GOOD_ROWS[:2] + ["OTT,3,MSC-PLACEBO,OTTA0001"], HEADER,
     "row 4, column product_code: product code OTTA0001 already used on row 2"),
    (GOOD_ROWS[:1] + ["OTT,two,MSC-PLACEBO,OTTA0002"], HEADER, "row 3, column slot: must be a positive whole number"),
    (GOOD_ROWS[:1] + ["OTT,2,,OTTA0002"], HEADER, "row 3, column sequence: must not be empty"),
    (GOOD_ROWS[:4], HEADER, "column site: no slots for site WPG"),
    (GOOD_ROWS, "site,slot,arm,product_code\n", "row 1 (header): missing column(s) sequence"),
])
def test_bad_imports_name_row_and_column_and_store_nothing(edc, users, rows, header, message) -> None:
    with pytest.raises(InputValidationError) as caught:
        import_list(actor=users["statistician"], content=csv_of(rows, header))
    assert message in str(caught.value)
    assert AllocationList.objects.count() == 0 and AllocationSlot.objects.count() == 0


def test_unbalanced_blocks_are_a_warning_not_an_error(edc, users) -> None:
    rows = ["OTT,1,MSC-PLACEBO,A1", "OTT,2,MSC-PLACEBO,A2", "OTT,3,MSC-PLACEBO,A3", "OTT,4,MSC-PLACEBO,A4",
            "OTT,5,MSC-PLACEBO,A5", "OTT,6,PLACEBO-MSC,A6", "WPG,1,PLACEBO-MSC,B1", "WPG,2,MSC-PLACEBO,B2"]
    stored, parsed = import_list(actor=users["statistician"], content=csv_of(rows))
    assert stored.slots.count() == 8
    assert len(parsed.warnings) == 1 and parsed.warnings[0].startswith("site OTT, slots 1-6 (rows 2-7)")


def test_verify_detects_a_changed_slot_of_an_imported_list(edc, users) -> None:
    import_list(actor=users["statistician"], content=csv_of(GOOD_ROWS))
    slot = AllocationSlot.objects.get(site_code="WPG", number=2)
    # Behind the system's back (no audit): what `verify` exists to catch.
    raw("UPDATE randomisation_allocationslot SET sequence = %s WHERE id = %s", "PLACEBO-MSC", slot.pk)
    with pytest.raises(AllocationListMismatch, match="slot WPG-2: stored PLACEBO-MSC/WPGA0002, the imported file "
                                                     "has MSC-PLACEBO/WPGA0002"):
        verify_list()
    stored = AllocationList.objects.get()
    raw("UPDATE randomisation_allocationslot SET sequence = %s WHERE id = %s", "MSC-PLACEBO", slot.pk)
    assert verify_list() == 6
    raw("UPDATE randomisation_allocationlist SET source_csv = %s WHERE id = %s",
        stored.source_csv.replace("WPG,2,MSC-PLACEBO", "WPG,2,PLACEBO-MSC"), stored.pk)
    with pytest.raises(AllocationListMismatch, match="SHA-256"):
        verify_list()


def test_an_imported_list_randomises_in_slot_order(edc, users) -> None:
    import_list(actor=users["statistician"], content=csv_of(GOOD_ROWS))
    first = randomise(user=users["coord"], participant_id=eligible(users["coord"]), on=RANDOMISATION)
    second = randomise(user=users["coord"], participant_id=eligible(users["coord"]), on=RANDOMISATION)
    assert (first.number, first.product_code, second.number, second.product_code) == (1, "OTTA0001", 2, "OTTA0002")
