"""eCRF pages: a visit with the forms due at it, and entering or changing one form (site users, EDSS rater).

Every save goes through ``save_dated_form`` -> the EDC's audited ``save_form``; a rule it refuses comes back
next to the field it names, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.crfs.access import may_write
from mescams.edc.crfs.models import FORMS, ScreeningRecord
from mescams.edc.trial import services as trial
from mescams.edc.web.access import SITE_ROLES, role_required
from mescams.edc.web.forms import NOT_VALUES, attach_error, crf_form_class, crf_values, soft_failures
from mescams.edc.web.locks import active_lock
from mescams.edc.web.services import event_forms_at, forms_due_at, save_dated_form, visit_statuses
from mescams.edc.web.templatetags.web_tags import form_title
from mescams.edc.web.views.site import product_code_of
from mescams.errors import DataLocked, DuplicateRecord, InputValidationError, TrialStateError
from mescams.protocols import default_protocol

CRF_ROLES = (*SITE_ROLES, Role.EDSS_RATER)
HIDDEN_FROM_SITE = ("cells_infused", "viability_percent", "cells_per_kg")


def _shown_fields(form_name: str) -> list[str]:
    model = FORMS[form_name]
    undated = () if model.date_field else ("out_of_window",)
    return [f.name for f in model._meta.concrete_fields
            if f.name not in ("id", "participant", "created_at", "record", "criteria", *HIDDEN_FROM_SITE, *undated)]


def records_of(participant: Any, form_name: str, visit_code: str | None = None) -> list[dict[str, Any]]:
    """Records as the site sees them (the lab's cell counts never shown: they reveal allocation)."""
    qs = FORMS[form_name].objects.filter(participant=participant).order_by("pk")
    if visit_code is not None:
        qs = qs.filter(visit_code=visit_code)
    names = _shown_fields(form_name)
    return [{"pk": r.pk, "values": [(n, getattr(r, n)) for n in names]} for r in qs]


@role_required(*SITE_ROLES)
def visit(request: HttpRequest, participant_id: str, visit_code: str) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    status = next((s for s in visit_statuses(p) if s.code == visit_code), None)
    if status is None:
        raise Http404("no such visit")
    forms = []
    for f in forms_due_at(visit_code):
        if f == "consent":
            continue
        records = records_of(p, f, visit_code if visit_code != "SCR" or f != "demographics" else None)
        # a single form already entered here is changed, not entered again (safety labs: one per test)
        unique_by = default_protocol().form(f).unique_by
        per = {(): "participant", ("visit_code",): "visit"}.get(tuple(unique_by)) if unique_by is not None else None
        complete = per if records and per else ""
        forms.append((f, records, may_write(request.user.role, f), complete))
    events = [(f, records_of(p, f), may_write(request.user.role, f)) for f in event_forms_at(visit_code)]
    return render(request, "web/visit.html", {"p": p, "status": status, "forms": forms, "events": events,
                                              "visit": default_protocol().visit(visit_code)})


def _back(request: HttpRequest, participant_id: str, visit_code: str) -> str:
    if request.user.role == Role.EDSS_RATER:
        return reverse("web:rater_participant", args=[participant_id])
    if visit_code:
        return reverse("web:visit", args=[participant_id, visit_code])
    return reverse("web:participant", args=[participant_id])


def _duplicate(participant_id: str, exc: DuplicateRecord, form: Any) -> dict[str, Any]:
    """What the page shows for a second entry of a single form: where the first is, in the form's own labels
    ("visit W0", not "visit_code W0"), and a link to change it."""
    where = ", ".join(f"{(form.fields[name].label if name in form.fields else name).lower()} {value or '(none)'}"
                      for name, value in exc.key.items())
    return {"form": exc.form, "where": where,
            "edit_url": reverse("web:crf_edit", args=[participant_id, exc.form, exc.record_id])}


def _confirms_dose(user: Any, form_name: str) -> bool:
    """The investigator may confirm, on the vital signs, a change of the dose basis after the lab prepared."""
    return form_name == "vital_signs" and user.role == Role.INVESTIGATOR


def _confirmation(form: Any) -> dict[str, Any]:
    """The reason and the dose-basis confirmation the page's form carries beside the values."""
    return {"reason": form.cleaned_data.get("reason") or "",
            "confirm_dose_change": bool(form.cleaned_data.get("confirm_dose_change"))}


def _check_form(user: Any, form_name: str) -> None:
    if form_name not in FORMS or form_name in ("screening", "consent"):
        raise Http404("no such form")
    if not may_write(user.role, form_name):
        raise PermissionDenied(f"the role {user.role} may not enter the form {form_name}")


def _screening_values(participant: Any) -> dict[str, Any]:
    """Demographics pre-filled from the screening record (sex, birth date, MS course and onset), so a difference
    is a deliberate change that the demographics_vs_screening check asks to confirm."""
    import datetime as dt

    screening = ScreeningRecord.objects.filter(participant=participant).order_by("pk").first()
    record: dict[str, Any] = screening.record if screening is not None and isinstance(screening.record, dict) else {}
    ms: dict[str, Any] = record["ms"] if isinstance(record.get("ms"), dict) else {}
    out: dict[str, Any] = {"sex": record.get("sex") or "", "ms_course": ms.get("course") or ""}
    for name, value in (("birth_date", record.get("birth_date")), ("ms_onset_date", ms.get("onset_date"))):
        try:
            out[name] = dt.date.fromisoformat(str(value)) if value else None
        except ValueError:
            out[name] = None
    return out


def _submit(request: HttpRequest, form: Any, p: Any, form_name: str, *, record_pk: int | None = None
            ) -> tuple[Any, list[Any], dict[str, Any] | None]:
    """Save through the EDC; returns (record or None, soft failures to offer for confirmation, the existing record
    a second single form collides with). Every failure of the submit is put next to its field; the soft ones come
    back with "confirm, with a reason"."""
    confirmation = _confirmation(form)
    confirmation["reason"] = confirmation["reason"] or request.POST.get("confirm_reason", "")
    try:
        record = save_dated_form(user=request.user, participant=p, form=form_name, values=crf_values(form),
                                 record_pk=record_pk, confirm_checks=request.POST.getlist("confirm_checks"),
                                 **confirmation)
    except InputValidationError as exc:
        attach_error(form, exc)
        return None, soft_failures(exc), None
    except DuplicateRecord as exc:  # a second single form, or a change moving it onto a visit that holds one
        return None, [], _duplicate(p.participant_id, exc, form)
    except (TrialStateError, DataLocked) as exc:
        form.add_error(None, str(exc))
        return None, [], None
    for query in getattr(record, "opened_queries", []):
        if query.status == "open":
            messages.warning(request, gettext("Query opened by edit check %(edit_check)s: %(text)s") % {
                "edit_check": query.edit_check, "text": query.text})
    if record.out_of_window:
        messages.warning(request, gettext("Saved outside the visit window: recorded as a protocol deviation."))
    return record, [], None


@role_required(*CRF_ROLES)
def crf_new(request: HttpRequest, participant_id: str, form_name: str) -> HttpResponse:
    _check_form(request.user, form_name)
    p = trial.get_visible_participant(request.user, participant_id)
    form_class = crf_form_class(form_name, confirm_dose=_confirms_dose(request.user, form_name))
    visit_code = request.GET.get("visit", "")
    initial: dict[str, Any] = {"visit_code": visit_code}
    if form_name == "infusion":
        initial["product_code"] = product_code_of(p)
    if form_name == "demographics":
        initial.update(_screening_values(p))
    form = form_class(request.POST or None, initial=initial)
    soft: list[Any] = []
    duplicate = None
    if request.method == "POST" and form.is_valid():
        record, soft, duplicate = _submit(request, form, p, form_name)
        if record is not None:
            messages.success(request, gettext("%(form_title)s saved.") % {"form_title": form_title(form_name)})
            return redirect(_back(request, participant_id, form.cleaned_data.get("visit_code", visit_code)))
    return render(request, "web/crf_form.html", {"p": p, "form": form, "form_name": form_name, "editing": False,
                                                 "lock": active_lock(p),
                                                 "soft": soft, "duplicate": duplicate,
                                                 "back": _back(request, participant_id, visit_code)})


@role_required(*CRF_ROLES)
def crf_edit(request: HttpRequest, participant_id: str, form_name: str, record_pk: int) -> HttpResponse:
    _check_form(request.user, form_name)
    p = trial.get_visible_participant(request.user, participant_id)
    record = FORMS[form_name].objects.filter(participant=p, pk=record_pk).first()
    if record is None:
        raise Http404("no such record")
    form_class = crf_form_class(form_name, editing=True, confirm_dose=_confirms_dose(request.user, form_name))
    initial = {name: getattr(record, name) for name in form_class.base_fields if name not in NOT_VALUES}
    form = form_class(request.POST or None, initial=initial)
    soft: list[Any] = []
    duplicate = None
    if request.method == "POST" and form.is_valid():
        saved, soft, duplicate = _submit(request, form, p, form_name, record_pk=record.pk)
        if saved is not None:
            messages.success(request, gettext("%(form_title)s changed (audited).") % {
                "form_title": form_title(form_name)})
            return redirect(_back(request, participant_id, record.visit_code))
    return render(request, "web/crf_form.html", {"p": p, "form": form, "form_name": form_name, "editing": True,
                                                 "lock": active_lock(p),
                                                 "record": record, "soft": soft, "duplicate": duplicate,
                                                 "back": _back(request, participant_id, record.visit_code)})
