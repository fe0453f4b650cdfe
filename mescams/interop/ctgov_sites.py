"""Site codes for the sites of a ClinicalTrials.gov record, which gives none.

A protocol needs a code of 2-5 capital letters per site; the registry lists facilities and cities only. The codes
written here are placeholders, made by one published rule so a reader can see where each came from: the first
three letters of the city (accents dropped), then, for the second and later sites whose code is taken (eight
sites in Anchorage), one or two letters counted from A (ANC, ANCA, ANCB, ..., ANCZ, ANCAA, ...). Every code is
reported as a placeholder for the trial's own site codes. However many sites share a city or a prefix, the codes
are unique: when a prefix's 703 codes run out, the next free code of the whole 2-5 letter space is taken.
"""

from __future__ import annotations

import itertools
import string
import unicodedata
from collections.abc import Iterator

__all__ = ["site_codes"]

LETTERS = string.ascii_uppercase


def _prefix(city: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", city).encode("ascii", "ignore").decode()
    letters = "".join(c for c in ascii_only.upper() if c in LETTERS)
    return (letters or "SITE")[:3].ljust(2, "X")


def _candidates(prefix: str) -> Iterator[str]:
    yield prefix
    for n in range(1, 6 - len(prefix)):
        for tail in itertools.product(LETTERS, repeat=n):
            yield prefix + "".join(tail)


def _any_code() -> Iterator[str]:
    for n in range(2, 6):
        for letters in itertools.product(LETTERS, repeat=n):
            yield "".join(letters)


def site_codes(cities: list[str]) -> list[str]:
    """One unique placeholder code (2-5 capital letters) per site, in the order given, from the sites' cities."""
    taken: set[str] = set()
    codes = []
    fallback = _any_code()
    for city in cities:
        code = next((c for c in _candidates(_prefix(city)) if c not in taken), None)
        if code is None:
            code = next(c for c in fallback if c not in taken)
        taken.add(code)
        codes.append(code)
    return codes
