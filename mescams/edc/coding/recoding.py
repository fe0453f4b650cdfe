"""A version upgrade: make a loaded release the active one and recode every term to it, with a report.

For each coded term: its LLT (or drug code) still current in the new release keeps it, with the hierarchy read
again (a PT may have moved to another primary SOC: reported); an LLT no longer current is coded again by the
autocoding rules when the verbatim matches a current LLT, and otherwise kept, marked ``review`` for the coder.
Terms not yet coded are tried again. Each change is audited with the upgrade as its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from mescams.edc.audit.context import acting
from mescams.edc.coding.autocode import AUTOCODER
from mescams.edc.coding.decision import apply_code
from mescams.edc.coding.matching import match_verbatim
from mescams.edc.coding.models import MEDDRA, CodedTerm, DictionaryRelease, MeddraLlt, WhodrugName
from mescams.edc.coding.notes import note
from mescams.errors import InputValidationError

__all__ = ["UpgradeReport", "non_current_terms", "upgrade"]


@dataclass
class UpgradeReport:
    release: str
    previous: str
    unchanged: int = 0
    moved: list[str] = field(default_factory=list)  # PT or primary SOC changed
    non_current: list[str] = field(default_factory=list)  # LLT became non-current: what was done
    newly_coded: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"upgrade {self.previous or '(none)'} -> {self.release}: {self.unchanged} unchanged, "
               f"{len(self.moved)} moved in the hierarchy, {len(self.non_current)} on an LLT no longer current, "
               f"{len(self.newly_coded)} newly coded"]
        out += [f"  non-current: {line}" for line in self.non_current]
        out += [f"  moved: {line}" for line in self.moved]
        out += [f"  newly coded: {line}" for line in self.newly_coded]
        return out


def _still_valid(term: CodedTerm, release: DictionaryRelease) -> bool:
    if term.dictionary == MEDDRA:
        return bool(MeddraLlt.objects.filter(release=release, code=term.llt_code, current=True).exists())
    return bool(WhodrugName.objects.filter(release=release, drug_code=term.drug_code).exists())


def _where(term: CodedTerm) -> str:
    entry = f" {term.item}" if term.item else ""  # a history entry or prior therapy of the screening record
    return f"{term.form} {term.record_pk}{entry} {term.verbatim!r}"


def _recode(term: CodedTerm, release: DictionaryRelease, report: UpgradeReport, reason: str) -> None:
    old_code = term.llt_code if term.dictionary == MEDDRA else term.drug_code
    old_path = (term.pt_code, term.soc_code)
    if term.status in ("coded", "review") and old_code and _still_valid(term, release):
        apply_code(term, release, str(old_code), status="coded", method=term.method, by=term.coded_by,
                   note=term.note)
        if (term.pt_code, term.soc_code) != old_path:
            report.moved.append(f"{_where(term)}: PT/SOC {old_path[0]}/{old_path[1]} -> {term.pt_code}/{term.soc_code}")
        else:
            report.unchanged += 1
    elif term.status in ("coded", "review") and old_code:
        match = match_verbatim(release, term.verbatim)
        if match.status == "coded":
            apply_code(term, release, match.code, status="coded", method=match.method, by=AUTOCODER.username)
            report.non_current.append(f"{_where(term)}: LLT {old_code} not current; recoded to {match.code} "
                                      f"({match.method} match)")
        else:
            apply_code(term, release, str(old_code), status="review", method=term.method, by=term.coded_by,
                       note=note("llt_not_current", code=old_code, release=release.label))
            report.non_current.append(f"{_where(term)}: LLT {old_code} not current; kept for the coder's review")
    else:
        match = match_verbatim(release, term.verbatim)
        if match.status != "coded":
            term.release = release
            with acting(AUTOCODER, reason=reason):
                term.save()
            return
        apply_code(term, release, match.code, status="coded", method=match.method, by=AUTOCODER.username)
        report.newly_coded.append(f"{_where(term)} -> {match.code} ({match.method} match)")
    with acting(AUTOCODER, reason=reason):
        term.save()


def upgrade(*, dictionary: str, version: str, actor: object) -> UpgradeReport:
    """Make ``version`` the active release of ``dictionary`` and recode every term (one transaction)."""
    with transaction.atomic():
        release = DictionaryRelease.objects.select_for_update().filter(dictionary=dictionary, version=version).first()
        if release is None:
            raise InputValidationError("version", gettext("%(dictionary)s %(version)s is not loaded") % {
                "dictionary": dictionary, "version": version})
        previous = DictionaryRelease.objects.filter(dictionary=dictionary, active=True).exclude(pk=release.pk).first()
        reason = f"{dictionary} upgrade to {release.version}"
        with acting(actor, reason=reason):
            if previous is not None:
                previous.active = False
                previous.save()
            release.active = True
            release.save()
        report = UpgradeReport(release.label, previous.label if previous else "")
        for term in CodedTerm.objects.filter(dictionary=dictionary).order_by("pk"):
            _recode(term, release, report, reason)
    return report


def non_current_terms(dictionary: str = MEDDRA) -> list[CodedTerm]:
    """Terms coded to an LLT that is not current in their release (the coder's review list)."""
    return list(CodedTerm.objects.filter(dictionary=dictionary, status="review").order_by("pk"))
