"""Verbatim normalisation: case, spacing and British/American spelling meet; different words stay apart."""

from __future__ import annotations

import pytest

from mescams.interop.dictionaries.normalise import normalise


@pytest.mark.parametrize(("british", "american"), [
    ("Diarrhoea", "diarrhea"), ("Oedema", "edema"), ("Anaemia", "anemia"), ("Haemorrhage", "hemorrhage"),
    ("Tumour", "tumor"), ("Paralysed", "paralyzed"), ("Immunisation", "immunization"),
    ("  Upper  respiratory-tract   infection ", "upper respiratory tract infection"),
])
def test_spellings_meet(british: str, american: str) -> None:
    assert normalise(british) == normalise(american)


@pytest.mark.parametrize(("one", "other"), [("Headache", "Head ache"), ("Noise", "Nose"), ("Malaise", "Nausea")])
def test_different_words_stay_apart(one: str, other: str) -> None:
    assert normalise(one) != normalise(other)
