"""The medical coder's work: the queue of terms to code, dictionary search with the whole hierarchy, a decision
(optionally remembered as a synonym of the trial), and a query to the site when a verbatim is ambiguous.

The coder is blinded (:mod:`mescams.core.blinding`): what it sees is the verbatim, its form, the participant ID
(to word a query) and the dictionary, never a treatment. Every decision is audited with the coder's reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.audit.context import acting
from mescams.edc.coding.decision import apply_code
from mescams.edc.coding.loading import active_release
from mescams.edc.coding.models import (
    MEDDRA,
    RECORD_FORM,
    VERBATIM_FIELD,
    WHODRUG,
    CodedTerm,
    DictionaryRelease,
    MeddraLlt,
    MeddraPath,
    MeddraTerm,
    Synonym,
    WhodrugName,
)
from mescams.edc.queries.models import Query
from mescams.edc.trial.services import NotFound, require_role
from mescams.errors import IllegalTransition, InputValidationError
from mescams.interop.dictionaries.normalise import normalise

__all__ = ["Candidate", "PathRow", "coding_queue", "decide", "hierarchy", "query_site", "search", "term_of"]

QUEUE_STATUSES = ("uncoded", "ambiguous", "review", "queried")
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class Candidate:
    """One search hit: an LLT with its PT and primary SOC, or a drug name with its preferred name and ATC."""

    code: str
    name: str
    current: bool
    parent_code: str
    parent_name: str
    group: str  # the PT's primary SOC, or the drug's ATC codes


@dataclass(frozen=True)
class PathRow:
    primary: bool
    soc: str
    hlgt: str
    hlt: str
    pt: str


def coding_queue(user: Any, *, dictionary: str = "") -> list[CodedTerm]:
    """Terms awaiting the coder: uncoded, ambiguous, to review after an upgrade, or queried at the site."""
    require_role(user, Role.MEDICAL_CODER)
    terms = CodedTerm.objects.select_related("participant").filter(status__in=QUEUE_STATUSES)
    if dictionary:
        terms = terms.filter(dictionary=dictionary)
    return list(terms.order_by("dictionary", "verbatim", "pk"))


def term_of(user: Any, term_id: int) -> CodedTerm:
    require_role(user, Role.MEDICAL_CODER)
    term: CodedTerm | None = None
    if 0 < term_id < 2**63:
        term = CodedTerm.objects.select_related("participant", "release").filter(pk=term_id).first()
    if term is None:
        raise NotFound(gettext("term: no such coded term"))
    return term


def _release(dictionary: str) -> DictionaryRelease:
    release = active_release(dictionary)
    if release is None:
        raise InputValidationError("dictionary",
                                   gettext("no %(dictionary)s release is loaded "
                                           "(mescams coding load-%(dictionary)s)") % {
                                       "dictionary": dictionary})
    return release


def search(user: Any, *, dictionary: str, text: str) -> list[Candidate]:
    """LLTs whose text or whose PT's text contains ``text`` (normalised), or drug names containing it; when the
    whole text matches nothing, the entries containing any of its words of three letters or more (a verbatim
    such as "sore head" then finds "Headache")."""
    require_role(user, Role.MEDICAL_CODER)
    key = normalise(text)
    if len(key) < 2:
        raise InputValidationError("text", gettext("type at least two letters"))
    found = _search(_release(dictionary), key)
    words = [w for w in key.split() if len(w) >= 3]
    if not found and len(words) > 1:
        seen: dict[str, Candidate] = {}
        for word in words:
            seen.update({c.code: c for c in _search(_release(dictionary), word)})
        found = list(seen.values())[:SEARCH_LIMIT]
    return found


def _search(release: DictionaryRelease, key: str) -> list[Candidate]:
    dictionary = release.dictionary
    if dictionary == WHODRUG:
        drugs = WhodrugName.objects.filter(release=release, key__contains=key).order_by("name")[:SEARCH_LIMIT]
        return [Candidate(d.drug_code, d.name, True, d.preferred_code, d.preferred_name, ", ".join(d.atc_codes))
                for d in drugs]
    pts = {t.code: t for t in MeddraTerm.objects.filter(release=release, level="pt")}
    socs = {t.code: t.name for t in MeddraTerm.objects.filter(release=release, level="soc")}
    hit_pts = [code for code, t in pts.items() if key in t.key]
    llts = (MeddraLlt.objects.filter(release=release)
            .filter(Q(key__contains=key) | Q(pt_code__in=hit_pts)).order_by("-current", "name")[:SEARCH_LIMIT])
    return [Candidate(str(llt.code), llt.name, llt.current, str(llt.pt_code), pts[llt.pt_code].name,
                      socs.get(pts[llt.pt_code].primary_soc_code or 0, "")) for llt in llts]


def hierarchy(user: Any, *, pt_code: int, release: DictionaryRelease | None = None) -> list[PathRow]:
    """Every path of the PT (primary first): SOC, HLGT, HLT, PT, as MedDRA's multiaxiality has them."""
    require_role(user, Role.MEDICAL_CODER)
    release = release or _release(MEDDRA)
    names = {(t.level, t.code): t.name for t in MeddraTerm.objects.filter(release=release)}
    return [PathRow(p.primary, names[("soc", p.soc_code)], names[("hlgt", p.hlgt_code)], names[("hlt", p.hlt_code)],
                    names[("pt", p.pt_code)])
            for p in MeddraPath.objects.filter(release=release, pt_code=pt_code).order_by("-primary", "soc_code")]


def decide(*, user: Any, term_id: int, code: str, reason: str, remember: bool = False) -> CodedTerm:
    """Code the term to ``code`` (an LLT code, or a drug code) of the active release, with the coder's reason;
    ``remember`` adds the verbatim to the trial's synonym list, so the same words are coded alike from now on."""
    require_role(user, Role.MEDICAL_CODER)
    if not reason.strip():
        raise InputValidationError("reason", gettext("a coding decision needs your reason"))
    with transaction.atomic(), acting(user, reason=reason.strip()):
        term = term_of(user, term_id)
        release = _release(term.dictionary)
        if term.dictionary == MEDDRA and not MeddraLlt.objects.filter(release=release, code=int(code) if
                                                                       code.isdigit() else -1, current=True).exists():
            raise InputValidationError("code", gettext("%(code)s is not a current LLT of %(label)s") % {
                "code": code, "label": release.label})
        apply_code(term, release, code.strip(), status="coded", method="coder", by=user.username)
        term.save()
        if remember:
            key = normalise(term.verbatim)
            synonym = Synonym.objects.filter(dictionary=term.dictionary, key=key).first() or Synonym(
                dictionary=term.dictionary, key=key, added_by=user.username)
            synonym.verbatim, synonym.code = term.verbatim, code.strip()
            synonym.save()
    return term


def query_site(*, user: Any, term_id: int, text: str) -> Query:
    """Ask the site about the term's verbatim (too vague, two events in one, a misspelling): a query on the
    record's verbatim field (for a history entry or prior therapy, the screening record's list it is in), which the
    site answers as any other; the term waits as ``queried``."""
    require_role(user, Role.MEDICAL_CODER)
    if not text.strip():
        raise InputValidationError("text", gettext("a query needs a question"))
    with transaction.atomic(), acting(user, reason="coding query to the site"):
        term = term_of(user, term_id)
        if term.status == "queried" and term.query is not None and term.query.status != "closed":
            raise IllegalTransition(gettext("this term already has an open query"))
        query = Query(participant=term.participant, form=RECORD_FORM[term.form], record_id=str(term.record_pk),
                      field=VERBATIM_FIELD[term.form], text=text.strip(), opened_by=user.username)
        query.save()
        term.status, term.query = "queried", query
        term.save()
    return query
