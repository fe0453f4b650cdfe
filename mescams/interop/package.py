"""An SDTM or ADaM submission folder: the datasets, define.xml, the annotated CRF (SDTM) and the reviewer's guide,
with the conformance report written beside the folder.

Why beside: validators (CDISC CORE, Pinnacle 21) read every .json of a dataset folder as a dataset, so a report
inside it broke CORE's reader (issue 17). The folder holds only what a submission's datasets folder holds
(datasets, define.xml and the PDFs define points at); the report is ``<folder>-conformance.json`` next to it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.acrf import crf_pages, write_acrf
from mescams.interop.conformance import Issue, check_sdtm
from mescams.interop.conformance_adam import check_adam
from mescams.interop.dataset import Dataset
from mescams.interop.define_xml import build_define, validate_define, write_define
from mescams.interop.export import Format, write_datasets
from mescams.interop.reviewers_guide import adrg_html, csdrg_html, write_guide_pdf
from mescams.interop.sdtm.mapping import armcd

__all__ = ["Package", "conformance_report_path", "write_adam_package", "write_sdtm_package"]


@dataclass(frozen=True)
class Package:
    """What was written: every file in the folder, the conformance issues and the report's path."""

    files: list[Path]
    issues: list[Issue]
    report: Path


def conformance_report_path(out_dir: Path) -> Path:
    """``out/sdtm`` -> ``out/sdtm-conformance.json``: beside the dataset folder, never inside it."""
    return out_dir.parent / f"{out_dir.name}-conformance.json"


def _write_report(out_dir: Path, issues: list[Issue]) -> Path:
    path = conformance_report_path(out_dir)
    path.write_text(json.dumps([i.as_dict() for i in issues], indent=1), encoding="utf-8")
    return path


def _define(
    protocol: Protocol, datasets: list[Dataset], path: Path, standard: str, created: dt.datetime, fmt: Format,
    dictionaries: dict[str, str] | None = None,
) -> Path:
    ident = protocol.identification
    odm = build_define(
        datasets,
        study_oid=ident.nct_id,
        study_name=ident.acronym,
        description=ident.official_title,
        protocol_name=ident.nct_id,
        created=created,
        standard=standard,
        dictionaries=dictionaries,
        crf_pages=crf_pages() if standard == "SDTM" else None,
        dataset_files="json" if fmt == "json" else "xpt",
    )
    validate_define(write_define(odm, path))
    return path


def write_sdtm_package(
    protocol: Protocol,
    datasets: list[Dataset],
    out_dir: Path,
    fmt: Format,
    *,
    created: dt.datetime,
    json_schema: dict[str, Any] | None = None,
    documents: bool = True,
    dictionaries: dict[str, str] | None = None,
) -> Package:
    """Datasets, then (with ``documents``) define.xml, acrf.pdf and csdrg.pdf; the checks' report beside.
    ``dictionaries``: name -> version of the coding dictionaries (MedDRA, WHODrug) define names."""
    files = write_datasets(datasets, out_dir, fmt, study_oid=protocol.identification.nct_id, created=created,
                           json_schema=json_schema)  # fmt: skip
    issues = check_sdtm(datasets)
    if documents:
        files.append(_define(protocol, datasets, out_dir / "define.xml", "SDTM", created, fmt, dictionaries))
        files.append(write_acrf(protocol, out_dir / "acrf.pdf"))
        files.append(write_guide_pdf(csdrg_html(protocol, datasets, issues, created=created), out_dir / "csdrg.pdf"))
    return Package(files, issues, _write_report(out_dir, issues))


def write_adam_package(
    protocol: Protocol,
    sdtm: list[Dataset],
    adam: list[Dataset],
    out_dir: Path,
    fmt: Format,
    *,
    created: dt.datetime,
    json_schema: dict[str, Any] | None = None,
    documents: bool = True,
    dictionaries: dict[str, str] | None = None,
) -> Package:
    """ADaM datasets, then (with ``documents``) define.xml and adrg.pdf; the checks' report beside."""
    files = write_datasets(adam, out_dir, fmt, study_oid=protocol.identification.nct_id, created=created,
                           json_schema=json_schema)  # fmt: skip
    issues = check_adam(adam, sdtm, {armcd(s): s.code for s in protocol.design.sequences})
    if documents:
        files.append(_define(protocol, adam, out_dir / "define.xml", "ADaM", created, fmt, dictionaries))
        files.append(write_guide_pdf(adrg_html(protocol, adam, issues, created=created), out_dir / "adrg.pdf"))
    return Package(files, issues, _write_report(out_dir, issues))
