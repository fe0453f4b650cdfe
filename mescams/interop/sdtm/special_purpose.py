"""Special-purpose and disposition domains: DM (one row per screened person), SE, SV and DS.

Choices (docs/sdtm.md): screen failures are in DM with ARMCD/ARM/ACTARMCD/ACTARM null and ARMNRS 'SCREEN
FAILURE' (SDTMIG 3.4); RFSTDTC and RFXSTDTC are the first infusion (study day 1), RFENDTC and RFPENDTC the
disposition date; the actual arm is the sequence whose treatments match the products actually infused, 'UNPLAN'
if none does. DS holds the consent and randomisation milestones and one disposition event per person.
"""

from __future__ import annotations

from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.context import SubjectContext, number_seq
from mescams.interop.sdtm.mapping import SCREENING_ETCD, armcd, etcd, iso, visit_name, visitnum
from mescams.interop.sdtm.spec import spec
from mescams.interop.sdtm.trial_design import COUNTRIES, _ascii
from mescams.interop.terminology import CODELISTS

__all__ = ["build_dm", "build_ds", "build_se", "build_sv"]


def _actual_arm(ctx: SubjectContext, participant_id: str) -> tuple[str | None, str | None, str | None]:
    """(ACTARMCD, ACTARM, ARMNRS) from the products infused, in date order."""
    products = [
        i.product for i in sorted(ctx.snapshot.infusions, key=lambda i: i.date) if i.participant_id == participant_id
    ]
    if not products:
        return None, None, "NOT TREATED"
    for seq in ctx.protocol.design.sequences:
        if seq.treatments[: len(products)] == products:
            return armcd(seq), _ascii(seq.label), None
    return "UNPLAN", "Unplanned treatment path", None


def build_dm(ctx: SubjectContext) -> Dataset:
    sites = {s.code: s for s in ctx.protocol.identification.sites}
    rows: list[dict[str, Cell]] = []
    for p in ctx.snapshot.participants:
        infusions = ctx.infusion_dates.get(p.participant_id, [])
        end = p.disposition.date if p.disposition.status != "ONGOING" else None
        row: dict[str, Cell] = {
            **ctx.base("DM", p.participant_id),
            "SUBJID": p.participant_id,
            "RFSTDTC": iso(infusions[0]) if infusions else None,
            "RFENDTC": iso(end) if infusions else None,
            "RFXSTDTC": iso(infusions[0]) if infusions else None,
            "RFXENDTC": iso(infusions[-1]) if infusions else None,
            "RFICDTC": iso(p.consent_date),
            "RFPENDTC": iso(end),
            "DTHFL": None,
            "SITEID": p.site,
            "BRTHDTC": iso(p.birth_date),
            "AGE": p.age_at_consent,
            "AGEU": "YEARS",
            "SEX": p.sex,
            "RACE": p.race,
            "ETHNIC": p.ethnicity,
            "COUNTRY": COUNTRIES.get(sites[p.site].country, sites[p.site].country),
            "DMDTC": iso(p.screening_date),
            "DMDY": ctx.dy(p.participant_id, p.screening_date),
        }
        if p.randomised and p.sequence is not None:
            seq = ctx.protocol.sequence(p.sequence)
            act_cd, act, nrs = _actual_arm(ctx, p.participant_id)
            row.update(ARMCD=armcd(seq), ARM=_ascii(seq.label), ACTARMCD=act_cd, ACTARM=act, ARMNRS=nrs)
        else:  # SDTMIG 3.4 ARMNRS: a screen failure, or a person not (yet) randomised at the cut-off
            row.update(ARMNRS="SCREEN FAILURE" if p.disposition.status == "SCREEN FAILURE" else "NOT ASSIGNED")
        rows.append(row)
    rows.sort(key=lambda r: str(r["USUBJID"]))
    return Dataset.build(spec("DM"), rows)


def build_se(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for p in ctx.snapshot.participants:
        pid = p.participant_id
        infusions = ctx.infusion_dates.get(pid, [])
        end = p.disposition.date
        first = infusions[0] if infusions else end
        rows.append(
            {
                **ctx.base("SE", pid),
                "ETCD": SCREENING_ETCD,
                "ELEMENT": "Screening",
                "TAETORD": 1,
                "EPOCH": "SCREENING",
                "SESTDTC": iso(p.consent_date),
                "SEENDTC": iso(first),
                "SESTDY": ctx.dy(pid, p.consent_date),
                "SEENDY": ctx.dy(pid, first),
            }
        )
        if not (p.randomised and p.sequence):
            continue
        products = [i.product for i in sorted(ctx.snapshot.infusions, key=lambda i: i.date) if i.participant_id == pid]
        for n, (start, product) in enumerate(zip(infusions, products, strict=True), start=1):
            stop = infusions[n] if n < len(infusions) else end
            rows.append(
                {
                    **ctx.base("SE", pid),
                    "ETCD": etcd(product),
                    "ELEMENT": _ascii(ctx.protocol.design.treatments[product]),
                    "TAETORD": n + 1,
                    "EPOCH": f"TREATMENT {n}",
                    "SESTDTC": iso(start),
                    "SEENDTC": iso(stop),
                    "SESTDY": ctx.dy(pid, start),
                    "SEENDY": ctx.dy(pid, stop),
                }
            )
    return Dataset.build(spec("SE"), number_seq("SE", rows, "SESTDTC", "TAETORD"))


def build_sv(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for v in ctx.snapshot.visits:
        visit = ctx.protocol.visit(v.visit_code)
        rows.append(
            {
                "STUDYID": ctx.study_id,
                "DOMAIN": "SV",
                "USUBJID": ctx.usubjid(v.participant_id),
                "VISITNUM": visitnum(ctx.protocol, v.visit_code),
                "VISIT": visit_name(ctx.protocol, v.visit_code),
                "EPOCH": ctx.visit_fields("SV", v.participant_id, visit.code, v.date)["EPOCH"],
                "SVSTDTC": iso(v.date),
                "SVENDTC": iso(v.date),
                "SVSTDY": ctx.dy(v.participant_id, v.date),
                "SVENDY": ctx.dy(v.participant_id, v.date),
            }
        )
    rows.sort(key=lambda r: (str(r["USUBJID"]), int(r["VISITNUM"])))  # type: ignore[arg-type]
    return Dataset.build(spec("SV"), rows)


def build_ds(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for p in ctx.snapshot.participants:
        pid = p.participant_id
        rows.append(
            {
                **ctx.base("DS", pid),
                "DSTERM": "INFORMED CONSENT OBTAINED",
                "DSDECOD": "INFORMED CONSENT OBTAINED",
                "DSCAT": "PROTOCOL MILESTONE",
                "EPOCH": "SCREENING",
                "DSSTDTC": iso(p.consent_date),
                "DSSTDY": ctx.dy(pid, p.consent_date),
            }
        )
        if p.randomised:
            rows.append(
                {
                    **ctx.base("DS", pid),
                    "DSTERM": "RANDOMIZED",
                    "DSDECOD": "RANDOMIZED",
                    "DSCAT": "PROTOCOL MILESTONE",
                    "EPOCH": "SCREENING",
                    "DSSTDTC": iso(p.randomization_date),
                    "DSSTDY": ctx.dy(pid, p.randomization_date),
                }
            )
        d = p.disposition
        if d.status == "ONGOING":
            continue
        reason = (d.reason or "OTHER").upper()
        # DSDECOD is the standard term; a free-text reason the codelist lacks becomes OTHER (DSTERM keeps it)
        decod = {"COMPLETED": "COMPLETED", "SCREEN FAILURE": "SCREEN FAILURE"}.get(d.status) or (
            reason if CODELISTS["NCOMPLT"].allows(reason) else "OTHER"
        )
        epoch = (
            "SCREENING"
            if d.status == "SCREEN FAILURE"
            else (f"TREATMENT {d.period}" if d.period else ctx.epoch(pid, d.date))
        )
        rows.append(
            {
                **ctx.base("DS", pid),
                "DSTERM": (d.reason or d.status).upper(),
                "DSDECOD": decod,
                "DSCAT": "DISPOSITION EVENT",
                "EPOCH": epoch,
                "DSSTDTC": iso(d.date),
                "DSSTDY": ctx.dy(pid, d.date),
            }
        )
    return Dataset.build(spec("DS"), number_seq("DS", rows, "DSSTDTC", "DSCAT"))
