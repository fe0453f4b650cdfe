"""One case as an ICH E2B(R3) individual case safety report (HL7 v3 ``MCCI_IN200100UV01`` batch holding one
``PORR_IN049016UV`` message), with the ICH code systems of the E2B(R3) Implementation Guide.

No well-kept PyPI package ships the ICH E2B(R3) schemas (they are distributed by ICH in a zip of HL7 XSDs), so the
tests check the structure: the required elements of sections N (batch and message), C (report), D (patient),
E (reaction), G (drug) and H (narrative). Data elements are named by their E2B number in comments.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - building XML, never parsing untrusted input

from mescams.edc.safety.case_facts import CaseFacts, case_facts
from mescams.edc.safety.cases import SafetyCase

__all__ = ["HL7", "icsr_xml"]

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ICH = "2.16.840.1.113883.3.989.2.1"  # ICH's OID arc for E2B(R3)
MEDDRA_OID = "2.16.840.1.113883.6.163"
OBSERVATION_CODES = f"{ICH}.1.19"
SERIOUSNESS = (("death", "34", "resultsInDeath"), ("life_threatening", "21", "isLifeThreatening"),
               ("hospitalisation", "33", "requiresInpatientHospitalization"),
               ("disability", "35", "resultsInPersistentOrSignificantDisability"),
               ("congenital_anomaly", "12", "congenitalAnomalyBirthDefect"),
               ("important_medical_event", "26", "otherMedicallyImportantCondition"))
OUTCOMES = {"recovered": "1", "recovering": "2", "not_recovered": "3", "recovered_with_sequelae": "4", "fatal": "5",
            "unknown": "0"}  # E.i.7
SEX = {"M": "1", "F": "2"}  # D.5, ISO 5218

ET.register_namespace("", HL7)
ET.register_namespace("xsi", XSI)


def _q(tag: str) -> str:
    return f"{{{HL7}}}{tag}"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, _q(tag), {k.replace("xsi_type", f"{{{XSI}}}type"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _ts(value: dt.date | dt.datetime) -> str:
    return value.strftime("%Y%m%d%H%M%S") if isinstance(value, dt.datetime) else value.strftime("%Y%m%d")


def _device(parent: ET.Element, type_code: str, oid: str, name: str) -> None:
    holder = _el(parent, "receiver" if type_code == "RCV" else "sender", typeCode=type_code)
    device = _el(holder, "device", classCode="DEV", determinerCode="INSTANCE")
    _el(device, "id", root=oid, extension=name)


def _characteristic(parent: ET.Element, characteristic: str, **attrs: str) -> ET.Element:
    holder = _el(parent, "subjectOf2", typeCode="SUBJ")
    obs = _el(holder, "investigationCharacteristic", classCode="OBS", moodCode="EVN")
    _el(obs, "code", code=characteristic, codeSystem=f"{ICH}.1.23")
    _el(obs, "value", **attrs)
    return obs


def _reaction(patient: ET.Element, facts: CaseFacts) -> None:
    ae, coded = facts.case.ae, facts.case.coded
    holder = _el(patient, "subjectOf2", typeCode="SBJ")
    obs = _el(holder, "observation", classCode="OBS", moodCode="EVN")
    _el(obs, "id", root=f"{ICH}.3.13", extension=f"{facts.report_id}-R1")
    _el(obs, "code", code="29", codeSystem=OBSERVATION_CODES, displayName="reaction")
    period = _el(obs, "effectiveTime", xsi_type="IVL_TS")
    _el(period, "low", value=_ts(ae.onset_date))  # E.i.4
    if ae.end_date is not None:
        _el(period, "high", value=_ts(ae.end_date))  # E.i.5
    if coded is not None:  # E.i.2.1b: the MedDRA code (PT here; the LLT when the coder gives one)
        code = str(coded.llt_code or coded.pt_code)
        value = _el(obs, "value", xsi_type="CE", code=code, codeSystem=MEDDRA_OID,
                    codeSystemVersion=coded.version or "")
    else:
        value = _el(obs, "value", xsi_type="CE", nullFlavor="UNK")
    _el(value, "originalText", ae.term, language="en")  # E.i.1.1a: the verbatim
    criteria = set(ae.serious_criteria if isinstance(ae.serious_criteria, list) else [])
    for key, code, name in SERIOUSNESS:  # E.i.3.2a-f
        rel = _el(obs, "outboundRelationship2", typeCode="PERT")
        flag = _el(rel, "observation", classCode="OBS", moodCode="EVN")
        _el(flag, "code", code=code, codeSystem=OBSERVATION_CODES, displayName=name)
        if key in criteria:
            _el(flag, "value", xsi_type="BL", value="true")
        else:
            _el(flag, "value", xsi_type="BL", nullFlavor="NI")
    rel = _el(obs, "outboundRelationship2", typeCode="PERT")
    outcome = _el(rel, "observation", classCode="OBS", moodCode="EVN")
    _el(outcome, "code", code="27", codeSystem=OBSERVATION_CODES, displayName="outcome")
    _el(outcome, "value", xsi_type="CE", code=OUTCOMES.get(ae.outcome, "0"), codeSystem=f"{ICH}.1.11")  # E.i.7


def _drug(patient: ET.Element, facts: CaseFacts) -> None:
    holder = _el(patient, "subjectOf2", typeCode="SBJ")
    organizer = _el(holder, "organizer", classCode="CATEGORY", moodCode="EVN")
    _el(organizer, "code", code="4", codeSystem=f"{ICH}.1.20", displayName="drugInformation")
    component = _el(organizer, "component", typeCode="COMP")
    admin = _el(component, "substanceAdministration", classCode="SBADM", moodCode="EVN")
    _el(admin, "id", root=f"{ICH}.3.13", extension=f"{facts.report_id}-D1")
    for day, _volume in facts.infusions:  # G.k.4.r.4 / .5
        period = _el(admin, "effectiveTime", xsi_type="IVL_TS")
        _el(period, "low", value=_ts(day))
        _el(period, "high", value=_ts(day))
    _el(_el(admin, "routeCode"), "originalText", facts.route)  # G.k.4.r.10.1, as free text
    product = _el(_el(_el(admin, "consumable", typeCode="CSM"), "instanceOfKind", classCode="INST"),
                  "kindOfProduct", classCode="MMAT", determinerCode="KIND")
    _el(product, "name", f"{facts.suspect_name} (code {facts.suspect_code})")  # G.k.2.2
    # G.k.1 characterisation: 1 suspect; a revealed placebo is 4 (drug not administered)
    role = "4" if facts.case.revealed and facts.case.product not in (None, "MSC") and \
        facts.case.verdict is not None and facts.case.verdict.value == "not_susar_control" else "1"
    char = _el(_el(admin, "outboundRelationship2", typeCode="RSON"), "observation", classCode="OBS", moodCode="EVN")
    _el(char, "code", code="20", codeSystem=OBSERVATION_CODES, displayName="drugCharacterization")
    _el(char, "value", xsi_type="CE", code=role, codeSystem=f"{ICH}.1.13")


def icsr_xml(case: SafetyCase, *, created_at: dt.datetime, sender: str = "MESCAMS-SPONSOR",
             receiver: str = "HC-CANADA-VIGILANCE") -> bytes:
    """The case as one E2B(R3) ICSR in a batch of one (UTF-8 bytes with an XML declaration)."""
    facts = case_facts(case)
    ae = case.ae
    root = ET.Element(_q("MCCI_IN200100UV01"), {"ITSVersion": "XML_1.0"})
    _el(root, "id", root=f"{ICH}.3.22", extension=f"{facts.report_id}-B")  # N.1.2 batch number
    _el(root, "creationTime", value=_ts(created_at))  # N.1.5
    _el(root, "responseModeCode", code="D")
    _el(root, "interactionId", root="2.16.840.1.113883.1.6", extension="MCCI_IN200100UV01")
    _el(root, "name", code="1", codeSystem=f"{ICH}.1.1")  # N.1.1 batch type: ichicsr
    message = _el(root, "PORR_IN049016UV")
    _el(message, "id", root=f"{ICH}.3.1", extension=facts.report_id)  # N.2.r.1
    _el(message, "creationTime", value=_ts(created_at))  # N.2.r.4
    _el(message, "interactionId", root="2.16.840.1.113883.1.6", extension="PORR_IN049016UV")
    _el(message, "processingCode", code="P")
    _el(message, "processingModeCode", code="T")
    _el(message, "acceptAckCode", code="AL")
    _device(message, "RCV", f"{ICH}.3.12", receiver)  # N.2.r.3
    _device(message, "SND", f"{ICH}.3.11", sender)  # N.2.r.2
    act = _el(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    _el(act, "code", code="PORR_TE049016UV", codeSystem="2.16.840.1.113883.1.18")
    _el(act, "effectiveTime", value=_ts(created_at))  # C.1.2 date of creation
    event = _el(_el(act, "subject", typeCode="SUBJ"), "investigationEvent", classCode="INVSTG", moodCode="EVN")
    _el(event, "id", root=f"{ICH}.3.1", extension=facts.report_id)  # C.1.1
    _el(event, "id", root=f"{ICH}.3.2", extension=facts.report_id)  # C.1.8.1 worldwide unique case id
    _el(event, "code", code="PAT_ADV_EVNT", codeSystem="2.16.840.1.113883.5.4")
    _el(event, "text", _narrative(facts))  # H.1
    _el(event, "statusCode", code="active")
    aware = ae.awareness_date or ae.onset_date
    _el(_el(event, "effectiveTime"), "low", value=_ts(aware))  # C.1.4 first received from source
    _el(event, "availabilityTime", value=_ts(aware))  # C.1.5 most recent information
    assessment = _el(_el(event, "component", typeCode="COMP"), "adverseEventAssessment", classCode="INVSTG",
                     moodCode="EVN")
    role = _el(_el(assessment, "subject1", typeCode="SBJ"), "primaryRole", classCode="INVSBJ")
    patient = _el(role, "player1", classCode="PSN", determinerCode="INSTANCE")
    _el(patient, "name", nullFlavor="MSK")  # D.1: masked; the study number goes in D.1.1.4
    if facts.sex in SEX:
        _el(patient, "administrativeGenderCode", code=SEX[facts.sex], codeSystem="1.0.5218")  # D.5
    if facts.birth_date is not None:
        _el(patient, "birthTime", value=_ts(facts.birth_date))  # D.2.1
    _el(_el(patient, "asIdentifiedEntity", classCode="IDENT"), "id", root=f"{ICH}.3.10",
        extension=facts.case.participant_id)  # D.1.1.4 investigation number
    if facts.age_years is not None:
        holder = _el(role, "subjectOf2", typeCode="SBJ")
        age = _el(holder, "observation", classCode="OBS", moodCode="EVN")
        _el(age, "code", code="3", codeSystem=OBSERVATION_CODES, displayName="age")
        _el(age, "value", xsi_type="PQ", value=str(facts.age_years), unit="a")  # D.2.2
    _reaction(role, facts)
    _drug(role, facts)
    _characteristic(event, "1", xsi_type="CE", code="2", codeSystem=f"{ICH}.1.2")  # C.1.3: report from study
    _characteristic(event, "3", xsi_type="BL", value="true" if case.verdict is not None and
                    case.verdict.value == "susar" else "false")  # C.1.7: fulfils local expedited criteria
    study = _el(_el(event, "subjectOf1", typeCode="SUBJ"), "researchStudy", classCode="CLNTRL", moodCode="EVN")
    _el(study, "id", root=f"{ICH}.3.5", extension=facts.study.split()[0])  # C.5.3 sponsor study number
    _el(study, "code", code="1", codeSystem=f"{ICH}.1.8", displayName="clinicalTrials")  # C.5.4 study type
    _el(study, "title", facts.study)  # C.5.2
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _narrative(facts: CaseFacts) -> str:
    ae = facts.case.ae
    parts = [f"Participant {facts.case.participant_id} ({facts.sex or 'sex unknown'}, "
             f"{facts.age_years if facts.age_years is not None else 'age unknown'} years) in {facts.study}.",
             f"{ae.term} began on {ae.onset_date.isoformat()}"
             + (f" and ended on {ae.end_date.isoformat()}" if ae.end_date else ", ongoing") + ".",
             f"Seriousness: {', '.join(ae.serious_criteria) or 'none'}; severity {ae.severity or 'not recorded'}, "
             f"CTCAE grade {ae.severity_grade}; outcome {ae.outcome.replace('_', ' ')}.",
             f"Investigator's causality: {ae.causality or 'not assessed'}. {facts.case.expectedness.reason}.",
             f"Suspect product: {facts.suspect_name}."]
    return " ".join(parts)
