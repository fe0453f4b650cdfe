"""Trial design domains (TE, TA, TV, TI, TS) built straight from the protocol file, nothing typed by hand.

Mapping choices (see docs/sdtm.md): each sequence is an arm (a crossover trial's arms are its sequences), with
three elements in order: screening, the period-1 treatment and the period-2 treatment; epochs are SCREENING,
TREATMENT 1 and TREATMENT 2. Visit numbers are the positions in the protocol schedule. Criterion texts longer
than the 200 characters SDTM allows are cut at a word boundary with '...' (the full text stays in the protocol).
"""

from __future__ import annotations

import datetime as dt

from mescams.core.protocol import Protocol
from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.mapping import SCREENING_ETCD, armcd, epoch_of_visit, etcd, visit_name, visitnum
from mescams.interop.sdtm.spec import spec
from mescams.interop.terminology import CODELISTS, CT_VERSIONS

__all__ = ["build_ta", "build_te", "build_ti", "build_ts", "build_tv", "trial_design_domains"]

MAX_TEXT = 200


def _short(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0]
    return cut + "..."


def _ascii(text: str) -> str:
    return text.replace("\u2265", ">=").replace("\u2264", "<=").encode("ascii", "replace").decode("ascii")


def build_te(protocol: Protocol) -> Dataset:
    study = protocol.identification.nct_id
    screening = next(v for v in protocol.visits if v.week is None)
    rows: list[dict[str, Cell]] = [
        {
            "STUDYID": study,
            "DOMAIN": "TE",
            "ETCD": SCREENING_ETCD,
            "ELEMENT": "Screening",
            "TESTRL": "Informed consent",
            "TEENRL": "Randomisation and first infusion",
            "TEDUR": f"P{screening.window_before_days}D",
        }
    ]
    periods = {p.number: p for p in protocol.design.periods}
    for code, name in protocol.design.treatments.items():
        weeks = {p.end_week - p.start_week for p in periods.values()}
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TE",
                "ETCD": etcd(code),
                "ELEMENT": _ascii(name),
                "TESTRL": f"Start of the {code} infusion",
                "TEENRL": "Start of the next infusion, or end of study",
                "TEDUR": f"P{weeks.pop()}W" if len(weeks) == 1 else None,
            }
        )
    return Dataset.build(spec("TE"), rows)


def build_ta(protocol: Protocol) -> Dataset:
    study = protocol.identification.nct_id
    screening_epoch = next(epoch_of_visit(protocol, v) for v in protocol.visits if v.week is None)
    rows: list[dict[str, Cell]] = []
    for seq in protocol.design.sequences:
        arm = _ascii(seq.label)
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TA",
                "ARMCD": armcd(seq),
                "ARM": arm,
                "TAETORD": 1,
                "ETCD": SCREENING_ETCD,
                "ELEMENT": "Screening",
                "TABRANCH": f"Randomised to {seq.code}",
                "TATRANS": None,
                "EPOCH": screening_epoch,
            }
        )
        for i, (period, treatment) in enumerate(zip(protocol.design.periods, seq.treatments, strict=True), start=2):
            visit = protocol.visit_at_week(period.assessment_weeks[0])
            last = i == len(seq.treatments) + 1
            rows.append(
                {
                    "STUDYID": study,
                    "DOMAIN": "TA",
                    "ARMCD": armcd(seq),
                    "ARM": arm,
                    "TAETORD": i,
                    "ETCD": etcd(treatment),
                    "ELEMENT": _ascii(protocol.design.treatments[treatment]),
                    "TABRANCH": None,
                    "TATRANS": None if last else f"Cross-over at week {period.end_week}",
                    "EPOCH": epoch_of_visit(protocol, visit),
                }
            )
    return Dataset.build(spec("TA"), rows)


def build_tv(protocol: Protocol) -> Dataset:
    study = protocol.identification.nct_id
    rows: list[dict[str, Cell]] = []
    for v in protocol.visits:
        if v.week is None:
            start = f"Up to {v.window_before_days} days before the first infusion"
            end = "The day before the first infusion"
            day = None
        else:
            day = 7 * v.week + 1
            if v.window_before_days == 0 and v.window_after_days == 0:
                start = f"Study day {day} (week {v.week}), no window"
            else:
                start = f"Study day {day} (week {v.week}) - {v.window_before_days} days"
            end = f"Study day {day} (week {v.week}) + {v.window_after_days} days"
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TV",
                "VISITNUM": visitnum(protocol, v.code),
                "VISIT": visit_name(protocol, v.code),
                "VISITDY": day,
                "ARMCD": None,
                "ARM": None,
                "TVSTRL": start,
                "TVENRL": end,
            }
        )
    return Dataset.build(spec("TV"), rows)


def build_ti(protocol: Protocol) -> Dataset:
    study = protocol.identification.nct_id
    rows: list[dict[str, Cell]] = [
        {
            "STUDYID": study,
            "DOMAIN": "TI",
            "IETESTCD": c.id,
            "IETEST": _short(_ascii(c.text)),
            "IECAT": "INCLUSION" if c.id.startswith("I") else "EXCLUSION",
            "TIVERS": "1",
        }
        for c in protocol.eligibility.criteria
    ]
    return Dataset.build(spec("TI"), rows)


PHASES = {
    "PHASE1": "PHASE I TRIAL",
    "PHASE2": "PHASE II TRIAL",
    "PHASE3": "PHASE III TRIAL",
    "PHASE4": "PHASE IV TRIAL",
    "EARLY_PHASE1": "PHASE 0 TRIAL",
    "NA": "NOT APPLICABLE",
}
TS_NAMES = {
    "TITLE": "Trial Title",
    "ACRONYM": "Trial Acronym",
    "REGID": "Registry Identifier",
    "SPONSOR": "Clinical Study Sponsor",
    "TPHASE": "Trial Phase Classification",
    "STYPE": "Study Type",
    "INTMODEL": "Intervention Model",
    "RANDOM": "Trial is Randomized",
    "TBLIND": "Trial Blinding Schema",
    "TCNTRL": "Control Type",
    "INDIC": "Trial Disease/Condition Indication",
    "TTYPE": "Trial Type",
    "TRT": "Investigational Therapy or Treatment",
    "ROUTE": "Route of Administration",
    "AGEMIN": "Planned Minimum Age of Subjects",
    "AGEMAX": "Planned Maximum Age of Subjects",
    "SEXPOP": "Sex of Participants",
    "HLTSUBJI": "Healthy Subject Indicator",
    "PLANSUB": "Planned Number of Subjects",
    "ACTSUB": "Actual Number of Subjects",
    "NARMS": "Planned Number of Arms",
    "LENGTH": "Trial Length",
    "SSTDTC": "Study Start Date",
    "SENDTC": "Study End Date",
    "FCNTRY": "Planned Country of Investigational Sites",
    "ADDON": "Added on to Existing Treatments",
    "ADAPT": "Adaptive Design",
    "COMPTRT": "Comparative Treatment Name",
    "OUTMSPRI": "Primary Outcome Measure",
    "OUTMSSEC": "Secondary Outcome Measure",
    "SDTIGVER": "SDTM IG Version",
    "SDTMVER": "SDTM Version",
    "DCUTDTC": "Data Cutoff Date",
    "DCUTDESC": "Data Cutoff Description",
    "PCLAS": "Pharmacologic Class",
    "TDIGRP": "Diagnosis Group",
    "STOPRULE": "Study Stop Rules",
    "OBJPRIM": "Trial Primary Objective",
    "OBJSEC": "Trial Secondary Objective",
    "CURTRT": "Current Therapy or Treatment",
    "THERAREA": "Therapeutic Area",
}
#: TS rows of a fact the trial does not have: (TSPARMCD, null flavour) where TSVAL is null
TsRow = tuple[str, str | None, str | None, str | None]
COUNTRIES = {"Canada": "CAN", "United States": "USA"}


def _submission_rows(protocol: Protocol, cutoff: dt.date, cutoff_description: str) -> list[TsRow]:
    """DCUTDTC/DCUTDESC of this export and the protocol's submission facts (objectives, stop rule, ...)."""
    rows: list[TsRow] = [
        ("DCUTDTC", cutoff.isoformat(), None, "ISO 8601"),
        ("DCUTDESC", cutoff_description, None, None),
    ]
    facts = protocol.submission
    if facts is None:
        return rows
    dx = facts.diagnosis_group
    pclas = facts.pharmacologic_class
    rows += [
        ("OBJPRIM", _short(_ascii(facts.objective_primary)), None, None),
        *[("OBJSEC", _short(_ascii(o)), None, None) for o in facts.objective_secondary],
        ("STOPRULE", _short(_ascii(facts.stopping_rule)), None, None),
        ("THERAREA", _ascii(facts.therapeutic_area), None, None),
        ("TDIGRP", _ascii(dx.term), dx.code, dx.dictionary),
        ("PCLAS", _ascii(pclas.term), pclas.code, pclas.dictionary) if pclas else ("PCLAS", None, None, None),
        ("CURTRT", _ascii(facts.current_therapy) if facts.current_therapy else None, None, None),
    ]
    return rows


def _ts_rows(protocol: Protocol) -> list[TsRow]:
    """(TSPARMCD, TSVAL, TSVALCD, TSVCDREF) for every parameter; TSVALCD is looked up in our terminology."""
    ident, design = protocol.identification, protocol.design
    masked = len(set(design.masking))
    blind = {0: "OPEN LABEL", 1: "SINGLE BLIND", 2: "DOUBLE BLIND", 3: "TRIPLE BLIND", 4: "QUADRUPLE BLIND"}[masked]
    model = design.intervention_model.upper().replace(" ASSIGNMENT", "").replace("SINGLE GROUP", "SINGLE GROUP")
    sexpop = {"All": "BOTH", "Female": "F", "Male": "M"}[design.population.sexes]
    investigational = [c for c, p in ((p.code, p) for p in protocol.products) if p.matches is None]
    weeks = max(p.end_week for p in design.periods)

    def ct(parm: str, value: str) -> tuple[str, str, str | None, str | None]:
        cl = CODELISTS.get(parm)
        code = cl.terms.get(value) if cl else None
        return (parm, value, code, "CDISC CT" if code else None)

    rows: list[tuple[str, str | None, str | None, str | None]] = [
        ("TITLE", _ascii(ident.official_title), None, None),
        ("TITLE", _ascii(ident.brief_title), None, None),
        ("ACRONYM", ident.acronym, None, None),
        ("REGID", ident.nct_id, None, "ClinicalTrials.gov"),
        *[("REGID", other, None, None) for other in ident.other_ids],
        ("SPONSOR", ident.sponsor, None, None),
        ct("TPHASE", PHASES[ident.phase]),
        ct("STYPE", design.study_type.upper()),
        ct("INTMODEL", model),
        (
            "RANDOM",
            "Y" if design.allocation == "Randomized" else "N",
            "C49488" if design.allocation == "Randomized" else "C49487",
            "CDISC CT",
        ),
        ct("TBLIND", blind),
        ct("TCNTRL", "PLACEBO" if any(p.matches for p in protocol.products) else "NONE"),
        *[("INDIC", c, None, None) for c in ident.conditions],
        ct("TTYPE", "SAFETY"),
        ct("TTYPE", "EFFICACY"),
        *[("TRT", _ascii(protocol.product(c).name), None, None) for c in investigational],
        ct("ROUTE", protocol.products[0].route.upper()),
        ("COMPTRT", _ascii(next((p.name for p in protocol.products if p.matches), "")) or None, None, None),
        ("AGEMIN", f"P{design.population.min_age_years}Y", None, "ISO 8601"),
        ("AGEMAX", f"P{design.population.max_age_years}Y", None, "ISO 8601"),
        ct("SEXPOP", sexpop),
        (
            "HLTSUBJI",
            "Y" if design.population.healthy_volunteers else "N",
            "C49488" if design.population.healthy_volunteers else "C49487",
            "CDISC CT",
        ),
        ("PLANSUB", str(design.target_enrolment), None, None),
        *([("ACTSUB", str(ident.actual_enrolment), None, None)] if ident.actual_enrolment is not None else []),
        ("NARMS", str(len(design.sequences)), None, None),
        ("LENGTH", f"P{weeks}W", None, "ISO 8601"),
        ("SSTDTC", ident.dates.study_start, None, "ISO 8601"),
        ("SENDTC", ident.dates.study_completion, None, "ISO 8601"),
        *[
            (("FCNTRY", COUNTRIES.get(c, c), None, "ISO 3166-1 alpha-3"))
            for c in dict.fromkeys(s.country for s in ident.sites)
        ],
        ("ADDON", "N", "C49487", "CDISC CT"),
        ("ADAPT", "N", "C49487", "CDISC CT"),
        *[
            (
                "OUTMSPRI" if o.type == "primary" else "OUTMSSEC",
                _short(_ascii(f"{o.title}: {o.description}")),
                None,
                None,
            )
            for o in protocol.outcomes
        ],
        ("SDTIGVER", "3.4", None, None),
        ("SDTMVER", "2.0", None, None),
    ]
    return rows


def _version(protocol: Protocol, parm: str, ref: str | None) -> str | None:
    """TSVCDVER: the CDISC CT package for 'CDISC CT' codes, the dictionary's version for TDIGRP/PCLAS codes."""
    if ref == "CDISC CT":
        return CT_VERSIONS["SDTM"]
    facts = protocol.submission
    fact = {"TDIGRP": facts.diagnosis_group, "PCLAS": facts.pharmacologic_class}.get(parm) if facts else None
    return fact.version if fact is not None and ref is not None else None


def _null_flavour(protocol: Protocol, parm: str) -> str:
    """Why a TS value is null: NA (not applicable) for a fact the trial does not have, else NI (no information)."""
    facts = protocol.submission
    if facts is not None and parm in ("PCLAS", "CURTRT"):
        return "NA"
    return "NI"


def build_ts(protocol: Protocol, cutoff: dt.date | None = None, cutoff_description: str | None = None) -> Dataset:
    """TS from the protocol; ``cutoff`` (default today, UTC) is the export's data cut-off, written to DCUTDTC."""
    study = protocol.identification.nct_id
    when = cutoff or dt.datetime.now(dt.UTC).date()
    description = cutoff_description or (
        "DATA CUT-OFF GIVEN AT EXPORT" if cutoff else "DATABASE STATE AT EXPORT (NO CUT-OFF GIVEN)"
    )
    seq_by_parm: dict[str, int] = {}
    rows: list[dict[str, Cell]] = []
    for parm, value, code, ref in [*_ts_rows(protocol), *_submission_rows(protocol, when, description)]:
        seq_by_parm[parm] = seq_by_parm.get(parm, 0) + 1
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TS",
                "TSSEQ": seq_by_parm[parm],
                "TSPARMCD": parm,
                "TSPARM": TS_NAMES.get(parm, parm),
                "TSVAL": value,
                "TSVALNF": None if value else _null_flavour(protocol, parm),
                "TSVALCD": code,
                "TSVCDREF": ref,
                "TSVCDVER": _version(protocol, parm, ref),
            }
        )
    return Dataset.build(spec("TS"), rows)


def trial_design_domains(protocol: Protocol, cutoff: dt.date | None = None) -> list[Dataset]:
    return [build_ta(protocol), build_te(protocol), build_tv(protocol), build_ti(protocol), build_ts(protocol, cutoff)]
