"""The controlled terminology our exports use: each codelist's allowed terms, and NCI codes where we are sure.

Why our own table: the conformance checks and Define-XML need the same list of allowed values. Only codelists
our variables use are here. NCI C-codes are given where they are stable and well known (NY, SEX, AGEU,...);
elsewhere the term is listed without a code rather than with a guessed one (Define-XML allows that). Sponsor
codelists (arms, elements, visit codes, test codes of our own) are marked ``extensible`` and ``sponsor``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CODELISTS", "CT_VERSIONS", "Codelist", "codelist"]

#: the CDISC Controlled Terminology packages our terms are checked against, declared in Define-XML (def:Standard
#: of type CT) and in TS (TSVCDVER of every TSVCDREF 'CDISC CT' row)
CT_VERSIONS = {"SDTM": "2024-03-29", "ADaM": "2024-03-29"}


@dataclass(frozen=True)
class Codelist:
    """One codelist: its ID (used as the Define-XML OID suffix), name, NCI code, and terms -> NCI codes."""

    id: str
    name: str
    nci_code: str | None
    terms: dict[str, str | None] = field(default_factory=dict)
    extensible: bool = False
    sponsor: bool = False
    data_type: str = "text"
    #: a codelist of the ADaM CT package (e.g. DATEFL) rather than the SDTM one
    adam: bool = False

    def allows(self, value: object) -> bool:
        return str(value) in self.terms


def _cl(
    id_: str,
    name: str,
    code: str | None,
    terms: dict[str, str | None] | list[str],
    *,
    ext: bool = False,
    sponsor: bool = False,
    data_type: str = "text",
) -> Codelist:
    mapping = terms if isinstance(terms, dict) else dict.fromkeys(terms)
    return Codelist(id_, name, code, mapping, ext, sponsor, data_type)


CODELISTS: dict[str, Codelist] = {
    c.id: c
    for c in (
        _cl("NY", "No Yes Response", "C66742", {"Y": "C49488", "N": "C49487", "U": "C17998", "NA": "C48660"}),
        _cl("SEX", "Sex", "C66731", {"F": "C16576", "M": "C20197", "U": "C17998"}),
        _cl("AGEU", "Age Unit", "C66781", {"YEARS": "C29848"}),
        _cl(
            "RACE",
            "Race",
            "C74457",
            {
                "WHITE": "C41261",
                "ASIAN": "C41260",
                "BLACK OR AFRICAN AMERICAN": "C16352",
                "AMERICAN INDIAN OR ALASKA NATIVE": "C41259",
                "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER": "C41219",
                "NOT REPORTED": "C43234",
                "UNKNOWN": "C17998",
            },
            ext=True,
        ),
        _cl(
            "ETHNIC",
            "Ethnic Group",
            "C66790",
            {
                "HISPANIC OR LATINO": "C17459",
                "NOT HISPANIC OR LATINO": "C41222",
                "NOT REPORTED": "C43234",
                "UNKNOWN": "C17998",
            },
        ),
        _cl("COUNTRY", "Country (ISO 3166-1 alpha-3)", None, ["CAN", "USA"], ext=True),
        _cl("EPOCH", "Epoch", "C99079", ["SCREENING", "TREATMENT 1", "TREATMENT 2", "FOLLOW-UP"], ext=True),
        _cl("DSCAT", "Category for Disposition Event", "C74558", ["DISPOSITION EVENT", "PROTOCOL MILESTONE"]),
        _cl(
            "NCOMPLT",
            "Completion/Reason for Non-Completion",
            "C66727",
            [
                "COMPLETED",
                "SCREEN FAILURE",
                "WITHDRAWAL BY SUBJECT",
                "ADVERSE EVENT",
                "LOST TO FOLLOW-UP",
                "DEATH",
                "PHYSICIAN DECISION",
                "PROTOCOL DEVIATION",
                "LACK OF EFFICACY",
                "OTHER",
            ],
            ext=True,
        ),
        _cl("PROTMLST", "Protocol Milestone", "C114118", ["INFORMED CONSENT OBTAINED", "RANDOMIZED"], ext=True),
        _cl("ROUTE", "Route of Administration", "C66729", {"INTRAVENOUS": "C38276"}, ext=True),
        _cl("FRM", "Pharmaceutical Dosage Form", "C66726", ["SUSPENSION"], ext=True),
        _cl(
            "OUT",
            "Outcome of Event",
            "C66768",
            [
                "RECOVERED/RESOLVED",
                "RECOVERING/RESOLVING",
                "NOT RECOVERED/NOT RESOLVED",
                "RECOVERED/RESOLVED WITH SEQUELAE",
                "FATAL",
                "UNKNOWN",
            ],
        ),
        _cl(
            "ACN",
            "Action Taken with Study Treatment",
            "C66767",
            ["DOSE NOT CHANGED", "DRUG WITHDRAWN", "DRUG INTERRUPTED", "NOT APPLICABLE", "UNKNOWN"],
        ),
        _cl("AESEV", "Severity/Intensity Scale for Adverse Events", "C66769",
            {"MILD": "C41338", "MODERATE": "C41339", "SEVERE": "C41340"}),
        _cl("TOXGR", "CTCAE grade", None, ["1", "2", "3", "4", "5"], sponsor=True),
        _cl("IECAT", "Category for Inclusion/Exclusion", "C66797", ["INCLUSION", "EXCLUSION"]),
        _cl(
            "UNIT",
            "Unit",
            "C71620",
            [
                "mmHg",
                "beats/min",
                "C",
                "kg",
                "10^9/L",
                "g/L",
                "U/L",
                "umol/L",
                "mm3",
                "cells/kg",
                "cells",
                "mL",
                "LESIONS",
                "cm",
                "mL/min/1.73m2",
            ],
            ext=True,
        ),
        _cl(
            "VSTESTCD",
            "Vital Signs Test Code",
            "C66741",
            {
                "SYSBP": "C25298",
                "DIABP": "C25299",
                "PULSE": "C49676",
                "TEMP": "C25206",
                "WEIGHT": "C25208",
                "HEIGHT": "C25347",
            },
            ext=True,
        ),
        _cl(
            "LBTESTCD",
            "Laboratory Test Code",
            "C65047",
            ["WBC", "HGB", "PLAT", "ALT", "AST", "CREAT", "EGFR"],
            ext=True,
        ),
        _cl("LBCAT", "Laboratory category", None, ["HEMATOLOGY", "CHEMISTRY"], sponsor=True),
        _cl("NRIND", "Reference Range Indicator", "C78736", ["NORMAL", "LOW", "HIGH", "ABNORMAL"], ext=True),
        _cl("QSCAT", "Questionnaire Category", "C100129", ["EDSS", "KFSS"], ext=True),
        _cl(
            "QSTESTCD",
            "Questionnaire test code (EDSS, KFSS)",
            None,
            [
                "EDSS0101",
                "AMBUL01",
                "KFSS101",
                "KFSS102",
                "KFSS103",
                "KFSS104",
                "KFSS105",
                "KFSS106",
                "KFSS107",
                "KFSS108",
            ],
            ext=True,
        ),
        _cl(
            "NVTESTCD",
            "MRI lesion test code",
            None,
            ["GDLESNUM", "NT2LSNUM", "CUALSNUM", "GDLESVOL", "BHLESVOL"],
            ext=True,
            sponsor=True,
        ),
        _cl("CETERM", "Clinical event term", None, ["MULTIPLE SCLEROSIS RELAPSE"], sponsor=True),
        _cl(
            "TSPARMCD",
            "Trial Summary Parameter Test Code",
            "C66738",
            [
                "TITLE",
                "TPHASE",
                "STYPE",
                "RANDOM",
                "INTMODEL",
                "TBLIND",
                "TCNTRL",
                "AGEMIN",
                "AGEMAX",
                "SEXPOP",
                "PLANSUB",
                "ACTSUB",
                "SPONSOR",
                "REGID",
                "INDIC",
                "TDIGRP",
                "TTYPE",
                "TRT",
                "ROUTE",
                "NARMS",
                "LENGTH",
                "SSTDTC",
                "SENDTC",
                "HLTSUBJI",
                "ADDON",
                "ADAPT",
                "FCNTRY",
                "CURTRT",
                "COMPTRT",
                "OBJPRIM",
                "OBJSEC",
                "DCUTDTC",
                "DCUTDESC",
                "PCLAS",
                "OUTMSPRI",
                "OUTMSSEC",
                "ACRONYM",
                "STOPRULE",
                "SDTIGVER",
                "SDTMVER",
                "THERAREA",
                "DOSE",
                "DOSU",
                "NCOHORT",
            ],
            ext=True,
        ),
        _cl(
            "TPHASE",
            "Trial Phase",
            "C66737",
            {
                "PHASE I TRIAL": "C15600",
                "PHASE II TRIAL": "C15601",
                "PHASE III TRIAL": "C15602",
                "PHASE IV TRIAL": "C15603",
                "NOT APPLICABLE": "C48660",
                "PHASE 0 TRIAL": None,
            },
        ),
        _cl("STYPE", "Study Type", "C99077", {"INTERVENTIONAL": "C98388", "OBSERVATIONAL": "C16084"}),
        _cl(
            "INTMODEL",
            "Intervention Model",
            "C99076",
            {"CROSSOVER": "C82637", "PARALLEL": "C82639", "SINGLE GROUP": "C82640", "FACTORIAL": "C82638"},
            ext=True,
        ),
        _cl(
            "TBLIND",
            "Trial Blinding Schema",
            "C66735",
            ["OPEN LABEL", "SINGLE BLIND", "DOUBLE BLIND", "TRIPLE BLIND", "QUADRUPLE BLIND"],
            ext=True,
        ),
        _cl("TCNTRL", "Control Type", "C66785", {"PLACEBO": "C49648", "NONE": None, "ACTIVE": None}, ext=True),
        _cl("SEXPOP", "Sex of Participants", "C66732", {"BOTH": "C49636", "F": "C16576", "M": "C20197"}),
        _cl("TTYPE", "Trial Type", "C66739", {"SAFETY": "C49667", "EFFICACY": "C49666"}, ext=True),
    )
}


def codelist(codelist_id: str) -> Codelist:
    return CODELISTS[codelist_id]
