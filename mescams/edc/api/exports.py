"""Interop exports through the API: SDTM, ADaM, Define-XML, ODM, ClinicalTrials.gov results, tables and listings.

``POST /api/exports/{sdtm,adam}`` answer a zip of Dataset-JSON / XPT files, ``define`` and ``odm`` an XML
document, ``ctgov-results`` the resultsSection JSON, ``tlf`` a zip of the numbered RTF (and, when asked, PDF)
tables, listings and figures. Every one carries treatment allocation, so every one asks the one blinding policy
(``Reveal.ANALYSIS_EXPORT``, as the analysis-data export does; the tables by arm ``Reveal.ARM_SUMMARIES`` as well)
and is refused to blinded roles.
Every export is de-identified unless ``identifiable`` is asked for (see :mod:`mescams.edc.security.privacy`), which
only :data:`IDENTIFIABLE_ROLES` may do, with a reason. Every export taken leaves an audit entry (who,
role, when, kind, identifiable, how many participants, reason). POST, not GET: an export is an audited act, so it
must carry the CSRF token like any other.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Field, Router, Schema

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.api.participants import ERRORS
from mescams.edc.audit import chain
from mescams.edc.audit.context import Actor
from mescams.edc.export.snapshot import snapshot_from_database
from mescams.edc.security.privacy import deidentify, restrict_to_sites
from mescams.edc.trial.services import Forbidden
from mescams.errors import InputValidationError
from mescams.interop.acrf import crf_pages
from mescams.interop.adam import build_adam
from mescams.interop.conformance import check_sdtm
from mescams.interop.ctgov_results import results_section
from mescams.interop.define_xml import build_define, validate_define, write_define
from mescams.interop.export import write_datasets
from mescams.interop.odm import build_odm, validate_odm, write_odm
from mescams.interop.sdtm import build_sdtm
from mescams.interop.tlf import build_tlfs, write_tlfs
from mescams.protocols import default_protocol

router = Router(tags=["exports"])

IDENTIFIABLE_ROLES = frozenset({Role.UNBLINDED_STATISTICIAN})
"""Who may take an identifiable export (real dates, birth dates, staff names): the trial's unblinded statistician."""


class ExportIn(Schema):
    identifiable: bool = False
    reason: str = Field(default="", max_length=2000)


class DatasetsIn(ExportIn):
    format: Literal["json", "xpt", "both"] = "json"


class DefineIn(ExportIn):
    standard: Literal["SDTM", "ADaM"] = "SDTM"


class OdmIn(ExportIn):
    metadata_only: bool = False


class CtgovIn(ExportIn):
    results: dict[str, Any] = Field(default_factory=dict, description="statistics results (mescams analyze --json)")


class TlfIn(CtgovIn):
    pdf: bool = Field(default=False, description="also print each output to PDF (slower)")


def _audit(user: Any, kind: str, body: ExportIn, participants: int | None) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    chain.append(actor=Actor.of(user), table="export", record_id=f"{kind}-{stamp}"[:64], action="export",
                 changes=[("kind", None, kind), ("identifiable", None, json.dumps(body.identifiable)),
                          ("participants", None, None if participants is None else str(participants))],
                 reason=body.reason.strip() or "export")


def require_identifiable(user: Any, reason: str) -> None:
    """Forbidden unless the role may take an identifiable export; InputValidationError without a reason."""
    if Role(user.role) not in IDENTIFIABLE_ROLES:
        raise Forbidden(gettext("the role %(role)s may not take an identifiable export") % {"role": user.role})
    if not reason.strip():
        raise InputValidationError("reason", gettext("an identifiable export needs a reason (it is audited)"))


def _snapshot(user: Any, kind: str, body: ExportIn) -> tuple[Any, Any]:
    """Check the role, then the protocol and the (de-identified unless asked) snapshot; audit the export."""
    BLINDING_POLICY.require(user.role, Reveal.ANALYSIS_EXPORT)
    if body.identifiable:
        require_identifiable(user, body.reason)
    protocol = default_protocol()
    snapshot = snapshot_from_database(protocol)
    if BLINDING_POLICY.view(user.role).site_bound:
        snapshot = restrict_to_sites(snapshot, set(user.site_codes()))
    if not body.identifiable:
        snapshot = deidentify(snapshot)
    _audit(user, kind, body, len(snapshot.participants))
    return protocol, snapshot


def _created() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _zip(datasets: list[Any], fmt: str, protocol: Any, folder: str, beside: dict[str, str] | None = None) -> bytes:
    """The datasets in ``folder/`` of a zip; ``beside`` files (the conformance report) at the zip's root, beside
    the folder and never in it: validators read every .json of a dataset folder as a dataset."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_datasets(datasets, Path(tmp), fmt, study_oid=protocol.identification.nct_id,  # type: ignore[arg-type]
                               created=_created())
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(paths):
                zf.write(path, arcname=f"{folder}/{path.name}")
            for name, text in (beside or {}).items():
                zf.writestr(name, text)
    return buffer.getvalue()


@router.post("/sdtm", response={200: None, **ERRORS})
def export_sdtm(request: Any, body: DatasetsIn) -> Any:
    """SDTM datasets (zip of Dataset-JSON and/or XPT) with the conformance report; de-identified by default."""
    protocol, snapshot = _snapshot(request.user, "sdtm", body)
    datasets = build_sdtm(protocol, snapshot)
    issues = json.dumps([i.as_dict() for i in check_sdtm(datasets)], indent=1)
    return _download(_zip(datasets, body.format, protocol, "sdtm", {"sdtm-conformance.json": issues}), "sdtm.zip",
                     "application/zip")


@router.post("/adam", response={200: None, **ERRORS})
def export_adam(request: Any, body: DatasetsIn) -> Any:
    """ADaM datasets derived from the SDTM (zip); de-identified by default."""
    protocol, snapshot = _snapshot(request.user, "adam", body)
    datasets = build_adam(protocol, build_sdtm(protocol, snapshot))
    return _download(_zip(datasets, body.format, protocol, "adam"), "adam.zip", "application/zip")


@router.post("/define", response={200: None, **ERRORS})
def export_define(request: Any, body: DefineIn) -> Any:
    """Define-XML 2.1 of the SDTM or ADaM datasets, validated against its XSD."""
    protocol, snapshot = _snapshot(request.user, "define", body)
    datasets = build_sdtm(protocol, snapshot)
    if body.standard == "ADaM":
        datasets = build_adam(protocol, datasets)
    ident = protocol.identification
    odm = build_define(datasets, study_oid=ident.nct_id, study_name=ident.acronym, description=ident.official_title,
                       protocol_name=ident.nct_id, created=_created(), standard=body.standard,
                       dictionaries={d.name: d.version for d in snapshot.dictionaries},
                       crf_pages=crf_pages() if body.standard == "SDTM" else None)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_define(odm, Path(tmp) / "define.xml")
        validate_define(path)
        return _download(path.read_bytes(), "define.xml", "application/xml")


@router.post("/odm", response={200: None, **ERRORS})
def export_odm(request: Any, body: OdmIn) -> Any:
    """CDISC ODM 1.3.2: eCRF metadata and the clinical data with its audit trail, validated against the XSD."""
    protocol, snapshot = _snapshot(request.user, "odm", body)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_odm(build_odm(protocol, None if body.metadata_only else snapshot, created=_created()),
                         Path(tmp) / "odm.xml")
        validate_odm(path)
        return _download(path.read_bytes(), "odm.xml", "application/xml")


@router.post("/ctgov-results", response={200: None, **ERRORS})
def export_ctgov_results(request: Any, body: CtgovIn) -> Any:
    """The ClinicalTrials.gov API v2 resultsSection (aggregate by arm) with the given statistics results."""
    protocol, snapshot = _snapshot(request.user, "ctgov-results", body)
    section, warnings = results_section(protocol, snapshot, body.results)
    document = {"resultsSection": section, "warnings": warnings}
    return _download(json.dumps(document, indent=1).encode("utf-8"), "ctgov-results.json", "application/json")


@router.post("/tlf", response={200: None, **ERRORS})
def export_tlf(request: Any, body: TlfIn) -> Any:
    """Tables, listings and figures by arm: a zip of numbered RTF files (PDF when asked) and their tlf.json."""
    BLINDING_POLICY.require(request.user.role, Reveal.ARM_SUMMARIES)  # tables by arm, before any data is read
    protocol, snapshot = _snapshot(request.user, "tlf", body)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_tlfs(build_tlfs(protocol, snapshot, body.results), Path(tmp), pdf=body.pdf)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(paths):
                zf.write(path, arcname=f"tlf/{path.name}")
    return _download(buffer.getvalue(), "tlf.zip", "application/zip")
