"""The coded MedDRA term of one AE record, for the modules that judge by PT (expectedness against the Reference
Safety Information, SUSAR assessment). Read-only; None while the term is not coded."""

from __future__ import annotations

from dataclasses import dataclass

from mescams.edc.coding.models import MEDDRA, CodedTerm

__all__ = ["CodedPreferredTerm", "preferred_term"]


@dataclass(frozen=True)
class CodedPreferredTerm:
    """The PT an AE is coded to, with the LLT chosen, the PT's primary SOC and the MedDRA version (e.g. 27.0)."""

    pt_code: int
    pt_name: str
    llt_code: int
    llt_name: str
    soc_code: int
    soc_name: str
    version: str


def preferred_term(form: str, record_pk: int) -> CodedPreferredTerm | None:
    """The coded PT of the record ``form``/``record_pk`` (``form`` is ``adverse_event``), or None when it is not
    coded (no release loaded, no match yet, ambiguous or queried). A term kept on an LLT that became non-current
    in a version upgrade still has its PT, so it is returned."""
    term = (CodedTerm.objects.select_related("release")
            .filter(form=form, record_pk=record_pk, dictionary=MEDDRA, status__in=("coded", "review"))
            .first())
    if term is None or term.pt_code is None or term.llt_code is None or term.soc_code is None or term.release is None:
        return None
    return CodedPreferredTerm(term.pt_code, term.pt_name, term.llt_code, term.llt_name, term.soc_code, term.soc_name,
                              term.release.version)
