"""The data manager's access log page: who viewed a participant's data, searched by participant and dates, with a
CSV download of the same search (see :mod:`mescams.edc.security.access_log`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mescams.core.blinding import Role
from mescams.edc.security import access_log
from mescams.edc.web.access import role_required
from mescams.errors import InputValidationError

SHOWN = 500
"""Rows shown on the page (the CSV holds every row of the search)."""


@role_required(Role.DATA_MANAGER)
@require_GET
def access_log_page(request: HttpRequest) -> HttpResponse:
    try:
        terms = access_log.search_terms(request.GET.dict())
    except InputValidationError as exc:
        return render(request, "web/dm_access_log.html", {"error": str(exc), "rows": [], "q": request.GET},
                      status=422)
    rows = access_log.search(user=request.user, **terms)  # type: ignore[arg-type]
    if request.GET.get("format") == "csv":
        response = HttpResponse(access_log.as_csv(rows.iterator()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
        return response
    return render(request, "web/dm_access_log.html", {"rows": rows[:SHOWN], "count": rows.count(),
                                                      "shown": SHOWN, "q": request.GET})
