"""ADaM (ADaMIG 1.3) variable metadata of our analysis datasets: ADSL, ADAE, ADLES, ADEDSS, ADREL, ADTTE.

Dates are numeric SAS dates (days since 1960-01-01, as ADaM *DT variables are) with the DATE9. display format in
the transport file and Define-XML, and ISO 8601 dates in Dataset-JSON; flags are 'Y' or null (COMPLFL 'Y'/'N').
"""

from __future__ import annotations

from mescams.interop.dataset import Variable

__all__ = ["ADAM_SPECS"]


def V(
    name: str,
    label: str,
    type_: str = "Char",
    core: str = "Perm",
    *,
    integer: bool = False,  # noqa: N802
    origin: str = "Derived",
    codelist: str | None = None,
) -> Variable:
    return Variable(name, label, type_, core, codelist, origin, None, integer)  # type: ignore[arg-type]


def _d(name: str, label: str) -> Variable:
    """A numeric SAS date (days since 1960-01-01) displayed as DATE9. (ADaMIG 1.3 3.1.3: *DT variables)."""
    return Variable(name, label, "Num", "Perm", None, "Derived", None, True, False, "DATE9.")


ID = [
    V("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
    V("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
    V("SUBJID", "Subject Identifier for the Study", core="Req", origin="Predecessor"),
]
TRT = [
    V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
    V("TRTA", "Actual Treatment"),
    V("TRTP", "Planned Treatment"),
    V("APERIOD", "Period", "Num", integer=True),
]

ADAM_SPECS: dict[str, dict[str, object]] = {
    "ADSL": {
        "label": "Subject-Level Analysis Dataset",
        "klass": "SUBJECT LEVEL ANALYSIS DATASET",
        "structure": "One record per subject",
        "keys": ("STUDYID", "USUBJID"),
        "variables": [
            *ID,
            V("SITEID", "Study Site Identifier", core="Req", origin="Predecessor"),
            V("AGE", "Age", "Num", "Req", integer=True, origin="Predecessor"),
            V("AGEU", "Age Units", core="Req", origin="Predecessor"),
            V("SEX", "Sex", core="Req", origin="Predecessor", codelist="SEX"),
            V("RACE", "Race", origin="Predecessor"),
            V("MSCOURSE", "MS Course at Screening"),
            V("EDSSBL", "Baseline EDSS", "Num"),
            V("WEIGHTBL", "Baseline Weight (kg)", "Num"),
            V("ARM", "Description of Planned Arm", core="Req", origin="Predecessor"),
            V("ARMCD", "Planned Arm Code", origin="Predecessor"),
            V("ACTARM", "Description of Actual Arm", core="Req", origin="Predecessor"),
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("TRTSEQA", "Actual Sequence of Treatments"),
            V("TRT01P", "Planned Treatment for Period 01", core="Req"),
            V("TRT02P", "Planned Treatment for Period 02", core="Req"),
            V("TRT01A", "Actual Treatment for Period 01"),
            V("TRT02A", "Actual Treatment for Period 02"),
            _d("RANDDT", "Date of Randomization"),
            _d("TRTSDT", "Date of First Exposure to Treatment"),
            _d("TRTEDT", "Date of Last Exposure to Treatment"),
            _d("TR01SDT", "Date of First Exposure in Period 01"),
            _d("TR02SDT", "Date of First Exposure in Period 02"),
            _d("AP01SDT", "Period 01 Start Date"),
            _d("AP01EDT", "Period 01 End Date"),
            _d("AP02SDT", "Period 02 Start Date"),
            _d("AP02EDT", "Period 02 End Date"),
            V("RANDFL", "Randomized Population Flag", codelist="NY"),
            V("ITTFL", "Intent-To-Treat Population Flag", codelist="NY"),
            V("SAFFL", "Safety Population Flag", codelist="NY"),
            V("EFFFL", "Efficacy Population Flag", codelist="NY"),
            V("COMPLFL", "Completers Population Flag", codelist="NY"),
            V("EOSSTT", "End of Study Status"),
            V("DCSREAS", "Reason for Discontinuation from Study"),
        ],
    },
    "ADAE": {
        "label": "Adverse Events Analysis Dataset",
        "klass": "OCCURRENCE DATA STRUCTURE",
        "structure": "One record per adverse event per subject",
        "keys": ("STUDYID", "USUBJID", "AESEQ"),
        "variables": [
            *ID,
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("AESEQ", "Sequence Number", "Num", "Req", integer=True, origin="Predecessor"),
            V("AESPID", "Sponsor-Defined Identifier", origin="Predecessor"),
            V("AETERM", "Reported Term for the Adverse Event", core="Req", origin="Predecessor"),
            V("AELLT", "Lowest Level Term", origin="Predecessor"),
            V("AELLTCD", "Lowest Level Term Code", "Num", integer=True, origin="Predecessor"),
            V("AEDECOD", "Dictionary-Derived Term", core="Req", origin="Predecessor"),
            V("AEPTCD", "Preferred Term Code", "Num", integer=True, origin="Predecessor"),
            V("AEHLT", "High Level Term", origin="Predecessor"),
            V("AEHLTCD", "High Level Term Code", "Num", integer=True, origin="Predecessor"),
            V("AEHLGT", "High Level Group Term", origin="Predecessor"),
            V("AEHLGTCD", "High Level Group Term Code", "Num", integer=True, origin="Predecessor"),
            V("AEBODSYS", "Body System or Organ Class", core="Cond", origin="Predecessor"),
            V("AEBDSYCD", "Body System or Organ Class Code", "Num", integer=True, origin="Predecessor"),
            V("AESOC", "Primary System Organ Class", origin="Predecessor"),
            V("AESOCCD", "Primary System Organ Class Code", "Num", integer=True, origin="Predecessor"),
            _d("ASTDT", "Analysis Start Date"),
            _d("AENDT", "Analysis End Date"),
            V("ASTDY", "Analysis Start Relative Day", "Num", integer=True),
            V("AESER", "Serious Event", origin="Predecessor", codelist="NY"),
            V("AEREL", "Causality", origin="Predecessor", codelist="NY"),
            V("ATOXGR", "Analysis Toxicity Grade"),
            V("ATOXGRN", "Analysis Toxicity Grade (N)", "Num", integer=True),
            V("TRTA", "Actual Treatment"),
            V("APERIOD", "Period", "Num", integer=True),
            V("TRTEMFL", "Treatment Emergent Analysis Flag", codelist="NY"),
            V("PREFL", "Pre-treatment Flag", codelist="NY"),
        ],
    },
    "ADLES": {
        "label": "MRI Lesion Analysis Dataset",
        "klass": "BASIC DATA STRUCTURE",
        "structure": "One record per subject per parameter per scan or period",
        "keys": ("STUDYID", "USUBJID", "PARAMCD", "AVISITN", "APERIOD"),
        "variables": [
            *ID,
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("PARAMCD", "Parameter Code", core="Req"),
            V("PARAM", "Parameter", core="Req"),
            V("AVAL", "Analysis Value", "Num"),
            V("DTYPE", "Derivation Type"),
            V("AVISIT", "Analysis Visit"),
            V("AVISITN", "Analysis Visit (N)", "Num", integer=True),
            _d("ADT", "Analysis Date"),
            V("ADY", "Analysis Relative Day", "Num", integer=True),
            V("APERIOD", "Period", "Num", integer=True),
            V("TRTP", "Planned Treatment"),
            V("TRTA", "Actual Treatment"),
            V("ABLFL", "Baseline Record Flag", codelist="NY"),
            V("BASE", "Baseline Value", "Num"),
            V("SRCDOM", "Source Data", origin="Assigned"),
            V("SRCSEQ", "Source Sequence Number", "Num", integer=True),
        ],
    },
    "ADEDSS": {
        "label": "EDSS Analysis Dataset",
        "klass": "BASIC DATA STRUCTURE",
        "structure": "One record per subject per assessment",
        "keys": ("STUDYID", "USUBJID", "PARAMCD", "ADT"),
        "variables": [
            *ID,
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("PARAMCD", "Parameter Code", core="Req"),
            V("PARAM", "Parameter", core="Req"),
            V("AVAL", "Analysis Value", "Num"),
            V("AVISIT", "Analysis Visit"),
            V("AVISITN", "Analysis Visit (N)", "Num", integer=True),
            _d("ADT", "Analysis Date"),
            V("ADY", "Analysis Relative Day", "Num", integer=True),
            V("APERIOD", "Period", "Num", integer=True),
            V("TRTA", "Actual Treatment"),
            V("ABLFL", "Baseline Record Flag", codelist="NY"),
            V("BASE", "Baseline Value", "Num"),
            V("CHG", "Change from Baseline", "Num"),
        ],
    },
    "ADREL": {
        "label": "MS Relapse Analysis Dataset",
        "klass": "OCCURRENCE DATA STRUCTURE",
        "structure": "One record per relapse per subject",
        "keys": ("STUDYID", "USUBJID", "CESEQ"),
        "variables": [
            *ID,
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("CESEQ", "Sequence Number", "Num", "Req", integer=True, origin="Predecessor"),
            V("CETERM", "Reported Term for the Clinical Event", origin="Predecessor"),
            _d("ASTDT", "Analysis Start Date"),
            V("ASTDY", "Analysis Start Relative Day", "Num", integer=True),
            V("CONFFL", "Confirmed Relapse Flag", codelist="NY"),
            V("TRTA", "Actual Treatment"),
            V("APERIOD", "Period", "Num", integer=True),
        ],
    },
    "ADTTE": {
        "label": "Time-to-Event Analysis Dataset",
        "klass": "BASIC DATA STRUCTURE",
        "structure": "One record per subject per parameter",
        "keys": ("STUDYID", "USUBJID", "PARAMCD"),
        "variables": [
            *ID,
            V("TRTSEQP", "Planned Sequence of Treatments", core="Req"),
            V("PARAMCD", "Parameter Code", core="Req"),
            V("PARAM", "Parameter", core="Req"),
            V("AVAL", "Analysis Value (days)", "Num"),
            _d("STARTDT", "Time-to-Event Origin Date"),
            _d("ADT", "Analysis Date"),
            V("CNSR", "Censor (0 = event)", "Num", "Req", integer=True),
            V("EVNTDESC", "Event or Censoring Description"),
            V("TRTP", "Planned Treatment"),
            V("APERIOD", "Period", "Num", integer=True),
        ],
    },
}
for _name, _s in ADAM_SPECS.items():
    _s["name"] = _name
    _s["standard"] = "ADaM"
