"""Queries: the site's and the EDSS rater's inboxes with answering, and the data manager's query management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from mescams.core.blinding import Role
from mescams.edc.crfs.access import WRITE, may_write
from mescams.edc.i18n.labels import FORM_TITLES
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import Query
from mescams.edc.trial.services import NotFound
from mescams.edc.web.access import SITE_ROLES, post_only, role_required
from mescams.edc.web.forms import AnswerForm, QueryForm, attach_error
from mescams.edc.web.listing import Sort, page_of, search_text
from mescams.errors import InputValidationError, TrialStateError

ANSWERING = (*SITE_ROLES, Role.EDSS_RATER)


def scoped_queries(user: Any) -> Any:
    """The queries a user's inbox holds: the site roles all of their sites'; the EDSS rater only those on forms
    the rater enters (EDSS), so a query about an infusion, a lab or an adverse event never reaches a blinded
    assessor's page."""
    qs = queries.visible_queries(user)
    if Role(user.role) is Role.EDSS_RATER:
        qs = qs.filter(form__in=[form for form in WRITE if may_write(user.role, form)])
    return qs


QUERY_SORT = Sort({"status": (gettext_lazy("Open first"), ("status", "participant__participant_id", "opened_at", "pk")),
                   "oldest": (gettext_lazy("Oldest first"), ("opened_at", "pk")),
                   "newest": (gettext_lazy("Newest first"), ("-opened_at", "-pk")),
                   "participant": (gettext_lazy("Participant"), ("participant__participant_id", "opened_at", "pk"))},
                  default="status")


def filtered(request: HttpRequest, qs: Any) -> tuple[Any, dict[str, Any]]:
    """Queries narrowed by the list's filters (status, participant, form, words in any message), sorted; and the
    filters for the page to show."""
    status, participant, form, words = (request.GET.get("status", ""), search_text(request, "participant"),
                                        request.GET.get("form", ""), search_text(request))
    if status in Query.STATES:
        qs = qs.filter(status=status)
    if participant:
        qs = qs.filter(participant__participant_id__icontains=participant)
    if form in FORM_TITLES:
        qs = qs.filter(form=form)
    if words:
        qs = qs.filter(Q(text__icontains=words) | Q(messages__text__icontains=words)).distinct()
    filters = {"status": status, "participant": participant, "form_filter": form, "q": words, "sort": QUERY_SORT,
               "chosen_sort": QUERY_SORT.chosen(request), "states": Query.STATES,
               "forms": sorted(FORM_TITLES.items(), key=lambda kv: kv[1])}
    return qs.order_by(*QUERY_SORT.ordering(request)), filters


def _inbox(request: HttpRequest, *, title: str, participant_page: str) -> HttpResponse:
    qs, filters = filtered(request, scoped_queries(request.user))
    listing = page_of(request, qs.select_related("participant").prefetch_related("messages"), per_page=20)
    return render(request, "web/site_queries.html", {"queries": listing.rows, "listing": listing, "form": AnswerForm(),
                                                     "title": title, "participant_page": participant_page,
                                                     **filters})


@role_required(*SITE_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, title="Query inbox", participant_page="web:participant")


@role_required(Role.EDSS_RATER)
def rater_inbox(request: HttpRequest) -> HttpResponse:
    """The coordinator's inbox in the rater's scope: queries on the rater's own EDSS forms."""
    return _inbox(request, title="Queries on your EDSS forms", participant_page="web:rater_participant")


@role_required(*ANSWERING)
@post_only("web:home")
def answer(request: HttpRequest, query_id: int) -> HttpResponse:
    back = "web:rater_queries" if Role(request.user.role) is Role.EDSS_RATER else "web:site_queries"
    if not scoped_queries(request.user).filter(pk=query_id).exists():
        raise Http404(f"query {query_id} not found")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            queries.answer_query(user=request.user, query_id=query_id, answer=form.cleaned_data["answer"])
        except (InputValidationError, TrialStateError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Query %(query_id)s answered.") % {"query_id": query_id})
    else:
        messages.error(request, gettext("An answer is required."))
    return redirect(back)


@role_required(Role.DATA_MANAGER)
def manage(request: HttpRequest) -> HttpResponse:
    """All queries, 20 a page, filtered and sorted, each with its whole thread; a form to open one, and for each
    open query a follow-up and a close button."""
    form = QueryForm(request.POST or None, initial={"participant_id": request.GET.get("participant", ""),
                                                    "form": request.GET.get("form", "")})
    if request.method == "POST" and form.is_valid():
        try:
            q = queries.open_query(user=request.user, **form.cleaned_data)
        except InputValidationError as exc:
            attach_error(form, exc)
        except NotFound:
            form.add_error("participant_id", gettext("no such participant"))
        else:
            messages.success(request, gettext("Query %(pk)s opened for %(participant_id)s.") % {
                "pk": q.pk, "participant_id": q.participant.participant_id})
            return redirect("web:dm_queries")
    qs, filters = filtered(request, queries.visible_queries(request.user))
    listing = page_of(request, qs.select_related("participant").prefetch_related("messages"), per_page=20)
    return render(request, "web/dm_queries.html", {"queries": listing.rows, "listing": listing, "form": form,
                                                   **filters})


@role_required(Role.DATA_MANAGER)
@post_only("web:dm_queries")
def close(request: HttpRequest, query_id: int) -> HttpResponse:
    try:
        queries.close_query(user=request.user, query_id=query_id)
    except TrialStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Query %(query_id)s closed.") % {"query_id": query_id})
    return redirect("web:dm_queries")


@role_required(Role.DATA_MANAGER)
@post_only("web:dm_queries")
def follow_up(request: HttpRequest, query_id: int) -> HttpResponse:
    """Ask more on a query: the message joins its thread and the query is open again."""
    try:
        queries.follow_up_query(user=request.user, query_id=query_id, text=request.POST.get("text", ""))
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Follow-up sent on query %(query_id)s.") % {"query_id": query_id})
    return redirect("web:dm_queries")
