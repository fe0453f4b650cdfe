"""CDISC ODM 1.3.2: the study's eCRF metadata and its clinical data with audit records, built with odmlib.

Metadata: one StudyEventDef per protocol visit plus a 'LOG' event for the running logs (AEs, relapses,
medications); the forms of each visit follow its protocol activities (:data:`ACTIVITY_FORMS`); forms, item groups,
items and codelists are the eCRFs of the EDC as listed in :data:`FORMS`. Clinical data: every participant's
visits and forms from a :class:`~mescams.interop.snapshot.TrialSnapshot`, and the audit trail (who, role, when,
what, old -> new, why) as ODM AuditRecords. The data carries treatment allocation (infusion product): unblinded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.errors import ExportError
from mescams.interop.odm_metadata import ACTIVITY_FORMS, FORMS, LOG_EVENT, build_metadata
from mescams.interop.sdtm.events import SERIOUSNESS_FLAGS
from mescams.interop.snapshot import FS_NAMES, TrialSnapshot

__all__ = ["ACTIVITY_FORMS", "FORMS", "build_odm", "load_odm", "validate_odm", "write_odm"]


def _fmt(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _records(snapshot: TrialSnapshot) -> list[tuple[str, str, str, dict[str, object]]]:
    """(participant, event, form, {item: value}) for every record of the snapshot, in a stable order."""
    out: list[tuple[str, str, str, dict[str, object]]] = []
    screening = "SCR"
    for p in snapshot.participants:
        out.append(
            (
                p.participant_id,
                screening,
                "DM",
                {
                    "SITE": p.site,
                    "SEX": p.sex,
                    "BRTHDAT": p.birth_date,
                    "AGE": p.age_at_consent,
                    "MSCOURSE": p.ms_course,
                    "RACE": p.race,
                    "ETHNIC": p.ethnicity,
                    "CONSDAT": p.consent_date,
                },
            )
        )
    out += [
        (e.participant_id, screening, "IE", {"IEDAT": e.assessed_on, "IETESTCD": e.criterion_id, "IEMET": e.met})
        for e in snapshot.eligibility
    ]
    out += [
        (m.participant_id, screening, "MH", {"MHTERM": m.term, "MHSTDAT": m.start_date, "MHONGO": m.ongoing})
        for m in snapshot.medical_history
    ]
    out += [
        (
            i.participant_id,
            i.visit_code,
            "INF",
            {
                "INFDAT": i.date,
                "PRODCODE": i.product_code,
                "PRODUCT": i.product,
                "CELLS": i.cells_infused,
                "CELLSKG": i.cells_per_kg,
                "VOLML": i.volume_ml,
            },
        )
        for i in snapshot.infusions
    ]
    out += [
        (
            m.participant_id,
            m.visit_code,
            "MRI",
            {
                "SCANDAT": m.scan_date,
                "SCANID": m.scan_id,
                "GELCNT": m.gel_count,
                "NT2CNT": m.new_enlarging_t2_count,
                "CUACNT": m.cua_count,
                "GELVOL": m.gel_volume_mm3,
                "BHVOL": m.black_hole_volume_mm3,
            },
        )
        for m in snapshot.mri
    ]
    out += [
        (
            e.participant_id,
            e.visit_code,
            "EDSS",
            {
                "EDSSDAT": e.date,
                "EDSS": e.score,
                "AMBUL": e.ambulation,
                **{f"FS{i + 1}": e.fs_scores.get(n) for i, n in enumerate(FS_NAMES)},
            },
        )
        for e in snapshot.edss
    ]
    out += [
        (
            r.participant_id,
            r.visit_code,
            "LAB",
            {"LBDAT": r.date, "LBTESTCD": r.test_code, "LBVAL": r.value, "LBUNIT": r.unit},
        )
        for r in snapshot.labs
    ]
    out += [
        (
            v.participant_id,
            v.visit_code,
            "VS",
            {"VSDAT": v.date, "VSTESTCD": v.test_code, "VSVAL": v.value, "VSUNIT": v.unit},
        )
        for v in snapshot.vitals
    ]
    out += [
        (
            a.participant_id,
            LOG_EVENT,
            "AE",
            {
                "AETERM": a.term,
                "AESTDAT": a.onset_date,
                "AEENDAT": a.end_date,
                "AEGRADE": a.grade,
                "AESEV": a.severity,
                "AESER": a.serious,
                **{flag: criterion in a.serious_criteria for flag, criterion in SERIOUSNESS_FLAGS.items()},
                "AEREL": a.related,
                "AEACN": a.action,
                "AEOUT": a.outcome,
            },
        )
        for a in snapshot.adverse_events
    ]
    out += [
        (r.participant_id, LOG_EVENT, "REL", {"RELDAT": r.onset_date, "RELENDAT": r.end_date, "RELCONF": r.confirmed})
        for r in snapshot.relapses
    ]
    out += [
        (
            c.participant_id,
            LOG_EVENT,
            "CM",
            {
                "CMTRT": c.drug,
                "CMINDC": c.indication,
                "CMSTDAT": c.start_date,
                "CMENDAT": c.end_date,
                "CMONGO": c.ongoing,
            },
        )
        for c in snapshot.conmeds
    ]
    out += [
        (
            p.participant_id,
            LOG_EVENT,
            "DS",
            {"DSDAT": p.disposition.date, "DSSTAT": p.disposition.status, "DSREAS": p.disposition.reason},
        )
        for p in snapshot.participants
        if p.disposition.status != "ONGOING"
    ]
    return out


def build_clinical_data(M: Any, snapshot: TrialSnapshot, study_oid: str, mdv_oid: str) -> Any:  # noqa: N803
    cd = M.ClinicalData(StudyOID=study_oid, MetaDataVersionOID=mdv_oid)
    subjects: dict[str, Any] = {}
    forms: dict[tuple[str, str, str], Any] = {}
    for pid, event, form, values in _records(snapshot):
        if pid not in subjects:
            subjects[pid] = M.SubjectData(SubjectKey=pid, TransactionType="Insert")
            subjects[pid].SiteRef = M.SiteRef(LocationOID=f"LOC.{snapshot.participant(pid).site}")
            cd.SubjectData.append(subjects[pid])
        key = (pid, event, form)
        if key not in forms:
            sed = next((e for e in subjects[pid].StudyEventData if e.StudyEventOID == f"SE.{event}"), None)
            if sed is None:
                sed = M.StudyEventData(StudyEventOID=f"SE.{event}")
                subjects[pid].StudyEventData.append(sed)
            forms[key] = M.FormData(FormOID=f"F.{form}")
            sed.FormData.append(forms[key])
        repeating = FORMS[form][1]
        igd = M.ItemGroupData(ItemGroupOID=f"IG.{form}")
        if repeating:
            igd.ItemGroupRepeatKey = str(len(forms[key].ItemGroupData) + 1)
        for item, value in values.items():
            text = _fmt(value)
            if text is not None:
                igd.ItemData.append(M.ItemData(ItemOID=f"IT.{form}.{item}", Value=text))
        forms[key].ItemGroupData.append(igd)
    trail = M.AuditRecords()
    for n, a in enumerate(snapshot.audit, start=1):
        rec = M.AuditRecord(ID=f"AR.{n}")
        if a.old_value is not None:  # a change after first entry: who made it decides the ODM edit point
            rec.EditPoint = "DataManagement" if "data_manager" in a.role else "Monitoring"
        rec.UserRef = M.UserRef(UserOID=f"USR.{a.user}")
        rec.LocationRef = M.LocationRef(LocationOID=f"LOC.{snapshot.participant(a.participant_id).site}")
        rec.DateTimeStamp = M.DateTimeStamp(_content=a.at.astimezone(dt.UTC).isoformat())
        rec.ReasonForChange = M.ReasonForChange(_content=a.reason)
        rec.SourceID = M.SourceID(
            _content=f"{a.table}/{a.record_id}/{a.field}: {a.old_value!s} -> "
            f"{a.new_value!s} by {a.role} (subject {a.participant_id})"
        )
        trail.AuditRecord.append(rec)
    if trail.AuditRecord:
        cd.AuditRecords.append(trail)
    return cd


def build_odm(protocol: Protocol, snapshot: TrialSnapshot | None, *, created: dt.datetime) -> Any:
    """An odmlib ODM 1.3.2 document: metadata always; AdminData and ClinicalData when a snapshot is given."""
    import odmlib.odm_1_3_2.model as M  # noqa: N812

    study_oid = protocol.identification.nct_id
    odm = M.ODM(
        FileOID=f"ODM.{study_oid}",
        FileType="Snapshot",
        Granularity="All" if snapshot else "Metadata",
        CreationDateTime=created.astimezone(dt.UTC).isoformat(),
        ODMVersion="1.3.2",
        Originator="mescams",
        SourceSystem="mescams",
        SourceSystemVersion="0.1",
    )
    study = M.Study(OID=study_oid)
    study.GlobalVariables = M.GlobalVariables()
    study.GlobalVariables.StudyName = M.StudyName(_content=protocol.identification.acronym)
    study.GlobalVariables.StudyDescription = M.StudyDescription(_content=protocol.identification.official_title)
    study.GlobalVariables.ProtocolName = M.ProtocolName(_content=study_oid)
    study.MetaDataVersion.append(build_metadata(M, protocol, study_oid))
    odm.Study.append(study)
    if snapshot is not None:
        admin = M.AdminData(StudyOID=study_oid)
        for user in sorted({a.user for a in snapshot.audit}):
            admin.User.append(M.User(OID=f"USR.{user}", LoginName=M.LoginName(_content=user)))
        for site in protocol.identification.sites:
            loc = M.Location(OID=f"LOC.{site.code}", Name=site.name, LocationType="Site")
            loc.MetaDataVersionRef.append(
                M.MetaDataVersionRef(
                    StudyOID=study_oid,
                    MetaDataVersionOID=f"MDV.{study_oid}",
                    EffectiveDate=protocol.identification.dates.first_posted.isoformat(),
                )
            )
            admin.Location.append(loc)
        odm.AdminData.append(admin)
        odm.ClinicalData.append(build_clinical_data(M, snapshot, study_oid, f"MDV.{study_oid}"))
    return odm


def write_odm(odm: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    odm.write_xml(str(path))
    return path


def load_odm(path: Path) -> Any:
    """Read an ODM 1.3.2 file back into odmlib objects (for the metadata round trip)."""
    import odmlib.loader as LD  # noqa: N812
    import odmlib.odm_loader as OL  # noqa: N812

    loader = LD.ODMLoader(OL.XMLODMLoader(model_package="odm_1_3_2", ns_uri="http://www.cdisc.org/ns/odm/v1.3"))
    loader.open_odm_document(str(path))
    return loader.root()


def validate_odm(path: Path) -> None:
    """Validate against the ODM 1.3.2 XSD odmlib ships; raise ExportError naming the first problem."""
    from odmlib.odm_parser import ODMSchemaValidator

    errors = list(ODMSchemaValidator(standard="odm", version="1.3.2").xsd.iter_errors(str(path)))
    if errors:
        raise ExportError(f"{path.name} {errors[0].path}", str(errors[0].reason or errors[0].message))
