"""The access log for the data manager: search by participant and dates, as JSON or CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Router

from mescams.edc.api.participants import ERRORS
from mescams.edc.api.schemas import AccessRecordOut
from mescams.edc.security import access_log

router = Router(tags=["access log"])


@router.get("", response={200: list[AccessRecordOut], **ERRORS})
def search(request: Any, participant_id: str = "", start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Who viewed participant data (``participant_id`` '' for a list view), oldest first; data managers only."""
    return list(access_log.search(user=request.user, participant_id=participant_id, start=start, end=end)[:10000])


@router.get("/export", response={200: None, **ERRORS})
def export(request: Any, participant_id: str = "", start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """The same search as CSV (every row)."""
    rows = access_log.search(user=request.user, participant_id=participant_id, start=start, end=end)
    response = HttpResponse(access_log.as_csv(rows.iterator()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response
