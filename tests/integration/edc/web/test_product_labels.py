"""The lab's bilingual product labels (C.05.011): the content the regulation asks for in English and French,
printable as PDF, identical in every allocation-related respect for MSC and placebo."""

from __future__ import annotations

import re

from mescams.edc.randomisation.models import AllocationSlot
from tests.factories.edc import randomised

REQUIRED = [
    "For clinical trial use only.", "Pour usage dans le cadre d&#x27;un essai clinique seulement.",
    "MESCAMS (NCT02239393)", "Ottawa Hospital Research Institute, 725 Parkdale Avenue",
    "Store in the vapour phase of liquid nitrogen", "Conserver dans la phase vapeur",
    "Expiry date</span> / <span lang=\"fr\">Date de péremption", "Lot</span> / <span lang=\"fr\">Lot",
]


def _two_arms(users: dict[str, object]) -> list[AllocationSlot]:
    """Randomise until both sequences are taken (the list is fixed by its seed, so this is deterministic)."""
    slots: dict[str, AllocationSlot] = {}
    while len(slots) < 2:
        pid = randomised(users["coord"])
        slot = AllocationSlot.objects.get(participant__participant_id=pid)
        slots.setdefault(slot.sequence, slot)
    return list(slots.values())


def test_a_label_carries_what_c05011_asks_in_both_languages(users, allocation, client_for) -> None:  # type: ignore[no-untyped-def]
    slot = _two_arms(users)[0]
    page = client_for("lab").get(f"/lab/labels/{slot.product_code}/W0/")
    assert page.status_code == 200
    for text in REQUIRED:
        assert text in page.text, text
    assert slot.product_code in page.text and slot.participant.participant_id in page.text


def test_labels_of_msc_and_placebo_differ_only_in_code_and_participant(users, allocation, client_for) -> None:  # type: ignore[no-untyped-def]
    lab = client_for("lab")
    texts = []
    for slot in _two_arms(users):
        text = lab.get(f"/lab/labels/{slot.product_code}/W24/").text
        texts.append(text.replace(slot.product_code, "CODE").replace(slot.participant.participant_id, "PID"))
        assert not re.search(r"placebo-msc|msc-placebo|\bMSC\b(?! or)", text, re.IGNORECASE), text
    assert texts[0] == texts[1]


def test_the_label_prints_as_pdf(users, allocation, client_for) -> None:  # type: ignore[no-untyped-def]
    slot = _two_arms(users)[0]
    pdf = client_for("lab").get(f"/lab/labels/{slot.product_code}/W0/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_only_the_lab_prints_labels_and_only_assigned_products(users, allocation, client_for) -> None:  # type: ignore[no-untyped-def]
    slot = _two_arms(users)[0]
    for name in ["coord", "inv", "rater", "dm", "dsmb", "statistician"]:
        assert client_for(name).get(f"/lab/labels/{slot.product_code}/W0/").status_code == 403, name
    free = AllocationSlot.objects.filter(participant__isnull=True).first()
    assert client_for("lab").get(f"/lab/labels/{free.product_code}/W0/").status_code == 404
    assert client_for("lab").get(f"/lab/labels/{slot.product_code}/SCR/").status_code == 404
