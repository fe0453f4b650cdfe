"""The CIOMS I form of one case, as HTML and as PDF (WeasyPrint, as the DSMB report is printed).

The boxes follow the CIOMS I layout: I reaction information (1 to 13), II suspect drug (14 to 21), III concomitant
drugs and history (22, 23), IV manufacturer information (24a to 25a). Patient initials are not collected by the
EDC, so box 1 carries the participant's study number instead (the privacy rule of the trial).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from mescams.edc.safety.case_facts import CaseFacts, case_facts
from mescams.edc.safety.cases import SafetyCase

__all__ = ["cioms_context", "cioms_html", "cioms_pdf"]

CHECKBOXES = (("death", "Patient died"), ("hospitalisation", "Involved or prolonged inpatient hospitalisation"),
              ("disability", "Involved persistent or significant disability or incapacity"),
              ("life_threatening", "Life threatening"), ("congenital_anomaly", "Congenital anomaly"),
              ("important_medical_event", "Other medically important condition"))


def cioms_context(facts: CaseFacts, generated_on: dt.date) -> dict[str, Any]:
    ae = facts.case.ae
    criteria = set(ae.serious_criteria if isinstance(ae.serious_criteria, list) else [])
    coded = facts.case.coded
    description = [f"{ae.term} (verbatim)"]
    if coded is not None:
        description.append(f"MedDRA {coded.version or ''} PT {coded.pt_code} {coded.pt_name}")
    description += [f"Severity {ae.severity or 'not recorded'}, CTCAE grade {ae.severity_grade}",
                    f"Outcome: {ae.outcome.replace('_', ' ')}",
                    f"Causality (investigator): {ae.causality or 'not assessed'}",
                    f"Expectedness: {facts.case.expectedness.reason}"]
    abated = {"infusion_interrupted": "Yes", "infusion_stopped": "Yes"}.get(ae.action, "N/A (single infusions)")
    return {
        "f": facts, "ae": ae, "generated_on": generated_on,
        "checkboxes": [(label, key in criteria) for key, label in CHECKBOXES],
        "description": description, "abated": abated,
        "therapy": "; ".join(f"{d.isoformat()} ({v:g} mL)" for d, v in facts.infusions) or "none recorded",
        "initial": not facts.case.clocks or all(c.sent_on is None for c in facts.case.clocks),
    }


def cioms_html(case: SafetyCase, *, generated_on: dt.date) -> str:
    return str(render_to_string("safety/cioms.html", cioms_context(case_facts(case), generated_on)))


def cioms_pdf(case: SafetyCase, *, generated_on: dt.date) -> bytes:
    """The form printed to PDF (A4)."""
    from weasyprint import HTML  # heavy: loaded only when a form is printed

    return bytes(HTML(string=cioms_html(case, generated_on=generated_on)).write_pdf())
