"""Writing a decision onto a coded term: the LLT with its primary path, or the drug with its preferred name and
ATC class, all read from the release the decision is made in."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from mescams.edc.coding.models import (
    MEDDRA,
    CodedTerm,
    DictionaryRelease,
    MeddraLlt,
    MeddraPath,
    MeddraTerm,
    WhodrugAtc,
    WhodrugName,
)
from mescams.errors import InputValidationError

__all__ = ["apply_code", "primary_path"]


def primary_path(release: DictionaryRelease, pt_code: int) -> dict[str, tuple[int, str]]:
    """level -> (code, name) of the PT's primary path (hlt, hlgt, soc) in ``release``."""
    path = MeddraPath.objects.filter(release=release, pt_code=pt_code, primary=True).first()
    if path is None:
        raise InputValidationError("pt_code", gettext("PT %(pt_code)s has no primary path in %(label)s") % {
            "pt_code": pt_code, "label": release.label})
    out = {}
    for level, code in (("hlt", path.hlt_code), ("hlgt", path.hlgt_code), ("soc", path.soc_code)):
        term = MeddraTerm.objects.get(release=release, level=level, code=code)
        out[level] = (code, term.name)
    return out


def _apply_meddra(term: CodedTerm, release: DictionaryRelease, code: str) -> None:
    if not code.isdigit():
        raise InputValidationError("code", gettext("an LLT code is 8 digits, got %(code)s") % {"code": repr(code)})
    llt = MeddraLlt.objects.filter(release=release, code=int(code)).first()
    if llt is None:
        raise InputValidationError("code", gettext("%(code)s is not an LLT of %(label)s") % {
            "code": code, "label": release.label})
    pt = MeddraTerm.objects.get(release=release, level="pt", code=llt.pt_code)
    path = primary_path(release, pt.code)
    term.llt_code, term.llt_name, term.pt_code, term.pt_name = llt.code, llt.name, pt.code, pt.name
    term.hlt_code, term.hlt_name = path["hlt"]
    term.hlgt_code, term.hlgt_name = path["hlgt"]
    term.soc_code, term.soc_name = path["soc"]


def _apply_whodrug(term: CodedTerm, release: DictionaryRelease, code: str) -> None:
    drug = WhodrugName.objects.filter(release=release, drug_code=code).first()
    if drug is None:
        raise InputValidationError("code", gettext("%(code)s is not a drug code of %(label)s") % {
            "code": repr(code), "label": release.label})
    term.drug_code, term.drug_name = drug.drug_code, drug.name
    term.preferred_code, term.preferred_name = drug.preferred_code, drug.preferred_name
    atc = WhodrugAtc.objects.filter(release=release, code__in=drug.atc_codes).order_by("-level", "code").first()
    term.atc_code, term.atc_text = (atc.code, atc.text) if atc else ("", "")


def apply_code(term: CodedTerm, release: DictionaryRelease, code: str, *, status: str, method: str, by: str,
               note: str = "") -> None:
    """Set ``term`` to ``code`` of ``release`` (not saved); InputValidationError if the code is not in it."""
    term.clear_codes()
    (_apply_meddra if release.dictionary == MEDDRA else _apply_whodrug)(term, release, code)
    term.release, term.status, term.method, term.note = release, status, method, note[:300]
    term.coded_by, term.coded_at = by, dt.datetime.now(dt.UTC)
