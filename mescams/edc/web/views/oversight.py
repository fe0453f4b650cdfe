"""Unblinded statistician and DSMB: enrolment, CONSORT flow, retention, safety by treatment, lesion counts,
and the analysis report (``mescams analyze`` run on the EDC's analysis-data export)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mescams.core.blinding import Reveal
from mescams.edc.export.analysis_data import write_analysis_data
from mescams.edc.trial.models import Participant
from mescams.edc.web import charts, summaries
from mescams.edc.web.access import post_only, reveal_required
from mescams.edc.web.services import visit_statuses
from mescams.errors import AnalysisDataError
from mescams.protocols import default_protocol

REPORT_FILES = {"report.html": "text/html", "results.json": "application/json", "analyze.log": "text/plain"}


def completion_grid() -> tuple[list[str], list[tuple[str, list[float | None]]], list[dict[str, object]]]:
    """Per randomised participant and visit the share of due eCRFs entered; per visit the retention."""
    codes = [v.code for v in default_protocol().visits]
    rows: list[tuple[str, list[float | None]]] = []
    retention = {c: {"visit": c, "expected": 0, "done": 0} for c in codes}
    for p in Participant.objects.filter(week0_date__isnull=False).select_related("site").order_by("participant_id"):
        values: list[float | None] = []
        for s in visit_statuses(p):
            expected = s.state not in ("not_expected", "upcoming")
            values.append(s.completion if expected else None)
            if expected:
                retention[s.code]["expected"] += 1  # type: ignore[operator]
                retention[s.code]["done"] += 1 if s.state == "done" else 0  # type: ignore[operator]
        rows.append((p.participant_id, values))
    return codes, rows, list(retention.values())


def _incomplete(request: HttpRequest, exc: AnalysisDataError) -> HttpResponse:
    """The export does not yet meet the analysis-data contract (e.g. a randomised person without demographics)."""
    return render(request, "web/oversight_incomplete.html", {"error": str(exc)})


@reveal_required(Reveal.ARM_SUMMARIES)
def overview(request: HttpRequest) -> HttpResponse:
    try:
        data = summaries.unblinded_data(request.user)
    except AnalysisDataError as exc:
        return _incomplete(request, exc)
    screened, randomised, target = summaries.enrolment_series()
    codes, rows, retention = completion_grid()
    return render(request, "web/oversight.html", {
        "enrolment": charts.enrolment_chart(screened, randomised, target), "target": target,
        "consort": summaries.consort(data.subjects), "heat": charts.heat_map(rows, codes), "retention": retention})


@reveal_required(Reveal.ARM_SUMMARIES)
def safety(request: HttpRequest) -> HttpResponse:
    try:
        data = summaries.unblinded_data(request.user)
    except AnalysisDataError as exc:
        return _incomplete(request, exc)
    events = data.attributed.sort_values(["treatment", "participant_id", "ae_id"]).to_dict("records")
    treatments, by_soc = summaries.ae_by_soc_pt(data.attributed)
    return render(request, "web/oversight_safety.html", {"rows": summaries.safety_rows(data.safety),
                                                          "events": events, "treatments": treatments,
                                                          "by_soc": by_soc})


@reveal_required(Reveal.ARM_SUMMARIES)
def lesions(request: HttpRequest) -> HttpResponse:
    try:
        data = summaries.unblinded_data(request.user)
    except AnalysisDataError as exc:
        return _incomplete(request, exc)
    series = summaries.lesion_series(data.subjects, data.mri)
    weeks = sorted({v.week for v in default_protocol().visits if v.week is not None})
    table = [{"participant_id": s["participant_id"], "sequence": s["sequence"],
              "counts": [dict(s["points"]).get(w) for w in weeks]} for s in series]
    return render(request, "web/oversight_lesions.html", {"chart": charts.lesion_chart(series, weeks),
                                                           "table": table, "weeks": weeks})


def _reports_dir() -> Path:
    return Path(settings.MESCAMS_DATA_DIR) / "reports"


def _reports() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for folder in sorted(_reports_dir().glob("*"), reverse=True):
        if folder.is_dir():
            status_file = folder / "exit-status"
            finished = status_file.is_file()
            ok = finished and status_file.read_text(encoding="utf-8").strip() == "0"
            files = [name for name in REPORT_FILES if (folder / name).is_file() and (finished or name != "report.html")]
            out.append({"name": folder.name, "files": files,
                        "state": "done" if ok else "failed (see analyze.log)" if finished else "running"})
    return out


@reveal_required(Reveal.ANALYSIS_EXPORT)
def reports(request: HttpRequest) -> HttpResponse:
    template = "web/_reports.html" if request.headers.get("HX-Request") else "web/oversight_reports.html"
    return render(request, template, {"reports": _reports()})


@reveal_required(Reveal.ANALYSIS_EXPORT)
@post_only("web:oversight_reports")
def generate_report(request: HttpRequest) -> HttpResponse:
    """Export the analysis data (audited) and start ``mescams analyze`` on it in the background.

    The folder is named from the time and the user's id (never the user name), and the job is started with an
    argument list, never a shell (:mod:`mescams.edc.web.report_job`).
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    folder = _reports_dir() / f"{stamp}-u{request.user.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    write_analysis_data(folder / "analysis-data", actor=request.user, deidentified=True)  # no real date needed
    with (folder / "analyze.log").open("wb") as log:
        subprocess.Popen([sys.executable, "-m", "mescams.edc.web.report_job", str(folder)],  # noqa: S603
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    messages.success(request, gettext("Analysis started; the report appears below when it is ready (about a minute)."))
    return redirect("web:oversight_reports")


@reveal_required(Reveal.ANALYSIS_EXPORT)
def download_report(request: HttpRequest, name: str, filename: str) -> HttpResponse:
    folder = _reports_dir() / name
    if filename not in REPORT_FILES or "/" in name or name.startswith(".") or not (folder / filename).is_file():
        raise Http404("no such report file")
    return FileResponse((folder / filename).open("rb"), as_attachment=True, filename=f"mescams-{name}-{filename}",
                        content_type=REPORT_FILES[filename])
