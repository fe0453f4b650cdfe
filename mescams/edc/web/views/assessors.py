"""The blinded outcome assessors' pages: the EDSS rater's assessments, the MRI reader's scan list and reads.

Nothing here touches allocation: the rater sees participant IDs, visits and their own EDSS forms; the reader
sees scan IDs only (no participant, no visit), in the order the scans were registered.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.crfs.models import EdssAssessment, MriScan
from mescams.edc.crfs.services import read_scan
from mescams.edc.trial import services as trial
from mescams.edc.web.access import role_required
from mescams.edc.web.forms import ScanReadForm, attach_error
from mescams.edc.web.listing import page_of, search_text
from mescams.edc.web.services import visit_statuses
from mescams.errors import InputValidationError, TrialStateError


@role_required(Role.EDSS_RATER)
def rater_home(request: HttpRequest) -> HttpResponse:
    rows = []
    for p in trial.visible_participants(request.user).filter(week0_date__isnull=False):
        due = [s for s in visit_statuses(p) if "edss" in s.due_forms and s.state != "not_expected"]
        rows.append({"p": p, "visits": [(s.code, s.state, bool(s.entered.get("edss"))) for s in due]})
    return render(request, "web/rater_home.html", {"rows": rows})


@role_required(Role.EDSS_RATER)
def rater_participant(request: HttpRequest, participant_id: str) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    due = [s for s in visit_statuses(p) if "edss" in s.due_forms]
    records = EdssAssessment.objects.filter(participant=p).order_by("assessment_date", "pk")
    return render(request, "web/rater_participant.html", {"p": p, "due": due, "records": records})


@role_required(Role.MRI_READER)
def mri_scans(request: HttpRequest) -> HttpResponse:
    """The scans, 50 a page in registration order (a random scan ID must not decide the order, and nothing else is
    offered to sort by: the reader sees scan IDs only), searched by scan ID, optionally unread only."""
    scans = MriScan.objects.order_by("pk")
    unread, q = bool(request.GET.get("unread")), search_text(request)
    if unread:
        scans = scans.filter(read_at__isnull=True)
    if q:
        scans = scans.filter(scan_id__icontains=q)
    listing = page_of(request, scans.values_list("scan_id", "read_at"))
    rows = [{"scan_id": scan_id, "read": read_at is not None} for scan_id, read_at in listing.rows]
    return render(request, "web/mri_scans.html", {"rows": rows, "unread": unread, "q": q, "listing": listing,
                                                  "to_read": MriScan.objects.filter(read_at__isnull=True).count()})


@role_required(Role.MRI_READER)
def mri_read(request: HttpRequest, scan_id: str) -> HttpResponse:
    scan = MriScan.objects.filter(scan_id=scan_id).first()
    if scan is None:
        raise Http404("no such scan")
    initial = {name: getattr(scan, name) for name in ScanReadForm.base_fields if name != "reason"}
    form = ScanReadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            read_scan(user=request.user, scan_id=scan_id, values=values, reason=form.cleaned_data["reason"])
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Read of scan %(scan_id)s saved.") % {"scan_id": scan_id})
            return redirect("web:mri_scans")
    return render(request, "web/mri_read.html", {"scan_id": scan_id, "form": form,
                                                 "read": scan.read_at is not None})
