"""The free-text rule of de-identified exports: clinical words stay, identifiers of every kind go."""

from __future__ import annotations

import pytest

from mescams.edc.security.free_text import REMOVED, scrub


@pytest.mark.parametrize("text", ["headache", "Upper respiratory tract infection", "ibuprofen 400 mg",
                                  "Headache after infusion, grade 2", "platelets 4.5, dose 1.5 mg"])
def test_clinical_text_is_kept(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(("text", "gone"), [
    ("headache, called Marie Tremblay", ["Marie", "Tremblay"]),
    ("rash; e-mail m.tremblay@example.org", ["tremblay", "example"]),
    ("health card 4123-456-789 and 4123 456 789", ["4123", "456", "789"]),
    ("born 17 March 1979 (17/03/1979), seen 1979-03-17", ["March", "1979", "03/1979", "03-17"]),
    ("see https://evil.example/x?y=1", ["evil", "https"]),
    ("phone 613-555-0199", ["613", "555", "0199"]),
])
def test_identifiers_are_replaced(text: str, gone: list[str]) -> None:
    out = scrub(text)
    assert REMOVED in out
    assert [g for g in gone if g.lower() in out.lower()] == []


def test_a_run_of_removed_words_is_one_marker() -> None:
    assert scrub("fatigue Marie Anne Tremblay") == f"fatigue {REMOVED}"
    assert scrub(None) is None and scrub("") == ""
