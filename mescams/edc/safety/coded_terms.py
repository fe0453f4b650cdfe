"""The one doorway to the MedDRA coding of an adverse event: its preferred term, or None while it is uncoded.

The coding app answers (:func:`mescams.edc.coding.lookup.preferred_term`); an uncoded, ambiguous or queried
event gives None, so its expectedness is "not assessable yet", never silently expected. :func:`_coding_lookup` is
the seam the safety tests replace to code an event without loading a dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mescams.edc.coding import lookup as coding_lookup

__all__ = ["CodedTerm", "preferred_term"]


@dataclass(frozen=True)
class CodedTerm:
    """The coded MedDRA terms of one verbatim (the fields of the coding app's ``CodedPreferredTerm``)."""

    pt_code: int
    pt_name: str
    llt_code: int | None = None
    llt_name: str | None = None
    soc_code: int | None = None
    soc_name: str | None = None
    version: str | None = None


def _coding_lookup() -> Any:
    return coding_lookup


def preferred_term(form: str, record_pk: int) -> CodedTerm | None:
    """The preferred term the coder gave record ``record_pk`` of ``form``; None when not coded."""
    coded = _coding_lookup().preferred_term(form, record_pk)
    if coded is None:
        return None
    return CodedTerm(pt_code=int(coded.pt_code), pt_name=str(coded.pt_name),
                     llt_code=getattr(coded, "llt_code", None), llt_name=getattr(coded, "llt_name", None),
                     soc_code=getattr(coded, "soc_code", None), soc_name=getattr(coded, "soc_name", None),
                     version=getattr(coded, "version", None))
