"""Finding the dictionary entry for a verbatim, in the order the trial codes: the exact text of a current LLT (or
WHODrug name), then its normalised form (case, spacing, British/US spelling), then the trial's synonym list.

A verbatim matching entries of more than one PT (or more than one drug) is ambiguous and goes to the coder; a
verbatim matching nothing is uncoded. Only current LLTs are coded to (MedDRA keeps non-current ones for old data).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from mescams.edc.coding.models import MEDDRA, WHODRUG, DictionaryRelease, MeddraLlt, Synonym, WhodrugName
from mescams.edc.coding.notes import note
from mescams.interop.dictionaries.normalise import normalise

__all__ = ["Match", "match_meddra", "match_whodrug", "match_verbatim"]


@dataclass(frozen=True)
class Match:
    status: str  # coded, ambiguous, uncoded
    method: str = ""  # exact, normalised, synonym
    code: str = ""  # LLT code or drug code
    note: str = ""


def _pick_llt(found: list[MeddraLlt], method: str) -> Match:
    pts = sorted({llt.pt_code for llt in found})
    if len(pts) > 1:
        return Match("ambiguous", method, "",
                     note("ambiguous_llts", count=len(pts), codes=", ".join(map(str, pts))))
    chosen = min(found, key=lambda llt: (llt.code != llt.pt_code, llt.code))  # the PT's own LLT first
    return Match("coded", method, str(chosen.code))


def match_meddra(release: DictionaryRelease, verbatim: str) -> Match:
    current: QuerySet[MeddraLlt] = MeddraLlt.objects.filter(release=release, current=True)
    text = verbatim.strip()
    exact = list(current.filter(name=text))
    if exact:
        return _pick_llt(exact, "exact")
    key = normalise(text)
    similar = list(current.filter(key=key))
    if similar:
        return _pick_llt(similar, "normalised")
    synonym = Synonym.objects.filter(dictionary=MEDDRA, key=key).first()
    if synonym is not None:
        target = current.filter(code=int(synonym.code)).first()
        if target is not None:
            return Match("coded", "synonym", str(target.code))
        return Match("uncoded", "", "", note("synonym_llt_not_current", code=synonym.code, release=release.label))
    return Match("uncoded")


def _pick_drug(found: list[WhodrugName], method: str) -> Match:
    preferred = sorted({d.preferred_code for d in found})
    if len(preferred) > 1:
        return Match("ambiguous", method, "", note("ambiguous_drugs", count=len(preferred), codes=", ".join(preferred)))
    return Match("coded", method, min(found, key=lambda d: d.drug_code).drug_code)


def match_whodrug(release: DictionaryRelease, verbatim: str) -> Match:
    names: QuerySet[WhodrugName] = WhodrugName.objects.filter(release=release)
    text = verbatim.strip()
    exact = list(names.filter(name=text))
    if exact:
        return _pick_drug(exact, "exact")
    key = normalise(text)
    similar = list(names.filter(key=key))
    if similar:
        return _pick_drug(similar, "normalised")
    synonym = Synonym.objects.filter(dictionary=WHODRUG, key=key).first()
    if synonym is not None:
        if names.filter(drug_code=synonym.code).exists():
            return Match("coded", "synonym", synonym.code)
        return Match("uncoded", "", "", note("synonym_drug_missing", code=synonym.code, release=release.label))
    return Match("uncoded")


def match_verbatim(release: DictionaryRelease, verbatim: str) -> Match:
    return (match_meddra if release.dictionary == MEDDRA else match_whodrug)(release, verbatim)
