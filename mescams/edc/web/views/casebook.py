"""The casebook PDF of one participant (PDF/A-3b), for the investigator (their sites) and the data manager."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from mescams.core.blinding import Role
from mescams.edc.trial import services as trial
from mescams.edc.web.access import role_required
from mescams.edc.web.casebook_pdf import casebook_pdf


@role_required(Role.INVESTIGATOR, Role.DATA_MANAGER)
def casebook(request: HttpRequest, participant_id: str) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    response = HttpResponse(casebook_pdf(request.user, p), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="casebook-{p.participant_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
