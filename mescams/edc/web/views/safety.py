"""The safety officer's pages: the SUSAR dashboard (due dates, overdue cases highlighted), one case with its
per-case reveal and reports sent, and the case forms (CIOMS I PDF, ICH E2B(R3) XML).

Every page is the safety officer's alone (403 for every other role). A reveal or a report is a POST answered by a
redirect, so no answer of a refused or blinded request differs by treatment.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mescams.core.blinding import Role
from mescams.core.safety.expedited import ReportKind
from mescams.edc.crfs.base import today
from mescams.edc.safety import actions
from mescams.edc.safety.cases import safety_case, safety_cases
from mescams.edc.safety.cioms import cioms_pdf as render_pdf
from mescams.edc.safety.e2b import icsr_xml
from mescams.edc.web.access import role_required
from mescams.edc.web.forms import DateInput
from mescams.errors import InputValidationError


class RevealForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             label=_("Why you need the treatment behind this case"))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in ReportKind], label=_("Report"))
    sent_on = forms.DateField(widget=DateInput(), label=_("Sent to Health Canada on"))
    reference = forms.CharField(max_length=80, required=False, label=_("Health Canada reference"))

    def offer(self, kinds: list[ReportKind]) -> ReportForm:
        """Offer only the reports still to send (the service refuses the others anyway)."""
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        return self


@role_required(Role.SAFETY_OFFICER)
def dashboard(request: HttpRequest) -> HttpResponse:
    on = today()
    cases = safety_cases(user=request.user, today=on)
    return render(request, "safety/dashboard.html", {
        "cases": cases, "today": on, "overdue": sum(1 for c in cases if c.overdue)})


@role_required(Role.SAFETY_OFFICER)
def case(request: HttpRequest, record_pk: int) -> HttpResponse:
    found = safety_case(user=request.user, record_pk=record_pk, today=today())
    open_reports = [c.deadline.kind for c in found.clocks if c.sent_on is None]
    return render(request, "safety/case.html", {
        "case": found, "reveal_form": RevealForm(), "open_reports": open_reports,
        "report_form": ReportForm(initial={"sent_on": today()}).offer(open_reports)})


@role_required(Role.SAFETY_OFFICER)
@require_POST
def reveal(request: HttpRequest, record_pk: int) -> HttpResponse:
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Nothing revealed: type your reason."))
        return redirect("web:safety_case", record_pk)
    try:
        actions.reveal_case(user=request.user, record_pk=record_pk, reason=form.cleaned_data["reason"])
    except InputValidationError as exc:
        messages.error(request, gettext("Nothing revealed: %(rule)s.") % {"rule": exc.rule})
    else:
        messages.success(request, gettext("Treatment revealed to you for this case (recorded)."))
    return redirect("web:safety_case", record_pk)


@role_required(Role.SAFETY_OFFICER)
@require_POST
def report(request: HttpRequest, record_pk: int) -> HttpResponse:
    form = ReportForm(request.POST)
    if not form.is_valid():
        missing = ", ".join(sorted(form.errors))
        messages.error(request, gettext("Report not recorded: check %(missing)s.") % {"missing": missing})
        return redirect("web:safety_case", record_pk)
    data = form.cleaned_data
    try:
        actions.record_report(user=request.user, record_pk=record_pk, kind=data["kind"], sent_on=data["sent_on"],
                              reference=data["reference"] or "")
    except InputValidationError as exc:
        messages.error(request, gettext("Report not recorded: %(field)s: %(rule)s.") % {
            "field": exc.field, "rule": exc.rule})
    else:
        messages.success(request, gettext("%(label)s recorded as sent on %(data)s.") % {
            "label": ReportKind(data['kind']).label, "data": data['sent_on']})
    return redirect("web:safety_case", record_pk)


@role_required(Role.SAFETY_OFFICER)
def cioms_pdf(request: HttpRequest, record_pk: int) -> HttpResponse:
    found = safety_case(user=request.user, record_pk=record_pk, today=today())
    response = HttpResponse(render_pdf(found, generated_on=today()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="CIOMS-{found.participant_id}-AE{found.ae.ae_number}.pdf"'
    return response


@role_required(Role.SAFETY_OFFICER)
def e2b_xml(request: HttpRequest, record_pk: int) -> HttpResponse:
    found = safety_case(user=request.user, record_pk=record_pk, today=today())
    body = icsr_xml(found, created_at=dt.datetime.now(dt.UTC))
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="ICSR-{found.participant_id}-AE{found.ae.ae_number}.xml"'
    return response
