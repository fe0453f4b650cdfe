"""SDTMIG 3.4 variable metadata for every domain we export: order, label, type, core status, codelist.

Why a table: the builders, the writers, Define-XML and the conformance checks all read the same metadata, so a
variable added here appears everywhere at once. Labels follow SDTMIG 3.4 (<= 40 characters, ASCII).
"""

from __future__ import annotations

from mescams.interop.dataset import Core, Variable

__all__ = ["SPECS", "spec"]


def V(
    name: str,
    label: str,
    type_: str = "Char",
    core: Core = "Perm",
    codelist: str | None = None,  # noqa: N802
    origin: str = "Derived",
    role: str | None = None,
    *,
    integer: bool = False,
    iso: bool = False,
) -> Variable:
    return Variable(name, label, type_, core, codelist, origin, role, integer, iso)  # type: ignore[arg-type]


def _ident(domain: str) -> list[Variable]:
    return [
        V("STUDYID", "Study Identifier", core="Req", origin="Assigned", role="Identifier"),
        V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned", role="Identifier"),
        V("USUBJID", "Unique Subject Identifier", core="Req", origin="Assigned", role="Identifier"),
        V(f"{domain}SEQ", "Sequence Number", "Num", "Req", role="Identifier", integer=True),
    ]


def _timing(prefix: str, with_visit: bool = True, dtc: bool = True, dy: bool = True) -> list[Variable]:
    out = []
    if with_visit:
        out += [V("VISITNUM", "Visit Number", "Num", "Exp", role="Timing"), V("VISIT", "Visit Name", role="Timing")]
    out.append(V("EPOCH", "Epoch", codelist="EPOCH", role="Timing"))
    if dtc:
        out.append(
            V(f"{prefix}DTC", "Date/Time of Collection", core="Exp", origin="Collected", role="Timing", iso=True)
        )
    if dy:
        out.append(V(f"{prefix}DY", "Study Day of Visit/Collection/Exam", "Num", "Perm", role="Timing", integer=True))
    return out


def _findings(
    d: str, testcd_cl: str | None, extra: list[Variable] | None = None, units_origin: str = "Collected"
) -> list[Variable]:
    return [
        *_ident(d),
        V(f"{d}TESTCD", "Short Name of Test", core="Req", codelist=testcd_cl, origin="Assigned", role="Topic"),
        V(f"{d}TEST", "Name of Test", core="Req", origin="Assigned", role="Synonym Qualifier"),
        V(f"{d}CAT", "Category", codelist={"LB": "LBCAT", "QS": "QSCAT"}.get(d), origin="Assigned"),
        *(extra or []),
        V(f"{d}ORRES", "Result or Finding in Original Units", core="Exp", origin="Collected", role="Result Qualifier"),
        V(f"{d}ORRESU", "Original Units", core="Exp", codelist="UNIT", origin=units_origin),
        V(f"{d}STRESC", "Result in Standard Format", core="Exp", role="Result Qualifier"),
        V(f"{d}STRESN", "Numeric Result in Standard Units", "Num", "Exp", role="Result Qualifier"),
        V(f"{d}STRESU", "Standard Units", core="Exp", codelist="UNIT"),
    ]


_TD = {"klass": "TRIAL DESIGN"}
SPECS: dict[str, dict[str, object]] = {
    "TE": {
        **_TD,
        "label": "Trial Elements",
        "structure": "One record per planned Element",
        "keys": ("ETCD",),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("ETCD", "Element Code", core="Req", origin="Assigned"),
            V("ELEMENT", "Description of Element", core="Req", origin="Protocol"),
            V("TESTRL", "Rule for Start of Element", core="Req", origin="Protocol"),
            V("TEENRL", "Rule for End of Element", core="Perm", origin="Protocol"),
            V("TEDUR", "Planned Duration of Element", core="Perm", origin="Protocol"),
        ],
    },
    "TA": {
        **_TD,
        "label": "Trial Arms",
        "structure": "One record per planned Element per Arm",
        "keys": ("ARMCD", "TAETORD"),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("ARMCD", "Planned Arm Code", core="Req", origin="Protocol"),
            V("ARM", "Description of Planned Arm", core="Req", origin="Protocol"),
            V("TAETORD", "Planned Order of Element within Arm", "Num", "Req", origin="Protocol", integer=True),
            V("ETCD", "Element Code", core="Req", origin="Protocol"),
            V("ELEMENT", "Description of Element", core="Perm", origin="Protocol"),
            V("TABRANCH", "Branch", core="Exp", origin="Protocol"),
            V("TATRANS", "Transition Rule", core="Exp", origin="Protocol"),
            V("EPOCH", "Epoch", core="Req", codelist="EPOCH", origin="Protocol"),
        ],
    },
    "TV": {
        **_TD,
        "label": "Trial Visits",
        "structure": "One record per planned Visit per Arm",
        "keys": ("VISITNUM",),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("VISITNUM", "Visit Number", "Num", "Req", origin="Protocol"),
            V("VISIT", "Visit Name", core="Perm", origin="Protocol"),
            V("VISITDY", "Planned Study Day of Visit", "Num", "Perm", origin="Protocol", integer=True),
            V("ARMCD", "Planned Arm Code", core="Exp", origin="Protocol"),
            V("ARM", "Description of Planned Arm", core="Perm", origin="Protocol"),
            V("TVSTRL", "Visit Start Rule", core="Req", origin="Protocol"),
            V("TVENRL", "Visit End Rule", core="Perm", origin="Protocol"),
        ],
    },
    "TI": {
        **_TD,
        "label": "Trial Inclusion/Exclusion Criteria",
        "structure": "One record per I/E criterion",
        "keys": ("IETESTCD",),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("IETESTCD", "Incl/Excl Criterion Short Name", core="Req", origin="Protocol"),
            V("IETEST", "Inclusion/Exclusion Criterion", core="Req", origin="Protocol"),
            V("IECAT", "Inclusion/Exclusion Category", core="Req", codelist="IECAT", origin="Protocol"),
            V("TIVERS", "Protocol Criteria Versions", core="Perm", origin="Protocol"),
        ],
    },
    "TS": {
        **_TD,
        "label": "Trial Summary",
        "structure": "One record per trial summary parameter value",
        "keys": ("TSPARMCD", "TSSEQ"),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("TSSEQ", "Sequence Number", "Num", "Req", integer=True),
            V("TSPARMCD", "Trial Summary Parameter Short Name", core="Req", codelist="TSPARMCD", origin="Assigned"),
            V("TSPARM", "Trial Summary Parameter", core="Req", origin="Assigned"),
            V("TSVAL", "Parameter Value", core="Exp", origin="Protocol"),
            V("TSVALNF", "Parameter Null Flavor", core="Perm", origin="Assigned"),
            V("TSVALCD", "Parameter Value Code", core="Exp", origin="Assigned"),
            V("TSVCDREF", "Name of the Reference Terminology", core="Exp", origin="Assigned"),
            V("TSVCDVER", "Version of the Reference Terminology", core="Exp", origin="Assigned"),
        ],
    },
    "DM": {
        "klass": "SPECIAL PURPOSE",
        "label": "Demographics",
        "structure": "One record per subject",
        "keys": ("STUDYID", "USUBJID"),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("USUBJID", "Unique Subject Identifier", core="Req", origin="Assigned"),
            V("SUBJID", "Subject Identifier for the Study", core="Req", origin="Assigned"),
            V("RFSTDTC", "Subject Reference Start Date/Time", core="Exp", iso=True),
            V("RFENDTC", "Subject Reference End Date/Time", core="Exp", iso=True),
            V("RFXSTDTC", "Date/Time of First Study Treatment", core="Exp", iso=True),
            V("RFXENDTC", "Date/Time of Last Study Treatment", core="Exp", iso=True),
            V("RFICDTC", "Date/Time of Informed Consent", core="Exp", origin="Collected", iso=True),
            V("RFPENDTC", "Date/Time of End of Participation", core="Exp", iso=True),
            V("DTHFL", "Subject Death Flag", core="Exp", codelist="NY"),
            V("SITEID", "Study Site Identifier", core="Req", origin="Assigned"),
            V("BRTHDTC", "Date/Time of Birth", core="Perm", origin="Collected", iso=True),
            V("AGE", "Age", "Num", "Exp", integer=True),
            V("AGEU", "Age Units", core="Exp", codelist="AGEU", origin="Assigned"),
            V("SEX", "Sex", core="Req", codelist="SEX", origin="Collected"),
            V("RACE", "Race", core="Exp", codelist="RACE", origin="Collected"),
            V("ETHNIC", "Ethnicity", core="Perm", codelist="ETHNIC", origin="Collected"),
            V("ARMCD", "Planned Arm Code", core="Exp", origin="Assigned"),
            V("ARM", "Description of Planned Arm", core="Exp", origin="Assigned"),
            V("ACTARMCD", "Actual Arm Code", core="Exp"),
            V("ACTARM", "Description of Actual Arm", core="Exp"),
            V("ARMNRS", "Reason Arm and/or Actual Arm is Null", core="Exp"),
            V("COUNTRY", "Country", core="Req", codelist="COUNTRY", origin="Assigned"),
            V("DMDTC", "Date/Time of Collection", core="Perm", iso=True),
            V("DMDY", "Study Day of Collection", "Num", integer=True),
        ],
    },
    "SE": {
        "klass": "SPECIAL PURPOSE",
        "label": "Subject Elements",
        "structure": "One record per actual Element per subject",
        "keys": ("STUDYID", "USUBJID", "ETCD", "SESTDTC"),
        "variables": [
            *_ident("SE"),
            V("ETCD", "Element Code", core="Req"),
            V("ELEMENT", "Description of Element", core="Perm"),
            V("TAETORD", "Planned Order of Element within Arm", "Num", "Perm", integer=True),
            V("EPOCH", "Epoch", core="Perm", codelist="EPOCH"),
            V("SESTDTC", "Start Date/Time of Element", core="Req", iso=True),
            V("SEENDTC", "End Date/Time of Element", core="Exp", iso=True),
            V("SESTDY", "Study Day of Start of Element", "Num", integer=True),
            V("SEENDY", "Study Day of End of Element", "Num", integer=True),
        ],
    },
    "SV": {
        "klass": "SPECIAL PURPOSE",
        "label": "Subject Visits",
        "structure": "One record per subject per actual visit",
        "keys": ("STUDYID", "USUBJID", "VISITNUM"),
        "variables": [
            V("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
            V("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
            V("USUBJID", "Unique Subject Identifier", core="Req", origin="Assigned"),
            V("VISITNUM", "Visit Number", "Num", "Req"),
            V("VISIT", "Visit Name", core="Perm"),
            V("EPOCH", "Epoch", codelist="EPOCH"),
            V("SVSTDTC", "Start Date/Time of Visit", core="Exp", iso=True),
            V("SVENDTC", "End Date/Time of Visit", core="Exp", iso=True),
            V("SVSTDY", "Study Day of Start of Visit", "Num", integer=True),
            V("SVENDY", "Study Day of End of Visit", "Num", integer=True),
            V("SVUPDES", "Description of Unplanned Visit", origin="Assigned"),
        ],
    },
    "DS": {
        "klass": "EVENTS",
        "label": "Disposition",
        "structure": "One record per disposition status or milestone",
        "keys": ("STUDYID", "USUBJID", "DSDECOD", "DSSTDTC"),
        "variables": [
            *_ident("DS"),
            V("DSTERM", "Reported Term for the Disposition Event", core="Req", origin="Collected"),
            V("DSDECOD", "Standardized Disposition Term", core="Req", codelist="NCOMPLT"),
            V("DSCAT", "Category for Disposition Event", core="Exp", codelist="DSCAT", origin="Assigned"),
            V("EPOCH", "Epoch", codelist="EPOCH"),
            V("DSSTDTC", "Start Date/Time of Disposition Event", core="Exp", origin="Collected", iso=True),
            V("DSSTDY", "Study Day of Start of Disposition Event", "Num", integer=True),
        ],
    },
    "EX": {
        "klass": "INTERVENTIONS",
        "label": "Exposure",
        "structure": "One record per constant dosing interval",
        "keys": ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
        "variables": [
            *_ident("EX"),
            V("EXREFID", "Reference ID", origin="Collected"),
            V("EXTRT", "Name of Treatment", core="Req"),
            V("EXDOSE", "Dose", "Num", "Exp", origin="Collected"),
            V("EXDOSU", "Dose Units", core="Exp", codelist="UNIT", origin="Assigned"),
            V("EXDOSFRM", "Dose Form", core="Exp", codelist="FRM", origin="Assigned"),
            V("EXROUTE", "Route of Administration", codelist="ROUTE", origin="Protocol"),
            V("EXVAMT", "Treatment Vehicle Amount", "Num", origin="Collected"),
            V("EXVAMTU", "Treatment Vehicle Amount Units", codelist="UNIT", origin="Assigned"),
            V("VISITNUM", "Visit Number", "Num"),
            V("VISIT", "Visit Name"),
            V("EPOCH", "Epoch", codelist="EPOCH"),
            V("EXSTDTC", "Start Date/Time of Treatment", core="Exp", origin="Collected", iso=True),
            V("EXENDTC", "End Date/Time of Treatment", core="Exp", origin="Collected", iso=True),
            V("EXSTDY", "Study Day of Start of Treatment", "Num", integer=True),
            V("EXENDY", "Study Day of End of Treatment", "Num", integer=True),
        ],
    },
    "AE": {
        "klass": "EVENTS",
        "label": "Adverse Events",
        "structure": "One record per adverse event per subject",
        "keys": ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
        "variables": [
            *_ident("AE"),
            V("AESPID", "Sponsor-Defined Identifier", origin="Assigned"),
            V("AETERM", "Reported Term for the Adverse Event", core="Req", origin="Collected"),
            # MedDRA: the LLT coded to, its PT and the PT's primary path (HLT, HLGT, SOC), codes and names
            V("AELLT", "Lowest Level Term", core="Exp", origin="Assigned"),
            V("AELLTCD", "Lowest Level Term Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AEDECOD", "Dictionary-Derived Term", core="Req"),
            V("AEPTCD", "Preferred Term Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AEHLT", "High Level Term", core="Exp", origin="Assigned"),
            V("AEHLTCD", "High Level Term Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AEHLGT", "High Level Group Term", core="Exp", origin="Assigned"),
            V("AEHLGTCD", "High Level Group Term Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AEBODSYS", "Body System or Organ Class", core="Exp"),
            V("AEBDSYCD", "Body System or Organ Class Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AESOC", "Primary System Organ Class", core="Exp", origin="Assigned"),
            V("AESOCCD", "Primary System Organ Class Code", "Num", "Exp", origin="Assigned", integer=True),
            V("AESEV", "Severity/Intensity", core="Perm", codelist="AESEV", origin="Collected"),
            V("AESER", "Serious Event", core="Exp", codelist="NY", origin="Collected"),
            V("AEACN", "Action Taken with Study Treatment", core="Exp", codelist="ACN", origin="Collected"),
            V("AEREL", "Causality", core="Exp", codelist="NY", origin="Collected"),
            V("AEOUT", "Outcome of Adverse Event", core="Perm", codelist="OUT", origin="Collected"),
            V("AESCONG", "Congenital Anomaly or Birth Defect", core="Perm", codelist="NY", origin="Collected"),
            V("AESDISAB", "Persist or Signif Disability/Incapacity", core="Perm", codelist="NY", origin="Collected"),
            V("AESDTH", "Results in Death", core="Perm", codelist="NY", origin="Collected"),
            V("AESHOSP", "Requires or Prolongs Hospitalization", core="Perm", codelist="NY", origin="Collected"),
            V("AESLIFE", "Is Life Threatening", core="Perm", codelist="NY", origin="Collected"),
            V("AESMIE", "Other Medically Important Serious Event", core="Perm", codelist="NY", origin="Collected"),
            V("AETOXGR", "Standard Toxicity Grade", core="Perm", codelist="TOXGR", origin="Collected"),
            V("EPOCH", "Epoch", codelist="EPOCH"),
            V("AESTDTC", "Start Date/Time of Adverse Event", core="Exp", origin="Collected", iso=True),
            V("AEENDTC", "End Date/Time of Adverse Event", core="Exp", origin="Collected", iso=True),
            V("AESTDY", "Study Day of Start of Adverse Event", "Num", integer=True),
            V("AEENDY", "Study Day of End of Adverse Event", "Num", integer=True),
        ],
    },
    "CE": {
        "klass": "EVENTS",
        "label": "Clinical Events",
        "structure": "One record per event per subject",
        "keys": ("STUDYID", "USUBJID", "CETERM", "CESTDTC"),
        "variables": [
            *_ident("CE"),
            V("CESPID", "Sponsor-Defined Identifier", origin="Assigned"),
            V("CETERM", "Reported Term for the Clinical Event", core="Req", codelist="CETERM", origin="Assigned"),
            V("CEDECOD", "Dictionary-Derived Term", core="Perm", origin="Assigned"),
            V("CECAT", "Category for Clinical Event", origin="Assigned"),
            V("CESCAT", "Subcategory for Clinical Event"),
            V("CEPRESP", "Clinical Event Pre-specified", codelist="NY", origin="Assigned"),
            V("CEOCCUR", "Clinical Event Occurrence", codelist="NY", origin="Collected"),
            V("CESTAT", "Completion Status", origin="Assigned"),
            V("EPOCH", "Epoch", codelist="EPOCH"),
            V("CESTDTC", "Start Date/Time of Clinical Event", core="Exp", origin="Collected", iso=True),
            V("CEENDTC", "End Date/Time of Clinical Event", core="Perm", origin="Collected", iso=True),
            V("CESTDY", "Study Day of Start of Event", "Num", integer=True),
            V("CEENDY", "Study Day of End of Event", "Num", integer=True),
        ],
    },
    "MH": {
        "klass": "EVENTS",
        "label": "Medical History",
        "structure": "One record per medical history event",
        "keys": ("STUDYID", "USUBJID", "MHDECOD", "MHSTDTC"),
        "variables": [
            *_ident("MH"),
            V("MHSPID", "Sponsor-Defined Identifier", origin="Assigned"),
            V("MHTERM", "Reported Term for the Medical History", core="Req", origin="Collected"),
            V("MHLLT", "Lowest Level Term", origin="Assigned"),
            V("MHLLTCD", "Lowest Level Term Code", "Num", origin="Assigned", integer=True),
            V("MHDECOD", "Dictionary-Derived Term", core="Perm", origin="Assigned"),
            V("MHPTCD", "Preferred Term Code", "Num", origin="Assigned", integer=True),
            V("MHHLT", "High Level Term", origin="Assigned"),
            V("MHHLTCD", "High Level Term Code", "Num", origin="Assigned", integer=True),
            V("MHHLGT", "High Level Group Term", origin="Assigned"),
            V("MHHLGTCD", "High Level Group Term Code", "Num", origin="Assigned", integer=True),
            V("MHCAT", "Category for Medical History", origin="Assigned"),
            V("MHSCAT", "Subcategory for Medical History", origin="Collected"),
            V("MHBODSYS", "Body System or Organ Class", origin="Assigned"),
            V("MHBDSYCD", "Body System or Organ Class Code", "Num", origin="Assigned", integer=True),
            V("MHSOC", "Primary System Organ Class", origin="Assigned"),
            V("MHSOCCD", "Primary System Organ Class Code", "Num", origin="Assigned", integer=True),
            V("MHENRTPT", "End Relative to Reference Time Point"),
            V("MHENTPT", "End Reference Time Point", origin="Assigned"),
            V("MHSTDTC", "Start Date/Time of Medical History Event", core="Perm", origin="Collected", iso=True),
            V("MHSTDY", "Study Day of Start of Observation", "Num", integer=True),
        ],
    },
    "CM": {
        "klass": "INTERVENTIONS",
        "label": "Concomitant/Prior Medications",
        "structure": "One record per recorded intervention occurrence or constant-dosing interval per subject",
        "keys": ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC"),
        "variables": [
            *_ident("CM"),
            V("CMSPID", "Sponsor-Defined Identifier", origin="Assigned"),
            V("CMTRT", "Reported Name of Drug, Med, or Therapy", core="Req", origin="Collected"),
            V("CMDECOD", "Standardized Medication Name", core="Perm", origin="Assigned"),
            V("CMCAT", "Category for Medication", origin="Assigned"),  # PRIOR MS THERAPY: the screening history
            V("CMINDC", "Indication", origin="Collected"),
            V("CMCLAS", "Medication Class", origin="Assigned"),  # WHODrug: the ATC class (text)
            V("CMCLASCD", "Medication Class Code", origin="Assigned"),  # and its ATC code
            V("EPOCH", "Epoch", codelist="EPOCH", role="Timing"),
            V("CMSTDTC", "Start Date/Time of Medication", core="Perm", origin="Collected", iso=True),
            V("CMENDTC", "End Date/Time of Medication", core="Perm", origin="Collected", iso=True),
            V("CMSTDY", "Study Day of Start of Medication", "Num", integer=True),
            V("CMENDY", "Study Day of End of Medication", "Num", integer=True),
            V("CMENRTPT", "End Relative to Reference Time Point"),
            V("CMENTPT", "End Reference Time Point", origin="Assigned"),
        ],
    },
    "IE": {
        "klass": "FINDINGS",
        "label": "Inclusion/Exclusion Criteria Not Met",
        "structure": "One record per inclusion/exclusion criterion not met per subject",
        "keys": ("STUDYID", "USUBJID", "IETESTCD"),
        "variables": [
            *_ident("IE"),
            V("IETESTCD", "Inclusion/Exclusion Criterion Short Name", core="Req", origin="Assigned"),
            V("IETEST", "Inclusion/Exclusion Criterion", core="Req", origin="Assigned"),
            V("IECAT", "Inclusion/Exclusion Category", core="Req", codelist="IECAT", origin="Assigned"),
            V("IEORRES", "I/E Criterion Original Result", core="Req", codelist="NY", origin="Collected"),
            V("IESTRESC", "I/E Criterion Result in Std Format", core="Req", codelist="NY"),
            *_timing("IE"),
        ],
    },
    "VS": {
        "klass": "FINDINGS",
        "label": "Vital Signs",
        "structure": "One record per vital sign measurement per visit",
        "keys": ("STUDYID", "USUBJID", "VSTESTCD", "VISITNUM"),
        "variables": [*_findings("VS", "VSTESTCD"), *_timing("VS")],
    },
    "LB": {
        "klass": "FINDINGS",
        "label": "Laboratory Test Results",
        "structure": "One record per lab test per visit per subject",
        "keys": ("STUDYID", "USUBJID", "LBTESTCD", "VISITNUM"),
        "variables": [
            *_findings("LB", "LBTESTCD"),
            V("LBORNRLO", "Reference Range Lower Limit in Orig Unit", core="Exp", origin="Assigned"),
            V("LBORNRHI", "Reference Range Upper Limit in Orig Unit", core="Exp", origin="Assigned"),
            V("LBNRIND", "Reference Range Indicator", core="Exp", codelist="NRIND"),
            *_timing("LB"),
        ],
    },
    "QS": {
        "klass": "FINDINGS",
        "label": "Questionnaires",
        "structure": "One record per questionnaire item per visit",
        "keys": ("STUDYID", "USUBJID", "QSCAT", "QSTESTCD", "VISITNUM"),
        "variables": [*_findings("QS", "QSTESTCD", units_origin="Assigned"), *_timing("QS")],
    },
    "NV": {
        "klass": "FINDINGS",
        "label": "Nervous System Findings",
        "structure": "One record per finding per location per visit per subject",
        "keys": ("STUDYID", "USUBJID", "NVTESTCD", "VISITNUM"),
        "variables": [
            *_findings("NV", "NVTESTCD"),
            V("NVREFID", "Reference ID", origin="Collected"),
            V("NVLOC", "Location Used for the Measurement", origin="Assigned"),
            V("NVMETHOD", "Method of Test or Examination", origin="Assigned"),
            *_timing("NV"),
        ],
    },
}
for _name, _s in SPECS.items():
    _s["name"] = _name


def spec(domain: str) -> dict[str, object]:
    return SPECS[domain]
