"""Reviewer's guides as PDF: the cSDRG for the SDTM datasets and the ADRG for the ADaM datasets.

Why made, not written: every fact in them (standards and CT versions, datasets with their class, keys and record
counts, trial design, TS parameters, derivations, population counts, the conformance results of this very export)
comes from the same metadata and checks as the datasets and Define-XML, so the guide cannot drift from the data.
The sections follow the PHUSE cSDRG and ADRG templates, shortened to what the data can say; the prose a sponsor
adds (protocol deviations, data issues found by review) is left to the people who know it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from mescams.core.protocol import Protocol
from mescams.interop.conformance import Issue
from mescams.interop.dataset import Dataset
from mescams.interop.define_xml import STANDARDS
from mescams.interop.methods import method_for
from mescams.interop.terminology import CT_VERSIONS

__all__ = ["adrg_html", "csdrg_html", "write_guide_pdf"]

_STYLE = (
    "@page { size: A4; margin: 18mm 15mm; @bottom-center { content: 'Page ' counter(page); font-size: 8pt } }"
    "body { font-family: sans-serif; font-size: 9.5pt } h1 { font-size: 16pt } h2 { font-size: 12.5pt;"
    " margin-top: 14pt } table { border-collapse: collapse; width: 100%; margin: 4pt 0 }"
    " td, th { border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left }"
    " th { background: #eee } .mono { font-family: monospace }"
)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(title: str, sections: list[tuple[str, str]]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"]
    parts.append(f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1>")
    parts += [f"<h2>{n}. {_e(heading)}</h2>{body}" for n, (heading, body) in enumerate(sections, start=1)]
    parts.append("</body></html>")
    return "".join(parts)


def _conformance(issues: list[Issue], standard: str) -> str:
    """The conformance results of this export: a summary line and one row per rule and dataset."""
    errors = sum(1 for i in issues if i.severity == "error")
    text = (
        f"<p>The project's own checks ({'SDTM' if standard == 'SDTM' else 'ADaM'} rules of "
        "<span class='mono'>mescams.interop.conformance</span>) ran on the datasets of this export: "
        f"<b>{errors} error(s), {len(issues) - errors} warning(s)</b>. "
        "External validators (CDISC CORE, Pinnacle 21 Community) are run on the exported folder as the README "
        "describes; their reports are submitted beside this guide.</p>"
    )
    if not issues:
        return text + "<p>No issue was found.</p>"
    grouped: Counter[tuple[str, str, str, str | None]] = Counter()
    example: dict[tuple[str, str, str, str | None], str] = {}
    for i in issues:
        key = (i.rule, i.severity, i.dataset, i.variable)
        grouped[key] += 1
        example.setdefault(key, i.message)
    rows = [(*k, n, example[k]) for k, n in sorted(grouped.items())]
    return text + _table(["Rule", "Severity", "Dataset", "Variable", "Findings", "First message"], rows)


def _datasets(datasets: list[Dataset]) -> str:
    return _table(
        ["Dataset", "Label", "Class", "Structure", "Keys", "Records"],
        [(d.name, d.label, d.klass, d.structure, ", ".join(d.keys), len(d.rows)) for d in datasets],
    )


def _standards(standard: str) -> str:
    ig, version = STANDARDS[standard]
    rows = [(ig, version), ("Define-XML", "2.1"), (f"CDISC Controlled Terminology ({standard})", CT_VERSIONS[standard])]
    if standard == "ADaM":
        rows.append(("CDISC Controlled Terminology (SDTM)", CT_VERSIONS["SDTM"]))
    return _table(["Standard", "Version"], rows)


def _study(protocol: Protocol, cutoff: str | None) -> str:
    ident, design = protocol.identification, protocol.design
    arms = "; ".join(f"{s.code} ({s.label})" for s in design.sequences)
    rows = [
        ("Study", f"{ident.acronym} ({ident.nct_id})"),
        ("Title", ident.official_title),
        ("Sponsor", ident.sponsor),
        ("Phase", ident.phase),
        ("Design", f"{design.allocation} {design.intervention_model.lower()}, masking: {', '.join(design.masking)}"),
        ("Sequences (SDTM arms)", arms),
        ("Data cut-off (TS DCUTDTC)", cutoff or "none given: the database state at export"),
    ]
    return _table(["", ""], rows)


def _explanations(by_name: dict[str, Dataset]) -> str:
    """Findings a validator will report that the data cannot avoid, each with its reason, from this export."""
    rows: list[tuple[str, str]] = []
    ts = by_name.get("TS")
    for r in ts.rows if ts else ():
        if r["TSVAL"] is None:
            rows.append((f"TS {r['TSPARMCD']} null ({r['TSVALNF']})", "The trial has no such value (protocol file, "
                         "'submission' section): e.g. no established pharmacologic class for a cell therapy."))
    dm, ds = by_name.get("DM"), by_name.get("DS")
    if dm is not None and ds is not None:
        ended = {r["USUBJID"] for r in ds.rows if r["DSCAT"] == "DISPOSITION EVENT"}
        ongoing = [r for r in dm.rows if r["USUBJID"] not in ended]
        if ongoing:
            rows.append((f"{len(ongoing)} subject(s) without a disposition event",
                         "Ongoing at the data cut-off: events after their last DS record (e.g. CORE-000717, AE after "
                         "the last DSSTDTC) are expected."))
    return _table(["Finding", "Explanation"], rows) if rows else "<p>None.</p>"


def csdrg_html(protocol: Protocol, sdtm: list[Dataset], issues: list[Issue], *, created: dt.datetime) -> str:
    """The cSDRG of an SDTM export: introduction, protocol, datasets, domain choices, conformance, TS."""
    by_name = {d.name: d for d in sdtm}
    ts = by_name.get("TS")
    cutoff = next((str(r["TSVAL"]) for r in ts.rows if r["TSPARMCD"] == "DCUTDTC"), None) if ts else None
    dm = by_name.get("DM")
    counts = Counter(str(r["ARMNRS"] or r["ACTARMCD"]) for r in dm.rows) if dm else Counter()
    choices = _table(
        ["Data", "Domain", "Representation"],
        [
            ("EDSS", "QS", "QSCAT EDSS, QSTESTCD EDSS0101 (CDISC EDSS01 instrument); ambulation score AMBUL01 "
             "(sponsor-defined). QS as in the TAUG-MS and the MSOAC database, although the CT lists EDSS01 and "
             "KFSS1 as clinical classifications (RS in SDTMIG 3.3+ QRS supplements)"),
            ("Kurtzke functional systems", "QS", "QSCAT KFSS, QSTESTCD KFSS101-KFSS107 (CDISC KFSS1 instrument)"),
            ("MS relapses", "CE", "CETERM MULTIPLE SCLEROSIS RELAPSE, CESCAT CONFIRMED / NOT CONFIRMED"),
            ("MRI lesions", "NV", "NVMETHOD MRI, NVLOC BRAIN; sponsor test codes GDLESNUM, NT2LSNUM, CUALSNUM, "
             "GDLESVOL, BHLESVOL (the TAUG-MS used MO, replaced by NV in SDTMIG 3.3)"),
            ("Disease course", "MH", "MHSCAT of the PRIMARY DIAGNOSIS record (RRMS, SPMS, PPMS)"),
            ("Study product", "EX", "EXTRT is the true product (unblinded data); EXREFID the blinded product code"),
        ],
    )  # fmt: skip
    sections = [
        (
            "Introduction",
            f"<p>This guide describes the SDTM datasets of {_e(protocol.identification.acronym)} exported on "
            f"{created.date().isoformat()} by mescams. It was generated from the datasets, their metadata and the "
            "conformance results of the same export.</p>" + _standards("SDTM"),
        ),
        ("Protocol description", _study(protocol, cutoff)),
        ("Subject data description", _datasets(sdtm) + "<p>Multiple sclerosis data (TAUG-MS):</p>" + choices),
        (
            "Subjects by actual arm or reason for no arm (DM)",
            _table(["ACTARMCD or ARMNRS", "Subjects"], sorted(counts.items())),
        ),
        ("Data conformance summary", _conformance(issues, "SDTM")),
        ("Validator findings the data cannot avoid", _explanations(by_name)),
        (
            "Trial summary parameters (TS)",
            _table(
                ["TSPARMCD", "TSVAL", "TSVALNF", "TSVALCD", "TSVCDREF", "TSVCDVER"],
                [
                    (r["TSPARMCD"], r["TSVAL"], r["TSVALNF"], r["TSVALCD"], r["TSVCDREF"], r["TSVCDVER"])
                    for r in (ts.rows if ts else ())
                ],
            ),
        ),
    ]
    return _page(f"Clinical Study Data Reviewer's Guide: {protocol.identification.acronym}", sections)


def adrg_html(protocol: Protocol, adam: list[Dataset], issues: list[Issue], *, created: dt.datetime) -> str:
    """The ADRG of an ADaM export: introduction, datasets, populations, derivations, dates, conformance."""
    by_name = {d.name: d for d in adam}
    adsl = by_name.get("ADSL")
    flags = ("RANDFL", "ITTFL", "SAFFL", "EFFFL", "COMPLFL")
    populations = [
        (f, sum(1 for r in adsl.rows if r[f] == "Y"), sum(1 for r in adsl.rows if r[f] == "N")) for f in flags
    ] if adsl else []  # fmt: skip
    derived = [
        (d.name, v.name, v.label, method_for(d.name, v.name) or "(no method)")
        for d in adam
        for v in d.variables
        if v.origin == "Derived"
    ]
    dates = sorted({f"{d.name}.{v.name}" for d in adam for v in d.variables if v.is_sas_date})
    sections = [
        (
            "Introduction",
            f"<p>This guide describes the ADaM datasets of {_e(protocol.identification.acronym)} exported on "
            f"{created.date().isoformat()} by mescams, derived from the SDTM datasets of the same export (never "
            "from the database directly).</p>" + _standards("ADaM"),
        ),
        ("Protocol description", _study(protocol, None)),
        ("Analysis datasets", _datasets(adam)),
        ("Analysis populations (ADSL)", _table(["Flag", "Y", "N"], populations)),
        (
            "Dates",
            "<p>ADaM dates are numeric SAS dates (days since 1960-01-01) with the DATE9. display format in the "
            "transport files and Define-XML, and ISO 8601 <span class='mono'>date</span> columns (target data "
            "type integer) in Dataset-JSON: " + _e(", ".join(dates)) + ".</p>",
        ),
        ("Derivations", _table(["Dataset", "Variable", "Label", "Method"], derived)),
        ("Data conformance summary", _conformance(issues, "ADaM")),
    ]
    return _page(f"Analysis Data Reviewer's Guide: {protocol.identification.acronym}", sections)


def write_guide_pdf(document: str, path: Path) -> Path:
    """Print a guide's HTML to PDF with WeasyPrint."""
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=document).write_pdf(str(path))
    return path
