"""Turn a ClinicalTrials.gov API v2 study record into a draft protocol document, with a report for a human.

What the registry states is copied (identification, design, arms, interventions, outcomes, eligibility text, sites);
what it only implies is guessed and reported (sequences of a crossover, period weeks from the arm and outcome
texts, site codes, visit windows, doses from the intervention text); what it never holds (vehicle details,
relapse and progression definitions for a non-MS trial) is left out and reported. The draft is then checked
with :func:`mescams.core.protocol.parse_protocol` and every remaining problem is added to the report.
"""

from __future__ import annotations

import re
from typing import Any

from mescams.core.protocol import parse_protocol
from mescams.errors import ProtocolError
from mescams.interop.ctgov_criteria import recognise_params, split_criteria
from mescams.interop.ctgov_design import design_from_record, get, weeks_in
from mescams.interop.ctgov_report import ImportReport
from mescams.interop.errors import ImportFormatError

__all__ = ["ImportReport", "draft_protocol"]

MS_PROGRESSION = {
    "min_increase_low_baseline": 1.0,
    "min_increase_high_baseline": 0.5,
    "high_baseline_from": 5.5,
    "confirmation_weeks": 12,
}
MS_RELAPSE = {"min_duration_hours": 24, "min_days_since_previous_onset": 30, "exclude_fever_or_infection": True}


def _code(text: str, taken: set[str], size: int = 3) -> str:
    letters = re.sub(r"[^A-Za-z]", "", text).upper() or "SITE"
    for n in range(size, 6):
        code = letters[:n].ljust(2, "X")
        if code not in taken:
            taken.add(code)
            return code
    raise ImportFormatError("locations", f"cannot make a unique site code from {text!r}")


def _date7(value: str | None) -> str | None:
    return value[:7] if value else None


def draft_protocol(study: dict[str, Any]) -> tuple[dict[str, Any], ImportReport]:  # noqa: PLR0915
    """The draft protocol document (plain data, ready for YAML) and the report of what needs a human."""
    if not isinstance(study, dict) or "protocolSection" not in study:
        raise ImportFormatError("protocolSection", "a ClinicalTrials.gov API v2 study record must have it")
    ps = study["protocolSection"]
    rep = ImportReport()
    nct = get(ps, "identificationModule.nctId")
    if not nct:
        raise ImportFormatError("protocolSection.identificationModule.nctId", "is required")
    ident: dict[str, Any] = {
        "nct_id": nct,
        "other_ids": [x for x in [get(ps, "identificationModule.orgStudyIdInfo.id")] if x]
        + [s.get("id") for s in get(ps, "identificationModule.secondaryIdInfos", []) if s.get("id")],
        "acronym": get(ps, "identificationModule.acronym") or nct,
        "brief_title": get(ps, "identificationModule.briefTitle", ""),
        "official_title": get(ps, "identificationModule.officialTitle")
        or get(ps, "identificationModule.briefTitle", ""),
        "sponsor": get(ps, "sponsorCollaboratorsModule.leadSponsor.name", ""),
        "responsible_party": get(ps, "sponsorCollaboratorsModule.responsibleParty.investigatorFullName")
        or get(ps, "sponsorCollaboratorsModule.leadSponsor.name", ""),
        "conditions": get(ps, "conditionsModule.conditions", []),
        "keywords": get(ps, "conditionsModule.keywords", []),
        "recruitment_status": str(get(ps, "statusModule.overallStatus", "")).replace("_", " ").capitalize(),
        "ipd_sharing": {"YES": "Yes", "NO": "No"}.get(get(ps, "ipdSharingStatementModule.ipdSharing"), "Undecided"),
    }
    if not get(ps, "identificationModule.acronym"):
        rep.guessed.append(("identification.acronym", "the record has no acronym; the NCT number is used"))
    pi = next(
        (
            o
            for o in get(ps, "contactsLocationsModule.overallOfficials", [])
            if o.get("role") == "PRINCIPAL_INVESTIGATOR"
        ),
        None,
    )
    if pi:
        ident["principal_investigator"] = {"name": pi.get("name", ""), "affiliation": pi.get("affiliation", "")}
    else:
        rep.missing.append(("identification.principal_investigator", "the record names no principal investigator"))
    phases = get(ps, "designModule.phases", [])
    ident["phase"] = phases[-1] if phases else "NA"
    if len(phases) > 1:
        rep.guessed.append(("identification.phase", f"the record gives {phases}; the later phase was kept"))
    dates = {
        "first_posted": get(ps, "statusModule.studyFirstPostDateStruct.date"),
        "last_update_posted": get(ps, "statusModule.lastUpdatePostDateStruct.date"),
        "last_verified": get(ps, "statusModule.statusVerifiedDate"),
        "study_start": _date7(get(ps, "statusModule.startDateStruct.date")),
        "primary_completion": _date7(get(ps, "statusModule.primaryCompletionDateStruct.date")),
        "study_completion": _date7(get(ps, "statusModule.completionDateStruct.date")),
    }
    ident["dates"] = dates
    enrol = get(ps, "designModule.enrollmentInfo", {})
    if enrol.get("type") == "ACTUAL":
        ident["actual_enrolment"] = enrol.get("count")
    taken: set[str] = set()
    ident["sites"] = [
        {
            "code": _code(loc.get("city") or loc.get("facility", ""), taken),
            "name": loc.get("facility", ""),
            "city": loc.get("city", ""),
            "region": loc.get("state", loc.get("city", "")),
            "country": loc.get("country", ""),
            "postal_code": loc.get("zip", ""),
        }
        for loc in get(ps, "contactsLocationsModule.locations", [])
    ]
    if ident["sites"]:
        rep.guessed.append(
            (
                "identification.sites[].code",
                "site codes made from city names: " + ", ".join(f"{s['code']}={s['city']}" for s in ident["sites"]),
            )
        )
    else:
        rep.missing.append(("identification.sites", "the record lists no locations"))

    design, products, visits = design_from_record(ps, rep)
    outcomes: list[dict[str, Any]] = []
    for kind, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes")):
        for o in get(ps, f"outcomesModule.{key}", []):
            weeks = weeks_in(o.get("timeFrame", ""))
            if weeks is None:
                rep.missing.append(
                    (
                        f"outcomes[O{len(outcomes) + 1}].time_frame_weeks",
                        f"no duration recognised in {o.get('timeFrame')!r}",
                    )
                )
            outcomes.append(
                {
                    "id": f"O{len(outcomes) + 1}",
                    "type": kind,
                    "title": o.get("measure", ""),
                    "time_frame": o.get("timeFrame", ""),
                    "time_frame_weeks": weeks,
                    "description": o.get("description", o.get("measure", "")),
                }
            )
    inclusion, exclusion = split_criteria(get(ps, "eligibilityModule.eligibilityCriteria", ""))
    eligibility: dict[str, Any] = {
        "edss_at_randomisation_lookback_days": 90,
        "inclusion": [{"id": f"I{i}", "text": t, "params": recognise_params(t)} for i, t in enumerate(inclusion, 1)],
        "exclusion": [{"id": f"E{i}", "text": t, "params": recognise_params(t)} for i, t in enumerate(exclusion, 1)],
    }
    rep.guessed.append(("eligibility.edss_at_randomisation_lookback_days", "not in the record; 90 days assumed"))
    unparsed = [c["id"] for c in eligibility["inclusion"] + eligibility["exclusion"] if not c["params"]]
    if unparsed:
        rep.guessed.append(
            (
                "eligibility.*.params",
                f"no numbers recognised in {', '.join(unparsed)}: write their rules (drug classes, conditions) by hand",
            )
        )
    doc: dict[str, Any] = {
        "schema_version": 1,
        "identification": ident,
        "design": design,
        "products": products,
        "visits": visits,
        "outcomes": outcomes,
    }
    conditions = " ".join(ident["conditions"]).lower()
    if "multiple sclerosis" in conditions:
        doc["disability_progression"] = dict(MS_PROGRESSION)
        doc["relapse_definition"] = dict(MS_RELAPSE)
        rep.guessed.append(
            (
                "disability_progression, relapse_definition",
                "not in the record; the usual MS "
                "definitions were filled in (EDSS +1.0/+0.5 from 5.5, 12-week confirmation; relapse "
                ">= 24 h, >= 30 days apart, no fever)",
            )
        )
    else:
        rep.missing.append(("disability_progression, relapse_definition", "not in the record; write them by hand"))
    results = study.get("resultsSection")
    if results:
        measures = get(results, "outcomeMeasuresModule.outcomeMeasures", [])
        rep.guessed.append(
            (
                "(results)",
                f"the record has posted results ({len(measures)} outcome measure(s)); they "
                "are not part of a protocol and were not imported",
            )
        )
    doc["drug_classes"] = {}
    doc["eligibility"] = eligibility
    try:
        parse_protocol(doc)
        rep.loads = True
    except ProtocolError as exc:
        rep.missing += [("(validation)", p) for p in exc.problems]
    return doc, rep
