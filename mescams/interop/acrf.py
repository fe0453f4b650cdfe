"""The annotated CRF (acrf.pdf): every eCRF form of the ODM metadata with the SDTM variable each item becomes.

Why from the form definitions: the forms are :data:`mescams.interop.odm_metadata.FORMS` (the ODM export's metadata,
which mirrors the EDC's eCRFs), so a form or item added there without an annotation fails the tests instead of
shipping an aCRF that misses it. Each form is one section whose id (``F.<form>``) becomes a PDF named destination;
Define-XML points collected variables at those destinations (:func:`crf_pages`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mescams.core.protocol import Protocol
from mescams.interop.odm_metadata import ACTIVITY_FORMS, FORMS, LOG_FORMS, form_codelists
from mescams.interop.sdtm.findings import KFSS_TESTS
from mescams.interop.snapshot import FS_NAMES

__all__ = ["ANNOTATIONS", "NOT_SUBMITTED", "acrf_html", "crf_pages", "write_acrf"]

NOT_SUBMITTED = "[NOT SUBMITTED]"

#: form -> item -> annotation: "DOMAIN.VARIABLE" (optionally "when ...") or NOT_SUBMITTED with the reason
ANNOTATIONS: dict[str, dict[str, str]] = {
    "DM": {
        "SITE": "DM.SITEID",
        "SEX": "DM.SEX",
        "BRTHDAT": "DM.BRTHDTC",
        "AGE": "DM.AGE",
        "MSCOURSE": "MH.MHSCAT when MHCAT = PRIMARY DIAGNOSIS",
        "RACE": "DM.RACE",
        "ETHNIC": "DM.ETHNIC",
        "CONSDAT": "DM.RFICDTC; DS.DSSTDTC when DSDECOD = INFORMED CONSENT OBTAINED",
    },
    "IE": {
        "IEDAT": "IE.IEDTC",
        "IETESTCD": "IE.IETESTCD (criteria not met only)",
        "IEMET": "IE.IEORRES (N for an inclusion not met, Y for an exclusion met)",
    },
    "INF": {
        "INFDAT": "EX.EXSTDTC; EX.EXENDTC",
        "PRODCODE": "EX.EXREFID",
        "PRODUCT": "EX.EXTRT",
        "CELLS": f"{NOT_SUBMITTED} (cell count of the product; EX.EXDOSE is per kg)",
        "CELLSKG": "EX.EXDOSE with EX.EXDOSU = cells/kg",
        "VOLML": "EX.EXVAMT with EX.EXVAMTU = mL",
    },
    "MRI": {
        "SCANDAT": "NV.NVDTC",
        "SCANID": "NV.NVREFID",
        "GELCNT": "NV.NVORRES when NVTESTCD = GDLESNUM",
        "NT2CNT": "NV.NVORRES when NVTESTCD = NT2LSNUM",
        "CUACNT": "NV.NVORRES when NVTESTCD = CUALSNUM",
        "GELVOL": "NV.NVORRES when NVTESTCD = GDLESVOL; NV.NVORRESU = mm3",
        "BHVOL": "NV.NVORRES when NVTESTCD = BHLESVOL; NV.NVORRESU = mm3",
    },
    "EDSS": {
        "EDSSDAT": "QS.QSDTC",
        "EDSS": "QS.QSORRES when QSTESTCD = EDSS0101 (QSCAT = EDSS)",
        **{
            f"FS{i + 1}": f"QS.QSORRES when QSTESTCD = {KFSS_TESTS[n][0]} (QSCAT = KFSS)"
            for i, n in enumerate(FS_NAMES)
        },
        "AMBUL": "QS.QSORRES when QSTESTCD = AMBUL01 (QSCAT = EDSS)",
    },
    "LAB": {
        "LBDAT": "LB.LBDTC",
        "LBTESTCD": "LB.LBTESTCD",
        "LBVAL": "LB.LBORRES",
        "LBUNIT": "LB.LBORRESU",
    },
    "VS": {
        "VSDAT": "VS.VSDTC",
        "VSTESTCD": "VS.VSTESTCD",
        "VSVAL": "VS.VSORRES",
        "VSUNIT": "VS.VSORRESU",
    },
    "MH": {
        "MHTERM": "MH.MHTERM",
        "MHSTDAT": "MH.MHSTDTC",
        "MHONGO": "MH.MHENRTPT (ONGOING / BEFORE) with MH.MHENTPT = SCREENING",
    },
    "AE": {
        "AETERM": "AE.AETERM",
        "AESTDAT": "AE.AESTDTC",
        "AEENDAT": "AE.AEENDTC",
        "AEGRADE": "AE.AETOXGR",
        "AESEV": "AE.AESEV",
        "AESER": "AE.AESER",
        "AESDTH": "AE.AESDTH",
        "AESLIFE": "AE.AESLIFE",
        "AESHOSP": "AE.AESHOSP",
        "AESDISAB": "AE.AESDISAB",
        "AESCONG": "AE.AESCONG",
        "AESMIE": "AE.AESMIE",
        "AEREL": "AE.AEREL",
        "AEACN": "AE.AEACN",
        "AEOUT": "AE.AEOUT",
    },
    "REL": {
        "RELDAT": "CE.CESTDTC when CETERM = MULTIPLE SCLEROSIS RELAPSE (CE.CEOCCUR = Y)",
        "RELENDAT": "CE.CEENDTC",
        "RELCONF": "CE.CESCAT (CONFIRMED / NOT CONFIRMED)",
    },
    "CM": {
        "CMTRT": "CM.CMTRT",
        "CMINDC": "CM.CMINDC",
        "CMSTDAT": "CM.CMSTDTC",
        "CMENDAT": "CM.CMENDTC",
        "CMONGO": "CM.CMENRTPT = ONGOING with CM.CMENTPT = END OF STUDY",
    },
    "DS": {
        "DSDAT": "DS.DSSTDTC when DSCAT = DISPOSITION EVENT",
        "DSSTAT": "DS.DSDECOD (COMPLETED; SCREEN FAILURE)",
        "DSREAS": "DS.DSTERM; DS.DSDECOD when it is an NCOMPLT term",
    },
}
_TARGET = re.compile(r"\b([A-Z]{2})\.([A-Z][A-Z0-9]{1,7})\b")
_COLOURS = {
    "DM": "#cfe2ff",
    "DS": "#cfe2ff",
    "MH": "#e2d9f3",
    "IE": "#fff3cd",
    "EX": "#d1e7dd",
    "NV": "#f8d7da",
    "QS": "#d2f4ea",
    "LB": "#fde2c8",
    "VS": "#fde2c8",
    "AE": "#f8d7da",
    "CE": "#e2d9f3",
    "CM": "#d1e7dd",
}


def crf_pages() -> dict[tuple[str, str], list[str]]:
    """(domain, variable) -> the named destinations (``F.<form>``) of the forms that collect it."""
    out: dict[tuple[str, str], list[str]] = {}
    for form, items in ANNOTATIONS.items():
        for text in items.values():
            if text.startswith(NOT_SUBMITTED):
                continue
            for domain, variable in _TARGET.findall(text):
                pages = out.setdefault((domain, variable), [])
                if f"F.{form}" not in pages:
                    pages.append(f"F.{form}")
    return out


def _events_of(protocol: Protocol) -> dict[str, list[str]]:
    events: dict[str, list[str]] = {form: [] for form in FORMS}
    for v in protocol.visits:
        for activity in v.activities:
            form = ACTIVITY_FORMS.get(activity)
            if form and v.name not in events[form]:
                events[form].append(v.name)
    for form in LOG_FORMS:
        events[form].append("Running log (any time)")
    return events


def _annotation(text: str) -> str:
    domain = text[:2] if _TARGET.match(text) else ""
    colour = _COLOURS.get(domain, "#eeeeee")
    return f'<span class="ann" style="background:{colour}">{html.escape(text)}</span>'


def acrf_html(protocol: Protocol) -> str:
    """The aCRF as one HTML document: a cover with the domain key, then one section per form."""
    ident = protocol.identification
    events = _events_of(protocol)
    codelists = form_codelists(protocol)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Annotated CRF</title><style>",
        "@page { size: A4; margin: 18mm 14mm; @bottom-center { content: 'Page ' counter(page); font-size: 8pt } }",
        "body { font-family: sans-serif; font-size: 9.5pt } h1 { font-size: 16pt } h2 { font-size: 13pt }",
        "section { page-break-before: always } table { border-collapse: collapse; width: 100% }",
        "td, th { border: 1px solid #999; padding: 3px 5px; vertical-align: top; text-align: left }",
        ".ann { border: 1px solid #555; padding: 1px 3px; font-family: monospace; font-size: 8.5pt }",
        ".dom { font-family: monospace; font-weight: bold }",
        "</style></head><body>",
        f"<h1>Annotated CRF: {html.escape(ident.acronym)} ({html.escape(ident.nct_id)})</h1>",
        f"<p>{html.escape(ident.official_title)}</p>",
        "<p>Each eCRF form with the SDTM (SDTMIG 3.4) variable each item is submitted in. "
        f"{NOT_SUBMITTED} marks an item collected but not submitted. Form headers name the SDTM domains.</p>",
        "<h2>Forms</h2><table><tr><th>Form</th><th>Domains</th><th>Collected at</th></tr>",
    ]
    for form, (name, _rep, _items) in FORMS.items():
        domains = sorted({d for t in ANNOTATIONS[form].values() for d, _ in _TARGET.findall(t)})
        parts.append(
            f"<tr><td><a href='#F.{form}'>{html.escape(name)}</a></td><td class='dom'>{' '.join(domains)}</td>"
            f"<td>{html.escape(', '.join(events[form]))}</td></tr>"
        )
    parts.append("</table>")
    for form, (name, repeating, items) in FORMS.items():
        domains = sorted({d for t in ANNOTATIONS[form].values() for d, _ in _TARGET.findall(t)})
        parts.append(f"<section id='F.{form}'><h2>{html.escape(name)} (form {form})</h2>")
        parts.append(
            "<p>" + " ".join(_annotation(f"{d} = {_DOMAIN_NAMES.get(d, d)}") for d in domains) + "</p>"
            f"<p>Collected at: {html.escape(', '.join(events[form]))}"
            f"{'; repeating (one row per record)' if repeating else ''}.</p>"
        )
        parts.append("<table><tr><th>Item</th><th>Question</th><th>Type</th><th>Answers</th><th>SDTM</th></tr>")
        for item, question, data_type, codelist in items:
            answers = " / ".join(codelists.get(codelist, [])) if codelist else ""
            parts.append(
                f"<tr><td class='dom'>{item}</td><td>{html.escape(question)}</td><td>{data_type}</td>"
                f"<td>{html.escape(answers)}</td><td>{_annotation(ANNOTATIONS[form][item])}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "".join(parts)


_DOMAIN_NAMES = {
    "DM": "Demographics",
    "DS": "Disposition",
    "MH": "Medical History",
    "IE": "Inclusion/Exclusion",
    "EX": "Exposure",
    "NV": "Nervous System Findings",
    "QS": "Questionnaires",
    "LB": "Laboratory",
    "VS": "Vital Signs",
    "AE": "Adverse Events",
    "CE": "Clinical Events",
    "CM": "Concomitant Meds",
}


def write_acrf(protocol: Protocol, path: Path) -> Path:
    """Print the aCRF to PDF with WeasyPrint (named destinations ``F.<form>`` come from the section ids)."""
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=acrf_html(protocol)).write_pdf(str(path))
    return path
