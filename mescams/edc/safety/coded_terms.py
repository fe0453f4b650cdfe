"""The one doorway to the MedDRA coding of an adverse event: its preferred term, or None while it is uncoded.

LEAD, AT MERGE: the coding app (issue 16, helper "coding") provides
``mescams.edc.coding.lookup.preferred_term(form, record_pk) -> CodedPreferredTerm | None``. It is built on another
branch, so it is looked up by name here and this returns None while it is absent: an uncoded event's expectedness
is then "not assessable yet", never silently expected. Once merged, replace the dynamic lookup in
:func:`preferred_term` with a plain import and delete :class:`CodedTerm` if the coding app's class has the same
fields.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

__all__ = ["CodedTerm", "preferred_term"]

CODING_LOOKUP = "mescams.edc.coding.lookup"


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
    try:
        # mescams module imported by name inside a function: the coding app is merged from another branch
        return importlib.import_module(CODING_LOOKUP)
    except ModuleNotFoundError:
        return None


def preferred_term(form: str, record_pk: int) -> CodedTerm | None:
    """The preferred term the coder gave record ``record_pk`` of ``form``; None when not coded (or no coding app)."""
    lookup = _coding_lookup()
    if lookup is None:
        return None
    coded = lookup.preferred_term(form, record_pk)
    if coded is None:
        return None
    return CodedTerm(pt_code=int(coded.pt_code), pt_name=str(coded.pt_name),
                     llt_code=getattr(coded, "llt_code", None), llt_name=getattr(coded, "llt_name", None),
                     soc_code=getattr(coded, "soc_code", None), soc_name=getattr(coded, "soc_name", None),
                     version=getattr(coded, "version", None))
