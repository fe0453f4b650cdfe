"""The medical coder's pages: the queue of terms to code, one term with dictionary search and the hierarchy of
each hit, the decision (with the coder's reason, optionally remembered as a synonym), and a query to the site.

The coder is blinded: these pages show verbatims, forms, participant IDs and the dictionary, never a treatment.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mescams.core.blinding import Role
from mescams.edc.coding import services as coding
from mescams.edc.coding.models import DICTIONARIES, MEDDRA, CodedTerm
from mescams.edc.web.access import role_required
from mescams.errors import InputValidationError, TrialStateError

CODER = Role.MEDICAL_CODER
SHOWN = ("queue", "coded", "all")


@role_required(CODER)
def queue(request: HttpRequest) -> HttpResponse:
    """Terms awaiting the coder (uncoded, ambiguous, to review, queried); ``?show=coded`` or ``all`` for the rest."""
    show = request.GET.get("show", "queue")
    dictionary = request.GET.get("dictionary", "")
    dictionary = dictionary if dictionary in dict(DICTIONARIES) else ""
    if show == "queue":
        terms = coding.coding_queue(request.user, dictionary=dictionary)
    else:
        coding.coding_queue(request.user)  # the role check
        qs = CodedTerm.objects.select_related("participant", "release").order_by("dictionary", "verbatim", "pk")
        if show == "coded":
            qs = qs.filter(status="coded")
        terms = list(qs.filter(dictionary=dictionary) if dictionary else qs)
    return render(request, "web/coding_queue.html", {"terms": terms, "show": show if show in SHOWN else "queue",
                                                     "dictionary": dictionary, "dictionaries": DICTIONARIES})


@role_required(CODER)
def term(request: HttpRequest, term_id: int) -> HttpResponse:
    """One term: its coding and hierarchy, a search of the dictionary, the decision and the query forms."""
    item = coding.term_of(request.user, term_id)
    text = request.GET.get("q", "").strip() or item.verbatim
    hits: list[coding.Candidate] = []
    error = ""
    try:
        hits = coding.search(request.user, dictionary=item.dictionary, text=text)
    except InputValidationError as exc:
        error = exc.rule
    paths: dict[str, list[coding.PathRow]] = {}
    if item.dictionary == MEDDRA:
        wanted = {h.parent_code for h in hits} | ({str(item.pt_code)} if item.pt_code else set())
        paths = {pt: coding.hierarchy(request.user, pt_code=int(pt)) for pt in sorted(wanted)}
    return render(request, "web/coding_term.html", {"term": item, "hits": hits, "q": text, "error": error,
                                                    "paths": paths, "meddra": item.dictionary == MEDDRA})


@role_required(CODER)
@require_POST
def decide(request: HttpRequest, term_id: int) -> HttpResponse:
    try:
        decided = coding.decide(user=request.user, term_id=term_id, code=request.POST.get("code", ""),
                                reason=request.POST.get("reason", ""), remember=request.POST.get("remember") == "on")
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
        return redirect("web:coding_term", term_id=term_id)
    label = decided.pt_name if decided.dictionary == MEDDRA else decided.preferred_name
    messages.success(request, gettext("%(verbatim)s coded to %(label)s.") % {
        "verbatim": repr(decided.verbatim), "label": label})
    return redirect("web:coding_queue")


@role_required(CODER)
@require_POST
def query(request: HttpRequest, term_id: int) -> HttpResponse:
    try:
        coding.query_site(user=request.user, term_id=term_id, text=request.POST.get("text", ""))
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
        return redirect("web:coding_term", term_id=term_id)
    messages.success(request, gettext("Query sent to the site."))
    return redirect("web:coding_queue")
