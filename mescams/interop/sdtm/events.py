"""Events and interventions domains: AE, CE (MS relapses), MH, EX (the infusions actually given) and CM.

Choices (docs/sdtm.md): a coded AE or medical history term carries its MedDRA LLT, PT and the PT's primary path
(AELLT ... AESOCCD, MHLLT ... MHSOCCD; --BODSYS is the primary SOC), a coded medication or prior therapy its
WHODrug preferred name (CMDECOD) and ATC class (CMCLAS, CMCLASCD), a prior therapy CMCAT PRIOR MS THERAPY; an
uncoded AE or MH term carries the upper-cased reported term as --DECOD (AEBODSYS null: 'Expected', not
'Required'); EPOCH of an event is the period of the infusion that most recently precedes its onset, as the
analysis-data contract attributes AEs; EX gives the true product (this is unblinded data), the blinded product
code in EXREFID, and the dose in cells/kg (0 for placebo).
"""

from __future__ import annotations

from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.context import SubjectContext, number_seq
from mescams.interop.sdtm.mapping import extrt, iso, visit_name, visitnum
from mescams.interop.sdtm.spec import spec
from mescams.interop.snapshot import AdverseEvent, MeddraCoding

__all__ = ["build_ae", "build_ce", "build_cm", "build_ex", "build_mh", "meddra_variables"]

RELAPSE_TERM = "MULTIPLE SCLEROSIS RELAPSE"


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def meddra_variables(prefix: str, m: MeddraCoding) -> dict[str, Cell]:
    """The dictionary variables of a coded event (AE or MH): the LLT, the PT as --DECOD and the PT's primary path
    (--BODSYS and --SOC alike are the primary SOC)."""
    return {f"{prefix}LLT": m.llt_name, f"{prefix}LLTCD": m.llt_code, f"{prefix}DECOD": m.pt_name,
            f"{prefix}PTCD": m.pt_code, f"{prefix}HLT": m.hlt_name, f"{prefix}HLTCD": m.hlt_code,
            f"{prefix}HLGT": m.hlgt_name, f"{prefix}HLGTCD": m.hlgt_code, f"{prefix}BODSYS": m.soc_name,
            f"{prefix}BDSYCD": m.soc_code, f"{prefix}SOC": m.soc_name, f"{prefix}SOCCD": m.soc_code}


def _meddra_variables(ae: AdverseEvent) -> dict[str, Cell]:
    """The dictionary variables of one AE: from its MedDRA coding, or, while uncoded, the upper-cased verbatim as
    AEDECOD and the codes null."""
    if ae.meddra is None:
        return {"AEDECOD": ae.term.upper(), "AEBODSYS": ae.body_system}
    return meddra_variables("AE", ae.meddra)


SERIOUSNESS_FLAGS = {"AESCONG": "congenital_anomaly", "AESDISAB": "disability", "AESDTH": "death",
                     "AESHOSP": "hospitalisation", "AESLIFE": "life_threatening", "AESMIE": "important_medical_event"}
"""SDTM's seriousness flags and the ICH E2A criterion each one reports (Y when the event was serious by it)."""


def build_ae(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for ae in ctx.snapshot.adverse_events:
        pid = ae.participant_id
        rows.append(
            {
                **ctx.base("AE", pid),
                "AESPID": ae.ae_id,
                "AETERM": ae.term,
                **_meddra_variables(ae),
                "AESEV": ae.severity,
                "AESER": _yn(ae.serious),
                **{flag: _yn(criterion in ae.serious_criteria) for flag, criterion in SERIOUSNESS_FLAGS.items()},
                "AEACN": ae.action,
                "AEREL": _yn(ae.related),
                "AEOUT": ae.outcome,
                "AETOXGR": str(ae.grade),
                "EPOCH": ctx.epoch(pid, ae.onset_date),
                "AESTDTC": iso(ae.onset_date),
                "AEENDTC": iso(ae.end_date),
                "AESTDY": ctx.dy(pid, ae.onset_date),
                "AEENDY": ctx.dy(pid, ae.end_date),
            }
        )
    return Dataset.build(spec("AE"), number_seq("AE", rows, "AESTDTC", "AESPID"))


def build_ce(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for i, r in enumerate(ctx.snapshot.relapses, start=1):
        pid = r.participant_id
        rows.append(
            {
                **ctx.base("CE", pid),
                "CESPID": r.relapse_id or f"R{i}",
                "CETERM": RELAPSE_TERM,
                "CEDECOD": RELAPSE_TERM,
                "CECAT": "MS RELAPSE",
                "CESCAT": "CONFIRMED" if r.confirmed else "NOT CONFIRMED",
                "CEPRESP": "Y",
                "CEOCCUR": "Y",
                "CESTAT": None,
                "EPOCH": ctx.epoch(pid, r.onset_date),
                "CESTDTC": iso(r.onset_date),
                "CEENDTC": iso(r.end_date),
                "CESTDY": ctx.dy(pid, r.onset_date),
                "CEENDY": ctx.dy(pid, r.end_date),
            }
        )
    return Dataset.build(spec("CE"), number_seq("CE", rows, "CESTDTC"))


def build_mh(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for m in ctx.snapshot.medical_history:
        rows.append(
            {
                **ctx.base("MH", m.participant_id),
                "MHSPID": m.mh_id,
                "MHTERM": m.term,
                **(meddra_variables("MH", m.meddra) if m.meddra else {"MHDECOD": m.term.upper()}),
                "MHCAT": m.category,
                # the disease course of the primary diagnosis (TAUG-MS: medical history and disease course)
                "MHSCAT": ctx.snapshot.participant(m.participant_id).ms_course
                if m.category == "PRIMARY DIAGNOSIS"
                else None,
                "MHENRTPT": "ONGOING" if m.ongoing else "BEFORE",
                "MHENTPT": "SCREENING",
                "MHSTDTC": iso(m.start_date),
                "MHSTDY": ctx.dy(m.participant_id, m.start_date),
            }
        )
    return Dataset.build(spec("MH"), number_seq("MH", rows, "MHSTDTC", "MHSPID"))


def build_ex(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for inf in ctx.snapshot.infusions:
        pid = inf.participant_id
        product = ctx.protocol.product(inf.product)
        dose = inf.cells_per_kg if product.dose is not None else 0.0
        rows.append(
            {
                **ctx.base("EX", pid),
                "EXREFID": inf.product_code,
                "EXTRT": extrt(product),
                "EXDOSE": dose,
                "EXDOSU": "cells/kg",
                "EXDOSFRM": "SUSPENSION",
                "EXROUTE": product.route.upper(),
                "EXVAMT": inf.volume_ml,
                "EXVAMTU": "mL",
                "VISITNUM": visitnum(ctx.protocol, inf.visit_code),
                "VISIT": visit_name(ctx.protocol, inf.visit_code),
                "EPOCH": ctx.epoch(pid, inf.date),
                "EXSTDTC": iso(inf.start) if inf.start else iso(inf.date),
                "EXENDTC": iso(inf.end) if inf.end else iso(inf.date),
                "EXSTDY": ctx.dy(pid, inf.date),
                "EXENDY": ctx.dy(pid, inf.end.date() if inf.end else inf.date),
            }
        )
    return Dataset.build(spec("EX"), number_seq("EX", rows, "EXSTDTC"))


def build_cm(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for c in ctx.snapshot.conmeds:
        rows.append(
            {
                **ctx.base("CM", c.participant_id),
                "CMSPID": c.medication_id,
                "CMTRT": c.drug.replace("_", " "),
                "CMDECOD": c.whodrug.preferred_name if c.whodrug else c.drug.replace("_", " ").upper(),
                "CMCAT": c.category,
                "CMINDC": c.indication,
                "CMCLAS": c.whodrug.atc_text or None if c.whodrug else None,
                "CMCLASCD": c.whodrug.atc_code or None if c.whodrug else None,
                # the epoch the medication started in (SDTMIG 3.4 4.4.6: EPOCH of an interventions record is that
                # of its start); a medication started before the first infusion is SCREENING
                "EPOCH": ctx.epoch(c.participant_id, c.start_date),
                "CMSTDTC": iso(c.start_date),
                "CMENDTC": iso(c.end_date),
                "CMSTDY": ctx.dy(c.participant_id, c.start_date),
                "CMENDY": ctx.dy(c.participant_id, c.end_date),
                "CMENRTPT": "ONGOING" if c.ongoing else None,
                "CMENTPT": "END OF STUDY" if c.ongoing else None,
            }
        )
    return Dataset.build(spec("CM"), number_seq("CM", rows, "CMSTDTC", "CMSPID"))
