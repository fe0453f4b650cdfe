"""Site pages (coordinator and investigator): participants dashboard, the screening record with live eligibility
(after the consent, which :mod:`mescams.edc.web.views.consent` records), the participant page and its lifecycle
steps (eligibility, randomisation, withdrawal)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from mescams.core.lifecycle import ParticipantState
from mescams.edc.crfs.models import FORMS, Consent, ScreeningRecord
from mescams.edc.queries.casebook import casebook_gaps, casebook_state, manifestation
from mescams.edc.queries.models import Signature
from mescams.edc.queries.services import visible_queries
from mescams.edc.randomisation import services as randomisation
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial import consent as consents
from mescams.edc.trial import services as trial
from mescams.edc.trial.eligibility import EligibilityOutcome, evaluate
from mescams.edc.web import screening_form
from mescams.edc.web.access import SITE_ROLES, post_only, role_required
from mescams.edc.web.calendar import calendar
from mescams.edc.web.consent_forms import ReconsentForm
from mescams.edc.web.forms import (
    OnDateForm,
    RandomiseForm,
    SignForm,
    UnblindForm,
    WithdrawForm,
    attach_error,
)
from mescams.edc.web.listing import Sort, page_of, search_text
from mescams.edc.web.locks import active_lock
from mescams.edc.web.services import consent_date_of, next_due, today, visit_statuses
from mescams.errors import InputValidationError, TrialStateError


def product_code_of(participant: Any) -> str | None:
    """The blinded product code (never the product type): what every site role may see."""
    return AllocationSlot.objects.filter(participant=participant).values_list("product_code", flat=True).first()


PARTICIPANT_SORT = Sort({"id": (gettext_lazy("Participant ID"), ("participant_id",)),
                         "status": (gettext_lazy("Status"), ("status", "participant_id")),
                         "week0": (gettext_lazy("Week 0, latest first"), ("-week0_date", "participant_id")),
                         "screened": (gettext_lazy("Screening date, latest first"), ("-screening_date",
                                                                                     "participant_id"))},
                        default="id")


@role_required(*SITE_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The site's participants: searched by ID, filtered by status and site (and to those with an overdue visit),
    sorted, and paged in the database; visit statuses are worked out for the rows of the page only (and, for the
    overdue filter, for the site's participants in the other filters)."""
    visible = trial.visible_participants(request.user)
    qs = visible
    q, status, site_code = search_text(request), request.GET.get("status", ""), request.GET.get("site", "")
    if q:
        qs = qs.filter(participant_id__icontains=q)
    if status in {state.value for state in ParticipantState}:
        qs = qs.filter(status=status)
    if site_code:
        qs = qs.filter(site__code=site_code)
    qs = qs.order_by(*PARTICIPANT_SORT.ordering(request))
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        qs = [p for p in qs.filter(week0_date__isnull=False)
              if any(s.state == "overdue" for s in visit_statuses(p))]
    listing = page_of(request, qs)
    on_page = [p.pk for p in listing.rows]
    open_queries: dict[int, int] = {}
    for pk in visible_queries(request.user).exclude(status="closed").filter(participant__in=on_page) \
            .values_list("participant_id", flat=True):
        open_queries[pk] = open_queries.get(pk, 0) + 1
    rows = []
    for p in listing.rows:
        statuses = visit_statuses(p)
        rows.append({"p": p, "next": next_due(statuses), "overdue": [s for s in statuses if s.state == "overdue"],
                     "queries": open_queries.get(p.pk, 0)})
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    counts = {state: by_status.get(state.value, 0) for state in ParticipantState}
    return render(request, "web/site_dashboard.html", {
        "rows": rows, "counts": counts, "today": today(), "listing": listing, "sort": PARTICIPANT_SORT,
        "chosen_sort": PARTICIPANT_SORT.chosen(request), "q": q, "status": status, "site": site_code,
        "overdue_only": overdue_only, "states": list(ParticipantState),
        "sites": sorted({p.site.code for p in visible.select_related("site")})})


def _consented(request: HttpRequest, participant_id: str) -> Any:
    """The participant whose screening record this page enters, with the consent it needs (shown first)."""
    p = trial.get_visible_participant(request.user, participant_id)
    return p, consents.first_consent(p)


def _render_screening(request: HttpRequest, p: Any, consent: Any, main: Any, sets: dict[str, Any],
                      status: int = 200, **extra: Any) -> HttpResponse:
    sets_titled = [(name, screening_form.ROW_TITLES[name], formset) for name, formset in sets.items()]
    return render(request, "web/screen.html", {"p": p, "consent": consent, "form": main, "sets": sets_titled,
                                               "preview": _preview(main, sets, p), **extra}, status=status)


@role_required(*SITE_ROLES)
def screening(request: HttpRequest, participant_id: str) -> HttpResponse:
    """The screening record of a consented participant: the consent first, then the criteria with the live
    verdict (judged with the recorded consent date for I5). On submit the record is stored; eligibility next."""
    p, consent = _consented(request, participant_id)
    if consent is None or p.status != ParticipantState.CONSENTED:
        messages.error(request, gettext("The screening record is entered once, after the informed consent.") if consent
                       else gettext("Record the informed consent before any screening."))
        return redirect("web:participant", participant_id=participant_id)
    if request.method == "POST" and "add_row" in request.POST:
        return _screen_with_added_row(request, p, consent)
    main, sets = screening_form.build_forms(request.POST or None)
    if request.method == "POST" and screening_form.all_valid(main, sets):
        record = screening_form.to_record(main, sets)
        try:
            # a malformed record is refused before anything is stored
            evaluate(trial.record_with_consent(record, p), main.cleaned_data["on"])
            trial.screen(user=request.user, participant_id=participant_id,
                         screening_date=main.cleaned_data["screening_date"], record=record)
        except InputValidationError as exc:
            attach_error(main, exc)
        except TrialStateError as exc:
            main.add_error(None, str(exc))
        else:
            messages.success(request,
                             gettext("%(participant_id)s: screening record stored. Assess eligibility next.") % {
                "participant_id": participant_id})
            return redirect("web:participant", participant_id=participant_id)
    return _render_screening(request, p, consent, main, sets)


def _screen_with_added_row(request: HttpRequest, p: Any, consent: Any) -> HttpResponse:
    """"Add a row" without JavaScript: the button submits the whole form, and the page comes back with everything
    typed so far, one more blank row of that item (its first input focused) and the eligibility verdict, as the
    live panel would show it. Nothing is stored, and no field is flagged as an error yet: this is not a submission.
    (With JavaScript, htmx sends the same button to ``screen_row`` and inserts only the new row.)"""
    item = request.POST["add_row"]
    grown = screening_form.with_added_row(request.POST, item)
    main, sets = screening_form.build_forms(grown if grown is not None else request.POST)
    if grown is None:
        title = screening_form.ROW_TITLES.get(item)
        messages.error(request, gettext("No row can be added to %(item)s (at most %(rows)s rows).") % {
            "item": title, "rows": screening_form.MAX_ROWS} if title else gettext(
            "No rows can be added to %(item)s: not a repeated item of the screening form.") % {"item": repr(item[:40])})
    else:
        new_row = sets[item].forms[-1]
        next(iter(new_row.fields.values())).widget.attrs["autofocus"] = True
    return _render_screening(request, p, consent, main, sets, status=200 if grown is not None else 400,
                             hide_errors=True)


def _preview(main: Any, sets: dict[str, Any], p: Any) -> dict[str, Any] | None:
    """The engine's verdict on the record as typed so far, with the recorded consent (nothing stored), or the
    fields to fix first."""
    if not main.is_bound:
        return None
    if not screening_form.all_valid(main, sets):
        problems = [(main.fields[name].label if name in main.fields else name, " ".join(errors))
                    for name, errors in main.errors.items()]
        for formset in sets.values():
            for row in formset.forms:
                problems += [(f"{row.fields[name].label} (row {row.prefix.rsplit('-', 1)[1]})", " ".join(errors))
                             for name, errors in row.errors.items() if name in row.fields]
        return {"problems": problems}
    try:
        record = trial.record_with_consent(screening_form.to_record(main, sets), p)
        outcome = evaluate(record, main.cleaned_data["on"])
    except (InputValidationError, TrialStateError) as exc:
        return {"error": str(exc)}
    return {"outcome": outcome, "on": main.cleaned_data["on"]}


@role_required(*SITE_ROLES)
@post_only("web:screening", "participant_id")
def screen_preview(request: HttpRequest, participant_id: str) -> HttpResponse:
    """htmx: the live eligibility panel of a participant's screening page."""
    p = trial.get_visible_participant(request.user, participant_id)
    main, sets = screening_form.build_forms(request.POST)
    return render(request, "web/_eligibility.html", {"preview": _preview(main, sets, p)})


@role_required(*SITE_ROLES)
@post_only("web:screen")
def screen_row(request: HttpRequest) -> HttpResponse:
    """htmx: one more blank row of a repeated item (``add_row``), and the formset's new row count (out of band)."""
    item = request.POST.get("add_row", "")
    index = screening_form.row_count(request.POST, item)
    row = screening_form.blank_row(item, index)
    if row is None:
        return HttpResponse(f"No row can be added (at most {screening_form.MAX_ROWS} per item).", status=400)
    return render(request, "web/_screen_row.html", {"item": item, "row": row, "number": index + 1,
                                                    "title": screening_form.ROW_TITLES[item], "oob": True})


def _participant_context(request: HttpRequest, p: Any, **forms: Any) -> dict[str, Any]:
    screening = ScreeningRecord.objects.filter(participant=p).first()
    defaults = {"reconsent_form": ReconsentForm(user=request.user, initial={"consent_date": today(),
                                                                           "obtained_by": request.user.username}),
                "eligibility_form": OnDateForm(initial={"on": today()}),
                "randomise_form": RandomiseForm(initial={"on": today()}),
                "withdraw_form": WithdrawForm(initial={"on": today()}),
                "sign_form": SignForm(), "unblind_form": UnblindForm()}
    defaults.update(forms)
    queries = visible_queries(request.user).filter(participant=p).order_by("opened_at", "pk").prefetch_related(
        "messages")
    outcome = EligibilityOutcome(screening.eligible, screening.criteria) if screening else None
    return {"p": p, "screening": screening, "screening_outcome": outcome, "statuses": visit_statuses(p),
            "product_code": product_code_of(p),
            "consent_date": consent_date_of(p), "queries": queries, "event_forms": _events(p),
            "consents": Consent.objects.filter(participant=p).select_related("obtained_by").order_by("consent_date",
                                                                                                   "pk"),
            "reconsent_needed": consents.reconsent_required(p),
            "is_investigator": request.user.role == "investigator", "lock": active_lock(p),
            **_casebook(request, p), **defaults}



def _casebook(request: HttpRequest, p: Any) -> dict[str, Any]:
    """The casebook's signatures (manifestation and state), and for the investigator what signing would face."""
    out: dict[str, Any] = {"signatures": [manifestation(s) for s in Signature.objects.filter(participant=p)
                                          .order_by("signed_at", "pk")], "casebook_state": casebook_state(p)}
    if request.user.role == "investigator":
        out["casebook_gaps"] = casebook_gaps(p)
    return out


def _events(p: Any) -> list[tuple[str, list[Any]]]:
    out = []
    for form in ("adverse_event", "relapse", "conmed", "demographics"):
        out.append((form, list(FORMS[form].objects.filter(participant=p).order_by("pk"))))
    return out


@role_required(*SITE_ROLES)
def participant(request: HttpRequest, participant_id: str) -> HttpResponse:
    return participant_page(request, participant_id)


def participant_page(request: HttpRequest, participant_id: str, **forms: Any) -> HttpResponse:
    """The participant page, with ``forms`` (bound, with their errors) in place of the blank ones."""
    p = trial.get_visible_participant(request.user, participant_id)
    return render(request, "web/participant.html", _participant_context(request, p, **forms))


def _step(request: HttpRequest, participant_id: str, form_class: Any, key: str, action: Any, done: str) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("web:participant", participant_id=participant_id)
    p.refresh_from_db()
    return render(request, "web/participant.html", _participant_context(request, p, **{key: form}))


@role_required(*SITE_ROLES)
@post_only("web:participant", "participant_id")
def eligibility(request: HttpRequest, participant_id: str) -> HttpResponse:
    def run(c: dict[str, Any]) -> None:
        _, outcome = trial.run_eligibility(user=request.user, participant_id=participant_id, on=c["on"])
        verdict = {True: "eligible", False: "not eligible (screen failure)", None: "not decided: data missing"}
        messages.info(request, gettext("Eligibility as of %(c)s: %(verdict)s.") % {
            "c": c['on'], "verdict": verdict[outcome.eligible]})

    return _step(request, participant_id, OnDateForm, "eligibility_form", run, "Eligibility assessed.")


@role_required(*SITE_ROLES)
@post_only("web:participant", "participant_id")
def randomise(request: HttpRequest, participant_id: str) -> HttpResponse:
    def run(c: dict[str, Any]) -> None:
        slot = randomisation.randomise(user=request.user, participant_id=participant_id, on=c["on"])
        messages.info(request, gettext("Randomised. Blinded product code: %(product_code)s.") % {
            "product_code": slot.product_code})

    return _step(request, participant_id, RandomiseForm, "randomise_form", run,
                 "Week 0 (study day 1, the first infusion) is the randomisation date.")


@role_required(*SITE_ROLES)
@post_only("web:participant", "participant_id")
def withdraw(request: HttpRequest, participant_id: str) -> HttpResponse:
    def run(c: dict[str, Any]) -> None:
        if c["on"] > today():
            raise InputValidationError("on", gettext("must not be in the future"))
        trial.withdraw(user=request.user, participant_id=participant_id, reason=c["reason"], on=c["on"])

    return _step(request, participant_id, WithdrawForm, "withdraw_form", run, "Participant withdrawn.")


@role_required(*SITE_ROLES)
@post_only("web:participant", "participant_id")
def complete(request: HttpRequest, participant_id: str) -> HttpResponse:
    try:
        trial.complete(user=request.user, participant_id=participant_id)
        messages.success(request, gettext("Study completed."))
    except TrialStateError as exc:
        messages.error(request, str(exc))
    return redirect("web:participant", participant_id=participant_id)



@role_required(*SITE_ROLES)
def visit_calendar(request: HttpRequest) -> HttpResponse:
    """The visit calendar of the user's sites: overdue, open and coming visits with their windows (``?site=``,
    ``?weeks=`` ahead, 1 to 26)."""
    visible = trial.visible_participants(request.user).filter(week0_date__isnull=False)
    site_code = request.GET.get("site", "")
    if site_code:
        visible = visible.filter(site__code=site_code)
    try:
        weeks = min(26, max(1, int(request.GET.get("weeks", "6"))))
    except ValueError:
        weeks = 6
    entries = calendar(visible, on=today(), horizon_days=7 * weeks)
    return render(request, "web/visit_calendar.html", {
        "entries": entries, "today": today(), "weeks": weeks, "site": site_code,
        "sites": sorted(request.user.sites.values_list("code", flat=True)),
        "overdue": sum(1 for e in entries if e.state == "overdue"),
        "open": sum(1 for e in entries if e.state == "due")})
