"""The data manager's pages: data-entry status per visit and form, missing data, the audit trail of a record,
and locks (per participant and for the whole trial) with the emergency-unblinding attempts they never stop.
Queries are in :mod:`mescams.edc.web.views.queries`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.api.management import ALLOCATION_TABLES
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import DataLock
from mescams.edc.trial import services as trial
from mescams.edc.trial.models import UnblindingAttempt
from mescams.edc.web import audit_search
from mescams.edc.web.access import post_only, role_required
from mescams.edc.web.forms import AuditSearchForm, UnlockForm
from mescams.edc.web.listing import capped_page_of
from mescams.edc.web.services import data_entry_matrix, missing_data, visit_statuses
from mescams.errors import InputValidationError, TrialStateError
from mescams.protocols import default_protocol

AUDIT_ROLES = (Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN, Role.DSMB)


@role_required(Role.DATA_MANAGER)
def status(request: HttpRequest) -> HttpResponse:
    participants = list(trial.visible_participants(request.user))
    codes = [v.code for v in default_protocol().visits]
    grid = [{"p": p, "cells": {s.code: s for s in visit_statuses(p)}} for p in participants
            if p.week0_date is not None]
    return render(request, "web/dm_status.html", {"matrix": data_entry_matrix(participants), "codes": codes,
                                                  "grid": grid})


@role_required(Role.DATA_MANAGER)
def missing(request: HttpRequest) -> HttpResponse:
    rows = missing_data(list(trial.visible_participants(request.user)))
    return render(request, "web/dm_missing.html", {"rows": rows})


@role_required(*AUDIT_ROLES)
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail searched by participant ID, form or record, field, user and date range, newest first, 50
    entries a page (paged in the database), allocation hidden from blinded roles. ``table`` and ``record_id`` (the
    API's names) still narrow it to one record."""
    form = AuditSearchForm(request.GET or None, tables=audit_search.searchable_tables(request.user.role))
    filters = audit_search.AuditFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = audit_search.AuditFilters(participant_id=c["participant"], table=c["table"], field=c["field"],
                                            username=c["user"], date_from=c["date_from"], date_to=c["date_to"])
    table, record_id = request.GET.get("table", ""), request.GET.get("record_id", "").strip()
    if not BLINDING_POLICY.may_see(request.user.role, Reveal.ALLOCATION_LIST) and table in ALLOCATION_TABLES:
        raise PermissionDenied("the allocation list's audit trail is not available to blinded roles")
    entries = audit_search.search(role=request.user.role, visible=trial.visible_participants(request.user),
                                  filters=filters)
    if record_id:
        entries = entries.filter(record_id=record_id)
    listing = capped_page_of(request, entries)
    return render(request, "web/dm_audit.html", {"form": form, "listing": listing,
                                                 "rows": audit_search.described(listing.rows),
                                                 "searched": filters.any or bool(record_id)})


@role_required(Role.DATA_MANAGER)
def locks(request: HttpRequest) -> HttpResponse:
    active = DataLock.objects.filter(unlocked_at__isnull=True).select_related("participant")
    locked = {lock.participant_id for lock in active}
    return render(request, "web/dm_locks.html", {
        "participants": trial.visible_participants(request.user), "locked": locked,
        "trial_locked": any(lock.participant_id is None for lock in active), "form": UnlockForm(),
        "history": DataLock.objects.select_related("participant").order_by("-locked_at", "-pk")[:50],
        "unblinding_attempts": UnblindingAttempt.objects.order_by("-at", "-pk")[:100]})


@role_required(Role.DATA_MANAGER)
def lock_confirm(request: HttpRequest) -> HttpResponse:
    """Asks before a lock: whose data, what a lock stops (every change, by anyone, until an audited unlock), and the
    open queries left; the lock is taken only from this page's button."""
    participant_id = request.GET.get("participant_id") or None
    p = trial.get_visible_participant(request.user, participant_id) if participant_id else None
    open_queries = queries.visible_queries(request.user).exclude(status="closed")
    if p is not None:
        open_queries = open_queries.filter(participant=p)
    return render(request, "web/dm_lock_confirm.html", {"p": p, "open_queries": open_queries.count()})


@role_required(Role.DATA_MANAGER)
@post_only("web:dm_locks")
def lock_action(request: HttpRequest) -> HttpResponse:
    """Lock (only once confirmed on :func:`lock_confirm`'s page) or unlock one participant (``participant_id``) or
    the trial (empty); an unlock needs a reason."""
    participant_id = request.POST.get("participant_id") or None
    what = participant_id or "the trial"
    try:
        if request.POST.get("action") == "unlock":
            queries.unlock(user=request.user, participant_id=participant_id, reason=request.POST.get("reason", ""))
            messages.success(request, gettext("%(what)s unlocked (audited).") % {"what": what})
        elif request.POST.get("confirmed") != "yes":
            target = reverse("web:dm_lock_confirm")
            return redirect(f"{target}?participant_id={participant_id}" if participant_id else target)
        else:
            queries.lock(user=request.user, participant_id=participant_id)
            messages.success(request, gettext("%(what)s locked.") % {"what": what})
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, gettext("%(what)s: %(exc)s") % {"what": what, "exc": exc})
    return redirect("web:dm_locks")
