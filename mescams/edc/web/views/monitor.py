"""The monitor's pages (clinical research associate; blinded; read-only on the data of its own sites): the
participants with their source data verification progress, a participant's records form by form with a mark per
record (cleared when the record changes afterwards), queries raised on a record's field, and monitoring visits with
their report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.api.management import LAB_FIELDS
from mescams.edc.crfs.models import FORMS
from mescams.edc.i18n.labels import FORM_TITLES
from mescams.edc.monitoring import services as monitoring
from mescams.edc.monitoring.models import MonitoringVisit
from mescams.edc.queries import services as queries
from mescams.edc.trial import services as trial
from mescams.edc.web.access import post_only, role_required
from mescams.edc.web.forms import field_label_in
from mescams.edc.web.listing import page_of, search_text
from mescams.edc.web.record_values import record_rows
from mescams.edc.web.services import today
from mescams.edc.web.views.queries import filtered
from mescams.errors import InputValidationError, TrialStateError


@role_required(Role.MONITOR)
def home(request: HttpRequest) -> HttpResponse:
    """The participants of the monitor's sites, 50 a page, each with its records verified, changed since and not
    yet verified (worked out for the page's rows only)."""
    qs = trial.visible_participants(request.user)
    q = search_text(request)
    if q:
        qs = qs.filter(participant_id__icontains=q)
    listing = page_of(request, qs)
    rows = []
    for p in listing.rows:
        states = {"verified": 0, "changed": 0, "not_verified": 0}
        for check in monitoring.participant_checks(p):
            states[check.state] += 1
        rows.append({"p": p, **states, "total": sum(states.values())})
    return render(request, "web/monitor_home.html", {"rows": rows, "listing": listing, "q": q})


def _sections(request: HttpRequest, p: Any) -> list[dict[str, Any]]:
    sections = []
    by_form: dict[str, list[monitoring.RecordCheck]] = {}
    for check in monitoring.participant_checks(p):
        by_form.setdefault(check.form, []).append(check)
    for form, checks in by_form.items():
        table = FORMS[form]._meta.db_table
        fields = [(f, field_label_in(form, f)) for f in queries.queryable_fields(form)
                  if f not in ("visit_code", "out_of_window", "record", "criteria") and (table, f) not in LAB_FIELDS]
        sections.append({"form": form, "title": FORM_TITLES.get(form, form), "fields": fields,
                         "records": [{"check": c, "rows": record_rows(form, c.record, request.user.role)}
                                     for c in checks]})
    return sections


@role_required(Role.MONITOR)
def participant(request: HttpRequest, participant_id: str) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    open_queries = (queries.visible_queries(request.user).filter(participant=p).exclude(status="closed")
                    .prefetch_related("messages"))
    return render(request, "web/monitor_participant.html", {"p": p, "sections": _sections(request, p),
                                                            "queries": open_queries})


@role_required(Role.MONITOR)
@post_only("web:monitor_participant", "participant_id")
def verify(request: HttpRequest, participant_id: str) -> HttpResponse:
    """Mark one record verified against the source (audited)."""
    form, record_id = request.POST.get("form", ""), request.POST.get("record_id", "")
    try:
        if form not in FORMS or not record_id.isdigit():
            raise InputValidationError("record_id", gettext("choose a record to verify"))
        monitoring.verify_record(user=request.user, participant_id=participant_id, form=form,
                                 record_id=int(record_id), note=request.POST.get("note", ""))
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("%(form)s record %(record_id)s of %(participant_id)s marked verified "
                                          "against the source.") % {
            "form": FORM_TITLES.get(form, form), "record_id": record_id, "participant_id": participant_id})
    return redirect(f"/monitor/p/{participant_id}/#record-{form}-{record_id}")


@role_required(Role.MONITOR)
@post_only("web:monitor_participant", "participant_id")
def raise_query(request: HttpRequest, participant_id: str) -> HttpResponse:
    """A query on one field of one record, from the verification page; the site answers it in its inbox."""
    form, record_id = request.POST.get("form", ""), request.POST.get("record_id", "")
    try:
        q = queries.open_query(user=request.user, participant_id=participant_id, form=form, record_id=record_id,
                               field=request.POST.get("field", ""), text=request.POST.get("text", ""))
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Query %(pk)s raised on %(participant_id)s.") % {
            "pk": q.pk, "participant_id": participant_id})
    return redirect(f"/monitor/p/{participant_id}/#record-{form}-{record_id}")


@role_required(Role.MONITOR)
def query_list(request: HttpRequest) -> HttpResponse:
    """The queries of the monitor's sites with their threads (read-only here: the site answers them)."""
    qs, filters = filtered(request, queries.visible_queries(request.user))
    listing = page_of(request, qs.prefetch_related("messages"), per_page=20)
    return render(request, "web/monitor_queries.html", {"queries": listing.rows, "listing": listing, **filters})


@role_required(Role.MONITOR)
def visits(request: HttpRequest) -> HttpResponse:
    """The monitor's visits and the form to record one (findings and actions; the report's figures are taken
    when it is recorded)."""
    sites = list(request.user.sites.order_by("code"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            visit_date = dt.date.fromisoformat(request.POST.get("visit_date", ""))
        except ValueError:
            errors["visit_date"] = "an ISO 8601 date (YYYY-MM-DD)"
        else:
            try:
                visit = monitoring.record_visit(user=request.user, site_code=request.POST.get("site", ""),
                                                visit_date=visit_date, findings=request.POST.get("findings", ""),
                                                actions=request.POST.get("actions", ""))
            except InputValidationError as exc:
                errors[exc.field] = exc.rule
            else:
                messages.success(request, gettext("Monitoring visit of %(visit_date)s at %(code)s recorded.") % {
                    "visit_date": visit.visit_date, "code": visit.site.code})
                return redirect("web:monitor_visit", visit_id=visit.pk)
    listing = page_of(request, MonitoringVisit.objects.filter(site__in=sites).select_related("site"))
    return render(request, "web/monitor_visits.html", {"listing": listing, "sites": sites, "errors": errors,
                                                       "today": today(), "posted": request.POST},
                  status=422 if errors else 200)


@role_required(Role.MONITOR)
def visit_report(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One visit's report: findings, actions, and the figures as they stood when it was recorded."""
    visit = MonitoringVisit.objects.filter(pk=visit_id, site__in=request.user.sites.all()).select_related(
        "site").first()
    if visit is None:
        raise Http404("no such visit among your sites'")
    return render(request, "web/monitor_visit.html", {"visit": visit, "s": visit.summary})
