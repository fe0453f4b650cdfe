"""The EDC's data as an export snapshot (:class:`~mescams.interop.snapshot.TrialSnapshot`): reads the models only.

Why here: every export reads the snapshot, so the exports (``mescams.interop``) never depend on the database schema
and never import the EDC; the EDC, which owns the schema, builds the snapshot and passes it in. This module is the
one place that maps the models to it. It only reads (no model is saved); Django must be set up before it is
imported (:func:`mescams.edc.settings.configure`).

Mappings: the product infused is the participant's sequence treatment for the period the infusion visit starts
(the allocation slot holds the sequence; the infusion form holds the blinded product code); the disposition comes
from the lifecycle state; visits attended are the earliest dated form of each visit code; the screening record's
contract JSON gives medical history and prior therapies; the audit trail keeps who, role, when, what, old, new, why.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from mescams.core.protocol import Protocol
from mescams.edc.audit.models import AuditEntry
from mescams.edc.coding.items import PRIMARY_DIAGNOSIS, PRIMARY_DIAGNOSIS_ITEM, screening_entries
from mescams.edc.coding.models import MEDDRA, WHODRUG, CodedTerm, DictionaryRelease
from mescams.edc.crfs import models as crf
from mescams.edc.crfs.dose_basis import weight_at_randomisation
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.models import Participant as DbParticipant
from mescams.interop.snapshot import (
    PRIOR_THERAPY_CATEGORY,
    AdverseEvent,
    AuditRecord,
    ConMed,
    DictionaryVersion,
    Disposition,
    EdssAssessment,
    EligibilityResult,
    Infusion,
    LabResult,
    MeddraCoding,
    MedicalHistory,
    MriRead,
    Participant,
    Relapse,
    TrialSnapshot,
    VisitAttendance,
    VitalSign,
    WhodrugCoding,
)

__all__ = ["snapshot_from_database"]

LAB_CODES = {
    "hemoglobin": ("HGB", "Hemoglobin", "HEMATOLOGY"),
    "wbc": ("WBC", "Leukocytes", "HEMATOLOGY"),
    "platelets": ("PLAT", "Platelets", "HEMATOLOGY"),
    "alt": ("ALT", "Alanine Aminotransferase", "CHEMISTRY"),
    "ast": ("AST", "Aspartate Aminotransferase", "CHEMISTRY"),
    "creatinine": ("CREAT", "Creatinine", "CHEMISTRY"),
    "egfr": ("EGFR", "Glomerular Filtration Rate, Estimated", "CHEMISTRY"),
}
VITALS = (
    ("systolic_mmhg", "SYSBP", "Systolic Blood Pressure", "mmHg"),
    ("diastolic_mmhg", "DIABP", "Diastolic Blood Pressure", "mmHg"),
    ("heart_rate_bpm", "PULSE", "Pulse Rate", "beats/min"),
    ("temperature_c", "TEMP", "Temperature", "C"),
    ("weight_kg", "WEIGHT", "Weight", "kg"),
    ("height_cm", "HEIGHT", "Height", "cm"),
)
AE_ACTION = {
    "none": "NOT APPLICABLE",
    "infusion_interrupted": "DRUG INTERRUPTED",
    "infusion_stopped": "DRUG WITHDRAWN",
    "treatment_given": "NOT APPLICABLE",
    "other": "UNKNOWN",
}
AE_OUTCOME = {
    "recovered": "RECOVERED/RESOLVED",
    "recovering": "RECOVERING/RESOLVING",
    "not_recovered": "NOT RECOVERED/NOT RESOLVED",
    "recovered_with_sequelae": "RECOVERED/RESOLVED WITH SEQUELAE",
    "fatal": "FATAL",
    "unknown": "UNKNOWN",
}


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


Coded = tuple[str, int, str]
"""A coded term's place: (coding form, record pk, entry key; empty for a record coded whole)."""


def _codings() -> tuple[dict[Coded, MeddraCoding], dict[Coded, WhodrugCoding]]:
    """(form, record pk, entry) -> its MedDRA coding (AEs, medical history) or WHODrug coding (medications, prior
    therapies); coded terms only (a term kept on an LLT that became non-current keeps its PT and SOC until the coder
    reviews it)."""
    meddra: dict[Coded, MeddraCoding] = {}
    whodrug: dict[Coded, WhodrugCoding] = {}
    for t in CodedTerm.objects.select_related("release").filter(status__in=("coded", "review"), release__isnull=False):
        version, at = t.release.version, (t.form, t.record_pk, t.item)
        if t.dictionary == MEDDRA and t.pt_code is not None:
            meddra[at] = MeddraCoding(t.llt_code, t.llt_name, t.pt_code, t.pt_name, t.hlt_code, t.hlt_name,
                                      t.hlgt_code, t.hlgt_name, t.soc_code, t.soc_name, version)
        elif t.dictionary == WHODRUG and t.drug_code:
            whodrug[at] = WhodrugCoding(t.drug_code, t.drug_name, t.preferred_code, t.preferred_name,
                                        t.atc_code, t.atc_text, version)
    return meddra, whodrug


def _dictionaries(meddra: dict[Coded, MeddraCoding], whodrug: dict[Coded, WhodrugCoding],
                  ) -> tuple[DictionaryVersion, ...]:
    """The versions the snapshot's codes come from (the active release when nothing is coded yet)."""
    used = {("MedDRA", c.version) for c in meddra.values()} | {("WHODrug", c.version) for c in whodrug.values()}
    for release in DictionaryRelease.objects.filter(active=True):
        name = {"meddra": "MedDRA", "whodrug": "WHODrug"}[release.dictionary]
        if not any(n == name for n, _ in used):
            used.add((name, release.version))
    return tuple(DictionaryVersion(n, v) for n, v in sorted(used))


def snapshot_from_database(protocol: Protocol) -> TrialSnapshot:  # noqa: PLR0915
    """Everything the exports need, read from the configured EDC database."""
    meddra, whodrug = _codings()
    week_of = {v.code: v.week for v in protocol.visits}
    slots = {s.participant_id: s for s in AllocationSlot.objects.filter(participant__isnull=False)}
    people: list[Participant] = []
    out: dict[str, list[Any]] = {
        k: [] for k in ("elig", "visits", "inf", "ae", "mri", "edss", "rel", "lab", "vs", "cm", "mh")
    }
    owner: dict[tuple[str, str], str] = {}
    for p in DbParticipant.objects.select_related("site").order_by("participant_id"):
        pid = p.participant_id
        owner[(DbParticipant._meta.db_table, str(p.pk))] = pid
        demo = crf.Demographics.objects.filter(participant=p).order_by("-pk").first()
        consent = crf.Consent.objects.filter(participant=p).order_by("consent_date").first()
        screening = crf.ScreeningRecord.objects.filter(participant=p).order_by("-pk").first()
        if demo is None or consent is None:
            continue  # not yet consented with demographics: nothing an export can say about them
        dated: dict[str, dt.date] = {}
        for model in crf.FORMS.values():
            for rec in model.objects.filter(participant=p):
                owner[(model._meta.db_table, str(rec.pk))] = pid
                when = getattr(rec, model.date_field) if model.date_field else None
                if rec.visit_code and when and (rec.visit_code not in dated or when < dated[rec.visit_code]):
                    dated[rec.visit_code] = when
        slot = slots.get(p.pk)
        sequence = slot.sequence if slot else None
        week0 = p.week0_date if slot else None
        edss_rows = list(crf.EdssAssessment.objects.filter(participant=p).order_by("assessment_date", "pk"))
        base = [e for e in edss_rows if week0 and e.assessment_date <= week0 and e.edss is not None]
        weight = weight_at_randomisation(p) if week0 else None  # the EDC's one definition of the dose basis
        last = max(dated.values(), default=p.screening_date)
        status = p.status
        if status == "screen_failed":
            disp = Disposition(
                "SCREEN FAILURE", (screening.evaluated_on if screening else None) or p.screening_date, "SCREEN FAILURE"
            )
        elif status == "withdrawn":
            second = protocol.visit_at_week(protocol.design.periods[-1].infusion_week).code
            period = len(protocol.design.periods) if second in dated else 1
            disp = Disposition("WITHDRAWN", p.withdrawal_date or last, (p.withdrawal_reason or "OTHER").upper(), period)
        elif status == "completed":
            disp = Disposition("COMPLETED", last)
        else:
            disp = Disposition("ONGOING", None)
        people.append(
            Participant(
                pid,
                p.site.code,
                demo.sex,
                demo.birth_date,
                _age(demo.birth_date, consent.consent_date),
                demo.ms_course,
                demo.ms_onset_date,
                p.screening_date,
                consent.consent_date,
                disp,
                week0,
                sequence,
                weight,
                base[-1].edss if base else None,
                demo.race or None,  # '' = entered before race was asked: unknown, never guessed
                demo.ethnicity or None,
            )
        )
        out["visits"] += [VisitAttendance(pid, code, when) for code, when in dated.items()]
        if screening is not None:
            on = screening.evaluated_on or p.screening_date
            for c in screening.criteria or []:
                met = {"met": True, "not_met": False}.get(c.get("status"))
                out["elig"].append(EligibilityResult(pid, c["id"], met, on))
            record = screening.record if isinstance(screening.record, dict) else json.loads(screening.record)
            entries = screening_entries(record)
            for n, e in enumerate([e for e in entries if e.form == "medical_history" and e.entry], start=1):
                out["mh"].append(
                    MedicalHistory(
                        pid,
                        f"MH{n}",
                        e.verbatim,
                        _date(e.entry.get("start_date")),
                        bool(e.entry.get("active")),
                        meddra=meddra.get((e.form, screening.pk, e.item)),
                    )
                )
            out["mh"].append(
                MedicalHistory(pid, "MH0", PRIMARY_DIAGNOSIS, demo.ms_onset_date, True, "PRIMARY DIAGNOSIS",
                               meddra.get(("medical_history", screening.pk, PRIMARY_DIAGNOSIS_ITEM)))
            )
            for n, e in enumerate([e for e in entries if e.form == "prior_therapy"], start=1):
                out["cm"].append(
                    ConMed(
                        pid,
                        f"PT{n}",
                        str(e.entry.get("drug")),
                        _date(e.entry.get("start_date")),
                        _date(e.entry.get("end_date")),
                        "Multiple sclerosis",
                        e.entry.get("end_date") is None,
                        whodrug.get((e.form, screening.pk, e.item)),
                        PRIOR_THERAPY_CATEGORY,
                    )
                )
        for n, inf in enumerate(crf.Infusion.objects.filter(participant=p).order_by("infusion_date"), start=1):
            week = week_of.get(inf.visit_code)
            period = next((q.number for q in protocol.design.periods if q.infusion_week == week), n)
            product = protocol.treatment_in_period(sequence, period) if sequence else "UNKNOWN"
            start = dt.datetime.combine(inf.infusion_date, inf.start_time, tzinfo=dt.UTC)
            stop = dt.datetime.combine(inf.infusion_date, inf.stop_time, tzinfo=dt.UTC)
            out["inf"].append(
                Infusion(
                    pid,
                    inf.visit_code,
                    inf.infusion_date,
                    product,
                    inf.product_code,
                    inf.cells_infused,
                    inf.cells_per_kg,
                    inf.volume_ml,
                    start,
                    stop,
                )
            )
        for ae in crf.AdverseEvent.objects.filter(participant=p).order_by("ae_number"):
            coded = meddra.get(("adverse_event", ae.pk, ""))
            out["ae"].append(
                AdverseEvent(
                    pid,
                    str(ae.ae_number),
                    ae.term,
                    ae.onset_date,
                    ae.end_date,
                    ae.severity_grade,
                    ae.serious,
                    ae.related,
                    AE_OUTCOME.get(ae.outcome, "UNKNOWN"),
                    AE_ACTION.get(ae.action, "UNKNOWN"),
                    coded.soc_name if coded else None,
                    coded,
                    severity=ae.severity.upper() or None,
                    serious_criteria=tuple(str(c) for c in (ae.serious_criteria or [])),
                )
            )
        for scan in crf.MriScan.objects.filter(participant=p, read_at__isnull=False).order_by("scan_date"):
            if scan.gel_count is not None:
                out["mri"].append(
                    MriRead(
                        pid,
                        scan.visit_code,
                        scan.scan_date,
                        scan.gel_count,
                        scan.new_enlarging_t2_count,
                        scan.cua_count,
                        scan.gel_volume_mm3,
                        scan.black_hole_volume_mm3,
                        scan.scan_id,
                    )
                )
        for e in edss_rows:
            score = e.edss if e.edss is not None else e.recorded_edss
            if score is not None and e.visit_code:
                fs = {
                    k: getattr(e, k)
                    for k in ("visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral")
                }
                out["edss"].append(EdssAssessment(pid, e.visit_code, e.assessment_date, float(score), fs, e.ambulation))
        for n, r in enumerate(crf.Relapse.objects.filter(participant=p).order_by("onset_date", "pk"), start=1):
            out["rel"].append(Relapse(pid, r.onset_date, r.confirmed, None, f"R{n}"))
        for lab in crf.SafetyLab.objects.filter(participant=p).order_by("sample_date", "pk"):
            code, name, cat = LAB_CODES.get(lab.test, (lab.test.upper()[:8], lab.test, "CHEMISTRY"))
            out["lab"].append(
                LabResult(pid, lab.visit_code, lab.sample_date, code, name, lab.value, lab.unit, category=cat)
            )
        for v in crf.VitalSigns.objects.filter(participant=p).order_by("assessment_date", "pk"):
            for attr, code, name, unit in VITALS:
                if getattr(v, attr) is not None and v.visit_code:
                    out["vs"].append(
                        VitalSign(pid, v.visit_code, v.assessment_date, code, name, float(getattr(v, attr)), unit)
                    )
        for n, m in enumerate(crf.ConcomitantMedication.objects.filter(participant=p).order_by("start_date"), 1):
            out["cm"].append(
                ConMed(pid, f"CM{n}", m.drug, m.start_date, m.end_date, m.indication or None, m.end_date is None,
                       whodrug.get(("conmed", m.pk, "")))
            )
    known = {p.participant_id for p in people}
    audit = [
        AuditRecord(
            owner[(a.table, a.record_id)],
            a.table,
            a.record_id,
            a.field,
            a.old,
            a.new,
            a.username,
            a.role,
            a.at,
            a.reason or a.action,
        )
        for a in AuditEntry.objects.order_by("seq")
        if owner.get((a.table, a.record_id)) in known
    ]
    last_change = max((a.at for a in audit), default=dt.datetime.now(dt.UTC))
    return TrialSnapshot(
        study_id=protocol.identification.nct_id,
        as_of=last_change,
        participants=tuple(people),
        eligibility=tuple(out["elig"]),
        visits=tuple(out["visits"]),
        infusions=tuple(out["inf"]),
        adverse_events=tuple(out["ae"]),
        mri=tuple(out["mri"]),
        edss=tuple(out["edss"]),
        relapses=tuple(out["rel"]),
        labs=tuple(out["lab"]),
        vitals=tuple(out["vs"]),
        conmeds=tuple(out["cm"]),
        medical_history=tuple(out["mh"]),
        audit=tuple(audit),
        dictionaries=_dictionaries(meddra, whodrug),
    )
