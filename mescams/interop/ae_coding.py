"""The system organ class and preferred term of an adverse event, for every export that groups events by them.

The one place that reads an event's coding: MedDRA once the snapshot carries it (``AdverseEvent.meddra``, added by
the medical-coding app), else the recorded body system (or "Not coded") for the SOC and the verbatim term for the
PT, so tables, listings and the ClinicalTrials.gov results say the same thing before and after coding.
"""

from __future__ import annotations

from mescams.interop.snapshot import AdverseEvent

__all__ = ["NOT_CODED", "coding_vocabulary", "soc_and_pt"]

NOT_CODED = "Not coded"


def soc_and_pt(ae: AdverseEvent) -> tuple[str, str, bool]:
    """(system organ class, preferred term, coded?) of an event: MedDRA when coded, else body system and verbatim."""
    coding = ae.meddra
    if coding is not None:
        return str(coding.soc_name), str(coding.pt_name), True
    return (ae.body_system or NOT_CODED), ae.term, False


def coding_vocabulary(ae: AdverseEvent) -> str:
    """'MedDRA (27.0)' for a coded event, 'verbatim' otherwise (the registry's ``sourceVocabulary``)."""
    return f"MedDRA ({ae.meddra.version})" if ae.meddra is not None else "verbatim"
