"""Turn a ClinicalTrials.gov API v2 study record into a draft protocol document, with a report for a human.

What the registry states is copied (identification, design, arms, interventions, outcomes, eligibility text, sites);
what it only implies is guessed and reported (sequences of a crossover, period weeks from the arm and outcome
texts, site codes, visit windows, doses from the intervention text); what it never holds (vehicle details,
relapse and progression definitions for a non-MS trial) is left out and reported. The draft is then checked
with :func:`mescams.core.protocol.parse_protocol` and every remaining problem is added to the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mescams.core.protocol import parse_protocol
from mescams.errors import ProtocolError
from mescams.interop.ctgov_criteria import recognise_params, split_criteria
from mescams.interop.errors import ImportFormatError

__all__ = ["ImportReport", "draft_protocol"]

TITLE = {
    "RANDOMIZED": "Randomized",
    "NON_RANDOMIZED": "Non-Randomized",
    "NA": "N/A",
    "CROSSOVER": "Crossover Assignment",
    "PARALLEL": "Parallel Assignment",
    "SINGLE_GROUP": "Single Group Assignment",
    "FACTORIAL": "Factorial Assignment",
    "SEQUENTIAL": "Sequential Assignment",
}
MS_PROGRESSION = {
    "min_increase_low_baseline": 1.0,
    "min_increase_high_baseline": 0.5,
    "high_baseline_from": 5.5,
    "confirmation_weeks": 12,
}
MS_RELAPSE = {"min_duration_hours": 24, "min_days_since_previous_onset": 30, "exclude_fever_or_infection": True}
DEFAULT_WINDOW_DAYS = 7
DEFAULT_SCREENING_DAYS = 60


@dataclass
class ImportReport:
    """What the import copied, guessed and could not fill: each entry is (protocol path, note)."""

    guessed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    loads: bool = False

    def text(self) -> str:
        lines = ["draft loads in mescams.core.protocol: " + ("yes" if self.loads else "NO")]
        lines += [f"CHECK   {p}: {n}" for p, n in self.guessed]
        lines += [f"MISSING {p}: {n}" for p, n in self.missing]
        return "\n".join(lines)


def _get(doc: dict[str, Any], path: str, default: Any = None) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _weeks(text: str) -> int | None:
    t = text.lower()
    if m := re.search(r"(\d+)\s*weeks?", t) or re.search(r"weeks?\s*(\d+)", t):
        return int(m.group(1))
    if m := re.search(r"(\d+)\s*months?", t):
        return round(int(m.group(1)) * 52 / 12)
    if m := re.search(r"(\d+)\s*years?", t):
        return int(m.group(1)) * 52
    return None


def _week_numbers(texts: list[str]) -> set[int]:
    """Every week number named in 'week 28, 36, 48' or '4, 12 and 24 weeks' phrases."""
    found: set[int] = set()
    for t in texts:
        for m in re.finditer(r"weeks?\s+((?:\d+\s*(?:,|and)?\s*)+)", t.lower()):
            found.update(int(x) for x in re.findall(r"\d+", m.group(1)))
        for m in re.finditer(r"((?:\d+\s*(?:,|and)\s*)+\d+)\s+weeks", t.lower()):
            found.update(int(x) for x in re.findall(r"\d+", m.group(1)))
    return found


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
    nct = _get(ps, "identificationModule.nctId")
    if not nct:
        raise ImportFormatError("protocolSection.identificationModule.nctId", "is required")
    ident: dict[str, Any] = {
        "nct_id": nct,
        "other_ids": [x for x in [_get(ps, "identificationModule.orgStudyIdInfo.id")] if x]
        + [s.get("id") for s in _get(ps, "identificationModule.secondaryIdInfos", []) if s.get("id")],
        "acronym": _get(ps, "identificationModule.acronym") or nct,
        "brief_title": _get(ps, "identificationModule.briefTitle", ""),
        "official_title": _get(ps, "identificationModule.officialTitle")
        or _get(ps, "identificationModule.briefTitle", ""),
        "sponsor": _get(ps, "sponsorCollaboratorsModule.leadSponsor.name", ""),
        "responsible_party": _get(ps, "sponsorCollaboratorsModule.responsibleParty.investigatorFullName")
        or _get(ps, "sponsorCollaboratorsModule.leadSponsor.name", ""),
        "conditions": _get(ps, "conditionsModule.conditions", []),
        "keywords": _get(ps, "conditionsModule.keywords", []),
        "recruitment_status": str(_get(ps, "statusModule.overallStatus", "")).replace("_", " ").capitalize(),
        "ipd_sharing": {"YES": "Yes", "NO": "No"}.get(_get(ps, "ipdSharingStatementModule.ipdSharing"), "Undecided"),
    }
    if not _get(ps, "identificationModule.acronym"):
        rep.guessed.append(("identification.acronym", "the record has no acronym; the NCT number is used"))
    pi = next(
        (
            o
            for o in _get(ps, "contactsLocationsModule.overallOfficials", [])
            if o.get("role") == "PRINCIPAL_INVESTIGATOR"
        ),
        None,
    )
    if pi:
        ident["principal_investigator"] = {"name": pi.get("name", ""), "affiliation": pi.get("affiliation", "")}
    else:
        rep.missing.append(("identification.principal_investigator", "the record names no principal investigator"))
    phases = _get(ps, "designModule.phases", [])
    ident["phase"] = phases[-1] if phases else "NA"
    if len(phases) > 1:
        rep.guessed.append(("identification.phase", f"the record gives {phases}; the later phase was kept"))
    dates = {
        "first_posted": _get(ps, "statusModule.studyFirstPostDateStruct.date"),
        "last_update_posted": _get(ps, "statusModule.lastUpdatePostDateStruct.date"),
        "last_verified": _get(ps, "statusModule.statusVerifiedDate"),
        "study_start": _date7(_get(ps, "statusModule.startDateStruct.date")),
        "primary_completion": _date7(_get(ps, "statusModule.primaryCompletionDateStruct.date")),
        "study_completion": _date7(_get(ps, "statusModule.completionDateStruct.date")),
    }
    ident["dates"] = dates
    enrol = _get(ps, "designModule.enrollmentInfo", {})
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
        for loc in _get(ps, "contactsLocationsModule.locations", [])
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

    design, products, visits = _design(ps, rep)
    outcomes = []
    for kind, key in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes")):
        for o in _get(ps, f"outcomesModule.{key}", []):
            weeks = _weeks(o.get("timeFrame", ""))
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
    inclusion, exclusion = split_criteria(_get(ps, "eligibilityModule.eligibilityCriteria", ""))
    eligibility = {
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
        measures = _get(results, "outcomeMeasuresModule.outcomeMeasures", [])
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


def _design(ps: dict[str, Any], rep: ImportReport) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    from mescams.interop.ctgov_products import products_from_record

    info = _get(ps, "designModule.designInfo", {})
    model = info.get("interventionModel", "SINGLE_GROUP")
    arms = _get(ps, "armsInterventionsModule.armGroups", [])
    treatments: dict[str, str] = {}
    for arm in arms:
        code = re.sub(r"[^A-Za-z0-9]+", "_", arm.get("label", "ARM")).strip("_").upper()[:20]
        if "PLACEBO" in arm.get("type", "") or re.search(r"placebo|suspension media|sham", arm.get("label", ""), re.I):
            code = "PLACEBO"
        treatments[code] = arm.get("label", code)
    codes = list(treatments)
    texts = [a.get("description", "") for a in arms] + [
        o.get("description", "") + " " + o.get("timeFrame", "")
        for k in ("primaryOutcomes", "secondaryOutcomes")
        for o in _get(ps, f"outcomesModule.{k}", [])
    ]
    end = max(
        [
            w
            for w in (
                _weeks(o.get("timeFrame", ""))
                for k in ("primaryOutcomes", "secondaryOutcomes")
                for o in _get(ps, f"outcomesModule.{k}", [])
            )
            if w
        ]
        or [0]
    )
    named = _week_numbers(texts)
    if model == "CROSSOVER" and len(codes) == 2:
        sequences = [
            {
                "code": f"{codes[0]}-{codes[1]}",
                "label": f"{treatments[codes[0]]}, then {treatments[codes[1]]}",
                "treatments": [codes[0], codes[1]],
            },
            {
                "code": f"{codes[1]}-{codes[0]}",
                "label": f"{treatments[codes[1]]}, then {treatments[codes[0]]}",
                "treatments": [codes[1], codes[0]],
            },
        ]
        switch = sorted(w for w in _week_numbers([a.get("description", "") for a in arms]) if 0 < w < end) or [end // 2]
        bounds = [0, switch[0], end]
        rep.guessed.append(("design.sequences", "a two-arm crossover read as the AB/BA sequences of its arms"))
        rep.guessed.append(
            (
                "design.periods",
                f"periods weeks {bounds[0]}-{bounds[1]} and {bounds[1]}-{bounds[2]} "
                "from the arm descriptions and outcome time frames",
            )
        )
    else:
        sequences = [{"code": c, "label": treatments[c], "treatments": [c]} for c in codes]
        bounds = [0, end]
    periods = []
    for n in range(1, len(bounds)):
        start, stop = bounds[n - 1], bounds[n]
        weeks = sorted(w for w in named if start < w <= stop) or [stop]
        if not [w for w in named if start < w <= stop]:
            rep.guessed.append((f"design.periods[{n - 1}].assessment_weeks", f"no visit weeks named; week {stop} used"))
        periods.append(
            {
                "number": n,
                "name": f"Period {n}",
                "start_week": start,
                "end_week": stop,
                "infusion_week": start,
                "assessment_weeks": weeks,
            }
        )
    epochs = [{"code": "SCREENING", "name": "Screening"}] + [
        {
            "code": f"PERIOD{p['number']}",
            "name": f"Treatment period {p['number']} (weeks {p['start_week']}-{p['end_week']})",
        }
        for p in periods
    ]
    masking = [w.lower() for w in _get(info, "maskingInfo.whoMasked", [])]
    pop = _get(ps, "eligibilityModule", {})
    design = {
        "study_type": str(_get(ps, "designModule.studyType", "INTERVENTIONAL")).capitalize(),
        "allocation": TITLE.get(info.get("allocation", "NA"), "N/A"),
        "intervention_model": TITLE.get(model, model),
        "primary_purpose": str(info.get("primaryPurpose", "")).capitalize(),
        "masking": masking,
        "target_enrolment": _get(ps, "designModule.enrollmentInfo.count"),
        "allocation_ratio": {s["code"]: 1 for s in sequences},
        "population": {
            "min_age_years": _weeks_or_years(pop.get("minimumAge")),
            "max_age_years": _weeks_or_years(pop.get("maximumAge")),
            "sexes": {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}.get(pop.get("sex", "ALL"), "All"),
            "healthy_volunteers": bool(pop.get("healthyVolunteers", False)),
        },
        "treatments": treatments,
        "sequences": sequences,
        "periods": periods,
        "epochs": epochs,
        "arms": [
            {
                "label": f"{str(a.get('type', '')).replace('_', ' ').title()}: {a.get('label', '')}",
                "description": a.get("description", ""),
                "intervention": "; ".join(a.get("interventionNames", [])),
            }
            for a in arms
        ],
    }
    if len(sequences) > 1:
        rep.guessed.append(("design.allocation_ratio", "1:1... assumed; the record gives no ratio"))
    products = products_from_record(ps, treatments, rep)
    visits = [
        {
            "code": "SCR",
            "name": "Screening",
            "week": None,
            "epoch": "SCREENING",
            "window_before_days": DEFAULT_SCREENING_DAYS,
            "window_after_days": -1,
            "activities": ["consent", "eligibility", "demographics"],
        }
    ]
    for p in periods:
        for w in sorted({p["infusion_week"], *p["assessment_weeks"]}):
            if any(v["week"] == w for v in visits):
                continue
            acts = ["assessment"] + (["infusion"] if w in {q["infusion_week"] for q in periods} else [])
            visits.append(
                {
                    "code": f"W{w}",
                    "name": f"Week {w}",
                    "week": w,
                    "epoch": f"PERIOD{p['number']}",
                    "period": p["number"],
                    "window_before_days": 0 if w == 0 else DEFAULT_WINDOW_DAYS,
                    "window_after_days": 0 if w == 0 else DEFAULT_WINDOW_DAYS,
                    "activities": acts,
                }
            )
    rep.guessed.append(
        (
            "visits",
            f"visits at the weeks named in the record; windows of +/-{DEFAULT_WINDOW_DAYS} days "
            f"and a {DEFAULT_SCREENING_DAYS}-day screening are assumptions; activities are placeholders",
        )
    )
    return design, products, visits


def _weeks_or_years(text: str | None) -> int | None:
    if not text:
        return None
    m = re.match(r"(\d+)\s*(year|month|week)", text.lower())
    if not m:
        return None
    n = int(m.group(1))
    return n if m.group(2) == "year" else n // 12 if m.group(2) == "month" else n // 52
