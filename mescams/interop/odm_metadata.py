"""The ODM 1.3.2 study metadata of the eCRFs: study events per protocol visit, forms, item groups, items, codelists.

One StudyEventDef per protocol visit plus a 'LOG' event for the running logs (AEs, relapses, medications); the
forms of each visit follow its protocol activities (:data:`ACTIVITY_FORMS`); the forms and their items mirror the
EDC's eCRFs (:data:`FORMS`).
"""

from __future__ import annotations

from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import FS_NAMES
from mescams.interop.terminology import CODELISTS

__all__ = ["ACTIVITY_FORMS", "FORMS", "LOG_EVENT", "LOG_FORMS", "build_metadata", "form_codelists"]

# form OID -> (name, repeating item group?, [(item, question, DataType, codelist or None)])
FORMS: dict[str, tuple[str, bool, list[tuple[str, str, str, str | None]]]] = {
    "DM": (
        "Demographics",
        False,
        [
            ("SITE", "Site", "text", None),
            ("SEX", "Sex", "text", "SEX"),
            ("BRTHDAT", "Date of birth", "date", None),
            ("AGE", "Age at consent (years)", "integer", None),
            ("MSCOURSE", "MS course", "text", "MSCOURSE"),
            ("RACE", "Race", "text", "RACE"),
            ("ETHNIC", "Ethnicity", "text", "ETHNIC"),
            ("CONSDAT", "Date of informed consent", "date", None),
        ],
    ),
    "IE": (
        "Eligibility",
        True,
        [
            ("IEDAT", "Date of the eligibility assessment", "date", None),
            ("IETESTCD", "Criterion", "text", None),
            ("IEMET", "Criterion met", "text", "NY"),
        ],
    ),
    "INF": (
        "Infusion",
        False,
        [
            ("INFDAT", "Infusion date", "date", None),
            ("PRODCODE", "Product code", "text", None),
            ("PRODUCT", "Product infused (unblinded)", "text", "TRT"),
            ("CELLS", "Cells infused", "float", None),
            ("CELLSKG", "Cells per kg", "float", None),
            ("VOLML", "Volume infused (mL)", "float", None),
        ],
    ),
    "MRI": (
        "MRI read",
        False,
        [
            ("SCANDAT", "Scan date", "date", None),
            ("SCANID", "Scan identifier", "text", None),
            ("GELCNT", "GEL count", "integer", None),
            ("NT2CNT", "New or enlarging T2 lesions", "integer", None),
            ("CUACNT", "Combined unique active lesions", "integer", None),
            ("GELVOL", "GEL volume (mm3)", "float", None),
            ("BHVOL", "Black hole volume (mm3)", "float", None),
        ],
    ),
    "EDSS": (
        "EDSS",
        False,
        [
            ("EDSSDAT", "Assessment date", "date", None),
            ("EDSS", "EDSS step", "float", None),
            *[(f"FS{i + 1}", f"Functional system: {n}", "integer", None) for i, n in enumerate(FS_NAMES)],
            ("AMBUL", "Ambulation score", "integer", None),
        ],
    ),
    "LAB": (
        "Safety laboratory",
        True,
        [
            ("LBDAT", "Sample date", "date", None),
            ("LBTESTCD", "Test", "text", None),
            ("LBVAL", "Result", "float", None),
            ("LBUNIT", "Unit", "text", None),
        ],
    ),
    "VS": (
        "Vital signs",
        True,
        [
            ("VSDAT", "Date", "date", None),
            ("VSTESTCD", "Test", "text", None),
            ("VSVAL", "Result", "float", None),
            ("VSUNIT", "Unit", "text", None),
        ],
    ),
    "MH": (
        "Medical history",
        True,
        [
            ("MHTERM", "Condition", "text", None),
            ("MHSTDAT", "Start date", "date", None),
            ("MHONGO", "Ongoing", "text", "NY"),
        ],
    ),
    "AE": (
        "Adverse event",
        True,
        [
            ("AETERM", "Term", "text", None),
            ("AESTDAT", "Onset date", "date", None),
            ("AEENDAT", "End date", "date", None),
            ("AEGRADE", "CTCAE grade", "integer", None),
            ("AESEV", "Severity", "text", "AESEV"),
            ("AESER", "Serious", "text", "NY"),
            ("AESDTH", "Serious: resulted in death", "text", "NY"),
            ("AESLIFE", "Serious: life-threatening", "text", "NY"),
            ("AESHOSP", "Serious: required or prolonged hospitalisation", "text", "NY"),
            ("AESDISAB", "Serious: persistent or significant disability", "text", "NY"),
            ("AESCONG", "Serious: congenital anomaly", "text", "NY"),
            ("AESMIE", "Serious: other medically important event", "text", "NY"),
            ("AEREL", "Related to infusion", "text", "NY"),
            ("AEACN", "Action taken with study treatment", "text", None),
            ("AEOUT", "Outcome", "text", None),
        ],
    ),
    "REL": (
        "Relapse",
        True,
        [
            ("RELDAT", "Onset date", "date", None),
            ("RELENDAT", "End date", "date", None),
            ("RELCONF", "Confirmed", "text", "NY"),
        ],
    ),
    "CM": (
        "Concomitant medication",
        True,
        [
            ("CMTRT", "Medication", "text", None),
            ("CMINDC", "Indication", "text", None),
            ("CMSTDAT", "Start", "date", None),
            ("CMENDAT", "End", "date", None),
            ("CMONGO", "Ongoing", "text", "NY"),
        ],
    ),
    "DS": (
        "End of study",
        False,
        [
            ("DSDAT", "Date of completion or withdrawal", "date", None),
            ("DSSTAT", "Status", "text", None),
            ("DSREAS", "Reason for withdrawal", "text", None),
        ],
    ),
}
ACTIVITY_FORMS = {
    "demographics": "DM",
    "eligibility": "IE",
    "infusion": "INF",
    "mri_gadolinium": "MRI",
    "edss": "EDSS",
    "safety_labs": "LAB",
    "vital_signs": "VS",
    "medical_history": "MH",
}
LOG_EVENT = "LOG"
LOG_FORMS = ("AE", "REL", "CM", "DS")


def form_codelists(protocol: Protocol) -> dict[str, list[str]]:
    """The eCRF codelists: their terms as the forms offer them."""
    return {
        "SEX": ["F", "M"],
        "NY": ["Y", "N"],
        "MSCOURSE": ["RRMS", "SPMS", "PPMS"],
        "RACE": list(CODELISTS["RACE"].terms),
        "ETHNIC": list(CODELISTS["ETHNIC"].terms),
        "AESEV": list(CODELISTS["AESEV"].terms),
        "TRT": list(protocol.design.treatments),
    }


def _text(M: Any, cls: str, text: str) -> Any:  # noqa: N803
    d = getattr(M, cls)()
    d.TranslatedText.append(M.TranslatedText(_content=text, lang="en"))
    return d


def build_metadata(M: Any, protocol: Protocol, study_oid: str) -> Any:  # noqa: N803
    """The MetaDataVersion: protocol, study events, forms, item groups, items, codelists."""
    mdv = M.MetaDataVersion(OID=f"MDV.{study_oid}", Name=f"{protocol.identification.acronym} eCRFs")
    mdv.Protocol = M.Protocol()
    events = [*protocol.visits]
    for order, v in enumerate(events, start=1):
        mdv.Protocol.StudyEventRef.append(
            M.StudyEventRef(StudyEventOID=f"SE.{v.code}", OrderNumber=order, Mandatory="Yes")
        )
    mdv.Protocol.StudyEventRef.append(
        M.StudyEventRef(StudyEventOID=f"SE.{LOG_EVENT}", OrderNumber=len(events) + 1, Mandatory="No")
    )
    for v in events:
        sed = M.StudyEventDef(OID=f"SE.{v.code}", Name=v.name, Repeating="No", Type="Scheduled")
        forms = list(dict.fromkeys(ACTIVITY_FORMS[a] for a in v.activities if a in ACTIVITY_FORMS))
        for n, form in enumerate(forms, start=1):
            sed.FormRef.append(M.FormRef(FormOID=f"F.{form}", OrderNumber=n, Mandatory="Yes"))
        mdv.StudyEventDef.append(sed)
    log = M.StudyEventDef(OID=f"SE.{LOG_EVENT}", Name="Running logs", Repeating="No", Type="Common")
    for n, form in enumerate(LOG_FORMS, start=1):
        log.FormRef.append(M.FormRef(FormOID=f"F.{form}", OrderNumber=n, Mandatory="No"))
    mdv.StudyEventDef.append(log)
    for form, (name, _repeating, _items) in FORMS.items():
        fd = M.FormDef(OID=f"F.{form}", Name=name, Repeating="No")
        fd.ItemGroupRef.append(M.ItemGroupRef(ItemGroupOID=f"IG.{form}", Mandatory="Yes"))
        mdv.FormDef.append(fd)
    for form, (name, repeating, items) in FORMS.items():
        igd = M.ItemGroupDef(OID=f"IG.{form}", Name=name, Repeating="Yes" if repeating else "No")
        for n, (item, *_rest) in enumerate(items, start=1):
            igd.ItemRef.append(M.ItemRef(ItemOID=f"IT.{form}.{item}", OrderNumber=n, Mandatory="No"))
        mdv.ItemGroupDef.append(igd)
    for form, (_name, _rep, items) in FORMS.items():
        for item, question, data_type, codelist in items:
            idef = M.ItemDef(OID=f"IT.{form}.{item}", Name=item, DataType=data_type)
            if data_type in ("text", "integer", "float"):
                idef.Length = 200 if data_type == "text" else 12
            idef.Question = _text(M, "Question", question)
            if codelist:
                idef.CodeListRef = M.CodeListRef(CodeListOID=f"CL.{codelist}")
            mdv.ItemDef.append(idef)
    for cl_id, terms in form_codelists(protocol).items():
        cl = M.CodeList(OID=f"CL.{cl_id}", Name=cl_id, DataType="text")
        for n, term in enumerate(terms, start=1):
            cl.CodeListItem.append(M.CodeListItem(CodedValue=term, OrderNumber=n, Decode=_text(M, "Decode", term)))
        mdv.CodeList.append(cl)
    return mdv
