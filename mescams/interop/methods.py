"""How each derived SDTM and ADaM variable is derived: the text of its Define-XML MethodDef.

Why one table: Define-XML, the reviewer's guides and the conformance check "every derived variable has a method"
read the same lookup, so a derived variable added to a spec without a method is caught by the checks and by the
tests instead of shipping a define with a gap. Lookup order: the (dataset, variable) pair, then the variable name
in any dataset, then a suffix rule (``--SEQ``, ``--DY``, ``--STRESC`` ...).
"""

from __future__ import annotations

__all__ = ["METHODS", "method_for", "method_oid"]

_DY = "Study day from RFSTDTC: date - RFSTDTC + 1 on or after RFSTDTC; date - RFSTDTC before it (no day 0)."
_ADY = "Analysis relative day: ADT - TRTSDT + 1 on or after TRTSDT; ADT - TRTSDT before it (no day 0)."
_SEQ = "Numbered 1..n within USUBJID in order of date, then the record's own keys."
_STRESC = "The original result (--ORRES) copied as text: results are collected in the standard units."
_STRESN = "--STRESC as a number when it is numeric; null otherwise."
_STRESU = "--ORRESU copied: results are collected in the standard units."

#: suffix of a variable name -> method, tried last (longest suffix first)
SUFFIX_METHODS: dict[str, str] = {
    "SEQ": _SEQ,
    "STDY": _DY,
    "ENDY": _DY,
    "DY": _DY,
    "STRESC": _STRESC,
    "STRESN": _STRESN,
    "STRESU": _STRESU,
}

#: variable name (any dataset) -> method
VARIABLE_METHODS: dict[str, str] = {
    "EPOCH": "EPOCH of the date: SCREENING before the first infusion, then TREATMENT n from the n-th infusion "
    "(an event on an infusion day belongs to that infusion's period); for a planned visit, the visit's epoch.",
    "VISITNUM": "Position of the protocol visit in the schedule (screening = 1), as in TV.",
    "VISIT": "SCREENING, or WEEK n for the protocol visit of week n, as in TV.",
    "TRTSEQP": "Sequence code of the randomised sequence (DM.ARMCD's sequence in the protocol), e.g. MSC-PLACEBO.",
    "TRTA": "Actual treatment of the record's period: ADSL.TRTxxA for APERIOD = xx (the product infused).",
    "TRTP": "Planned treatment of the record's period: ADSL.TRTxxP for APERIOD = xx.",
    "APERIOD": "Period of the protocol week of the record's visit (the period whose assessment weeks hold it).",
    "PARAMCD": "Parameter code of the analysis parameter (see PARAM): one per source test or derived total.",
    "PARAM": "Description of the analysis parameter, from the source test name and unit.",
    "AVAL": "Numeric analysis value: the source's standard numeric result (--STRESN), or the derived total.",
    "AVISIT": "Analysis visit: the source VISIT (WEEK n); PERIOD n for a per-period total.",
    "AVISITN": "Analysis visit number: the protocol week n of the source visit (0 = baseline).",
    "ADT": "Analysis date: the date part of the source --DTC as a SAS date.",
    "ABLFL": "Y on the week-0 record (taken on or before the first infusion); null otherwise.",
    "BASE": "AVAL of the record with ABLFL = Y of the same subject and parameter.",
    "CHG": "AVAL - BASE for post-baseline records; null for the baseline record.",
}

#: (dataset, variable) -> method
METHODS: dict[tuple[str, str], str] = {
    ("TS", "TSSEQ"): "Numbered 1..n within TSPARMCD in the order the parameter's values are listed.",
    ("DM", "RFSTDTC"): "Date of the first infusion (EX.EXSTDTC of the earliest EX record); null if never infused.",
    ("DM", "RFENDTC"): "Date of the disposition event (end of participation) for a treated subject.",
    ("DM", "RFXSTDTC"): "Date of the first infusion (first EX.EXSTDTC).",
    ("DM", "RFXENDTC"): "Date of the last infusion (last EX.EXSTDTC).",
    ("DM", "RFPENDTC"): "Date of the disposition event (DS, DSCAT = DISPOSITION EVENT); null while ongoing.",
    ("DM", "DTHFL"): "Y when a death is recorded (AE outcome FATAL or disposition DEATH); null otherwise.",
    ("DM", "AGE"): "Completed years between BRTHDTC and RFICDTC (age at informed consent).",
    ("DM", "ACTARMCD"): "ARMCD of the arm whose element sequence starts with the treatments actually infused, "
    "in date order (SDTMIG 3.4 5.2: a subject who stops early keeps the arm of the path followed); "
    "UNPLAN if none matches; null if never infused.",
    ("DM", "ACTARM"): "ARM of ACTARMCD (see ACTARMCD).",
    ("DM", "ARMNRS"): "SCREEN FAILURE for a screen failure; NOT TREATED for a randomised subject never infused.",
    ("SE", "ETCD"): "SCRN for screening; then the element code of the product of each infusion given.",
    ("SE", "ELEMENT"): "Description of ETCD, from TE.",
    ("SE", "TAETORD"): "1 for screening, n + 1 for the n-th infusion's element.",
    ("SE", "SESTDTC"): "Screening: informed consent date; treatment element: the infusion's date.",
    ("SE", "SEENDTC"): "Start of the next element, or the disposition date for the last one.",
    ("SV", "SVUPDES"): "Null: every visit recorded is a planned visit.",
    ("SV", "SVSTDTC"): "Earliest date among the visit's eCRF forms (the day the visit took place).",
    ("SV", "SVENDTC"): "SVSTDTC: every visit takes place on one day.",
    ("DM", "DMDTC"): "Date of the screening visit, when the demographics were collected.",
    ("DS", "DSDECOD"): "COMPLETED / SCREEN FAILURE from the status; otherwise the withdrawal reason when it is a term "
    "of NCOMPLT, else OTHER (DSTERM keeps the reported reason); milestones: the PROTMLST term.",
    ("EX", "EXTRT"): "PLACEBO for the matching placebo, else the product's name in upper case (unblinded).",
    ("AE", "AEDECOD"): "Dictionary-derived term of AETERM (MedDRA preferred term where coded).",
    ("AE", "AEBODSYS"): "Primary system organ class of AEDECOD from the coding dictionary.",
    ("CE", "CESCAT"): "CONFIRMED when the investigator confirmed the relapse, else NOT CONFIRMED.",
    ("MH", "MHENRTPT"): "ONGOING when the condition is active at screening, else BEFORE.",
    ("CM", "CMENRTPT"): "ONGOING when the medication was ongoing at the end of the subject's participation.",
    ("LB", "LBNRIND"): "LOW below LBORNRLO, HIGH above LBORNRHI, NORMAL within the range; null without a range.",
    ("ADSL", "MSCOURSE"): "MH.MHSCAT of the record with MHCAT = PRIMARY DIAGNOSIS.",
    ("ADSL", "EDSSBL"): "Last QS EDSS0101 result (QSSTRESN) on or before TRTSDT.",
    ("ADSL", "WEIGHTBL"): "Last VS WEIGHT result (VSSTRESN, kg) on or before TRTSDT.",
    ("ADSL", "TRTSEQA"): "Description of the actual sequence: DM.ACTARM (SDTMIG 3.4 / ADaMIG 1.3: TRTSEQA and "
    "ACTARM agree), so a subject infused once keeps the arm whose path was followed.",
    ("ADSL", "TRT01P"): "Treatment of period 1 in the randomised sequence.",
    ("ADSL", "TRT02P"): "Treatment of period 2 in the randomised sequence.",
    ("ADSL", "TRT01A"): "Product of the period-1 infusion (EX at the period-1 infusion visit); null if not infused.",
    ("ADSL", "TRT02A"): "Product of the period-2 infusion (EX at the period-2 infusion visit); null if not infused.",
    ("ADSL", "RANDDT"): "Date of DS DSDECOD = RANDOMIZED (DSSTDTC) as a SAS date.",
    ("ADSL", "TRTSDT"): "Date of the first infusion (earliest EX.EXSTDTC) as a SAS date.",
    ("ADSL", "TRTEDT"): "Date of the last infusion (latest EX.EXSTDTC) as a SAS date.",
    ("ADSL", "TR01SDT"): "Date of the period-1 infusion (EX at the period-1 infusion visit).",
    ("ADSL", "TR02SDT"): "Date of the period-2 infusion (EX at the period-2 infusion visit).",
    ("ADSL", "AP01SDT"): "Period 1 start: TR01SDT.",
    ("ADSL", "AP01EDT"): "Period 1 end: the day before AP02SDT, or the end of participation (DM.RFPENDTC).",
    ("ADSL", "AP02SDT"): "Period 2 start: TR02SDT.",
    ("ADSL", "AP02EDT"): "Period 2 end: the end of participation (DM.RFPENDTC).",
    ("ADSL", "RANDFL"): "Y for every randomised subject (DM.ARMCD not null).",
    ("ADSL", "ITTFL"): "Y for every randomised subject (intention to treat).",
    ("ADSL", "SAFFL"): "Y when the subject received at least one infusion (EX); null otherwise.",
    ("ADSL", "EFFFL"): "Y when the subject has at least one post-baseline MRI (NV at a visit after week 0).",
    ("ADSL", "COMPLFL"): "Y when the disposition event is COMPLETED; N when it is any other reason (withdrawn); "
    "null while the subject is ongoing.",
    ("ADSL", "EOSSTT"): "COMPLETED / DISCONTINUED from the disposition event; ONGOING without one.",
    ("ADSL", "DCSREAS"): "DS.DSDECOD of the disposition event for a discontinued subject.",
    ("ADAE", "ASTDT"): "AESTDTC as a SAS date (full dates only).",
    ("ADAE", "AENDT"): "AEENDTC as a SAS date (full dates only).",
    ("ADAE", "ASTDY"): _ADY.replace("ADT", "ASTDT"),
    ("ADAE", "TRTA"): "Treatment of the infusion most recently preceding onset (an onset on an infusion day "
    "belongs to it); null before the first infusion.",
    ("ADAE", "APERIOD"): "Period of the infusion most recently preceding onset; null before the first infusion.",
    ("ADREL", "TRTA"): "Treatment of the infusion most recently preceding onset; null before the first infusion.",
    ("ADREL", "APERIOD"): "Period of the infusion most recently preceding onset; null before the first infusion.",
    ("ADEDSS", "BASE"): "ADSL.EDSSBL.",
    ("ADTTE", "TRTP"): "TTSDP1: the period-1 planned treatment; TTSDPS: the sequence code (TRTSEQP).",
    ("ADTTE", "APERIOD"): "1 for TTSDP1 (period-1 analysis); null for the whole-study TTSDPS.",
    ("ADAE", "ATOXGR"): "AETOXGR copied.",
    ("ADAE", "ATOXGRN"): "ATOXGR as a number.",
    ("ADAE", "TRTEMFL"): "Y when onset (ASTDT) is on or after the first infusion (APERIOD not null).",
    ("ADAE", "PREFL"): "Y when onset (ASTDT) is before the first infusion (APERIOD null).",
    ("ADLES", "DTYPE"): "SUM for per-period totals of the period's scans; COUNT for the number of scans done.",
    ("ADLES", "SRCSEQ"): "NV.NVSEQ of the source record (null for derived totals).",
    ("ADREL", "ASTDT"): "CESTDTC as a SAS date.",
    ("ADREL", "ASTDY"): _ADY.replace("ADT", "ASTDT"),
    ("ADREL", "CONFFL"): "Y when CESCAT = CONFIRMED, else N.",
    ("ADTTE", "AVAL"): "ADT - STARTDT + 1 (days from the first infusion, day 1).",
    ("ADTTE", "STARTDT"): "TRTSDT (first infusion).",
    ("ADTTE", "ADT"): "Date of sustained disability progression (core rule mescams.core.progression), or of the "
    "last EDSS assessment when censored.",
    ("ADTTE", "CNSR"): "0 when progression is observed, 1 when censored at the last assessment.",
    ("ADTTE", "EVNTDESC"): "SUSTAINED DISABILITY PROGRESSION or the censoring reason.",
}


def method_for(dataset: str, variable: str) -> str | None:
    """The derivation text of ``dataset.variable``, or None when the tables have none."""
    if (dataset, variable) in METHODS:
        return METHODS[(dataset, variable)]
    if variable in VARIABLE_METHODS:
        return VARIABLE_METHODS[variable]
    for suffix in sorted(SUFFIX_METHODS, key=len, reverse=True):
        if variable.endswith(suffix) and len(variable) > len(suffix):
            return SUFFIX_METHODS[suffix]
    return None


def method_oid(dataset: str, variable: str) -> str:
    """The MethodDef OID of a variable's method: one per distinct text is enough, but a per-variable OID keeps the
    define readable (``MT.AE.AESTDY``)."""
    return f"MT.{dataset}.{variable}"
