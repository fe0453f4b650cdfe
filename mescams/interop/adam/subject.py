"""ADSL from SDTM: one record per randomised subject, with the crossover's sequence, period treatments and dates.

Definitions (docs/sdtm.md): TRTSEQP is the sequence code (e.g. MSC-PLACEBO) of the planned arm; TRTxxP the
sequence's treatment in period xx; TRxxSDT the date of the period's infusion (EX at the period's infusion visit);
period xx runs from its infusion (APxxSDT) to the day before the next infusion, or to the end of participation
(APxxEDT). EDSSBL and WEIGHTBL are the last values on or before the first infusion. RANDFL/ITTFL: randomised;
SAFFL: infused at least once; EFFFL: at least one post-baseline MRI; COMPLFL: 'Y' for disposition 'COMPLETED',
'N' for any other disposition (withdrawn), null while ongoing. TRTSEQA: the sequence of DM's actual arm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mescams.core.protocol import Protocol
from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.findings import EDSS_TEST
from mescams.interop.sdtm.mapping import armcd, extrt, visitnum

__all__ = ["Subject", "build_adsl", "sas_date", "subjects"]

SAS_EPOCH = dt.date(1960, 1, 1)


def sas_date(value: Cell) -> int | None:
    """Days since 1960-01-01 of an ISO 8601 date (or datetime) text; None for missing or partial dates."""
    if value is None or len(str(value)) < 10:
        return None
    return (dt.date.fromisoformat(str(value)[:10]) - SAS_EPOCH).days


def from_sas(days: float | int | None) -> dt.date | None:
    return None if days is None else SAS_EPOCH + dt.timedelta(days=int(days))


@dataclass(frozen=True)
class Subject:
    """What every ADaM dataset needs to know about one randomised subject."""

    usubjid: str
    subjid: str
    sequence: str
    planned: list[str]
    actual: dict[int, str]
    infusion: dict[int, int]
    end: int | None

    def period_on(self, day: int | None) -> int | None:
        """The period of the latest infusion on or before the SAS date ``day`` (None before the first)."""
        if day is None:
            return None
        started = [p for p, d in self.infusion.items() if d <= day]
        return max(started) if started else None


def _rows(sdtm: dict[str, Dataset], name: str) -> tuple[dict[str, Cell], ...]:
    return sdtm[name].rows if name in sdtm else ()


def subjects(protocol: Protocol, sdtm: dict[str, Dataset]) -> dict[str, Subject]:
    by_arm = {armcd(s): s for s in protocol.design.sequences}
    treatment_of = {extrt(p): p.code for p in protocol.products}
    infusion_visit = {
        visitnum(protocol, protocol.visit_at_week(p.infusion_week).code): p.number for p in protocol.design.periods
    }
    out: dict[str, Subject] = {}
    for dm in _rows(sdtm, "DM"):
        if dm["ARMCD"] not in by_arm:
            continue
        seq = by_arm[str(dm["ARMCD"])]
        usubjid = str(dm["USUBJID"])
        actual: dict[int, str] = {}
        infusion: dict[int, int] = {}
        for ex in _rows(sdtm, "EX"):
            period = infusion_visit.get(int(ex["VISITNUM"])) if ex["USUBJID"] == usubjid else None  # type: ignore[arg-type]
            if period is not None:
                actual[period] = treatment_of[str(ex["EXTRT"])]
                infusion[period] = sas_date(ex["EXSTDTC"])  # type: ignore[assignment]
        out[usubjid] = Subject(
            usubjid, str(dm["SUBJID"]), seq.code, list(seq.treatments), actual, infusion, sas_date(dm["RFPENDTC"])
        )
    return out


def _actual_sequence(protocol: Protocol, actarmcd: Cell, s: Subject) -> str | None:
    """TRTSEQA: the sequence code of DM's actual arm, so ADSL and DM agree (a subject infused once keeps the arm
    whose path was followed, SDTMIG 3.4 5.2); an unplanned path is the products infused joined by '-'."""
    for seq in protocol.design.sequences:
        if armcd(seq) == actarmcd:
            return seq.code
    return "-".join(s.actual[p] for p in sorted(s.actual)) or None


def _last_before(rows: list[tuple[int, float]], day: int | None) -> float | None:
    before = [v for d, v in sorted(rows) if day is not None and d <= day]
    return before[-1] if before else None


def build_adsl(protocol: Protocol, sdtm: dict[str, Dataset], subj: dict[str, Subject]) -> list[dict[str, Cell]]:
    from mescams.interop.adam.spec import ADAM_SPECS  # noqa: F401  (documents the target)

    post_baseline = {v.code for v in protocol.scheduled_visits if v.week}
    post_visitnums = {visitnum(protocol, c) for c in post_baseline}
    effective = {r["USUBJID"] for r in _rows(sdtm, "NV") if r["VISITNUM"] in post_visitnums}
    course = {r["USUBJID"]: r["MHSCAT"] for r in _rows(sdtm, "MH") if r["MHCAT"] == "PRIMARY DIAGNOSIS"}
    rand = {r["USUBJID"]: sas_date(r["DSSTDTC"]) for r in _rows(sdtm, "DS") if r["DSDECOD"] == "RANDOMIZED"}
    dispo = {r["USUBJID"]: r for r in _rows(sdtm, "DS") if r["DSCAT"] == "DISPOSITION EVENT"}
    edss: dict[str, list[tuple[int, float]]] = {}
    for r in _rows(sdtm, "QS"):
        if r["QSTESTCD"] == EDSS_TEST[0] and sas_date(r["QSDTC"]) is not None:
            edss.setdefault(str(r["USUBJID"]), []).append((sas_date(r["QSDTC"]), float(r["QSSTRESN"])))  # type: ignore[arg-type]
    weight: dict[str, list[tuple[int, float]]] = {}
    for r in _rows(sdtm, "VS"):
        if r["VSTESTCD"] == "WEIGHT":
            weight.setdefault(str(r["USUBJID"]), []).append((sas_date(r["VSDTC"]), float(r["VSSTRESN"])))  # type: ignore[arg-type]
    rows: list[dict[str, Cell]] = []
    for dm in _rows(sdtm, "DM"):
        s = subj.get(str(dm["USUBJID"]))
        if s is None:
            continue
        first = min(s.infusion.values()) if s.infusion else None
        d = dispo.get(s.usubjid)
        status = "ONGOING" if d is None else "COMPLETED" if d["DSDECOD"] == "COMPLETED" else "DISCONTINUED"
        row: dict[str, Cell] = {
            "STUDYID": dm["STUDYID"],
            "USUBJID": s.usubjid,
            "SUBJID": s.subjid,
            "SITEID": dm["SITEID"],
            "AGE": dm["AGE"],
            "AGEU": dm["AGEU"],
            "SEX": dm["SEX"],
            "RACE": dm["RACE"],
            "MSCOURSE": course.get(s.usubjid),
            "EDSSBL": _last_before(edss.get(s.usubjid, []), first),
            "WEIGHTBL": _last_before(weight.get(s.usubjid, []), first),
            "ARM": dm["ARM"],
            "ARMCD": dm["ARMCD"],
            "ACTARM": dm["ACTARM"] or "Not treated",
            "TRTSEQP": s.sequence,
            "TRTSEQA": _actual_sequence(protocol, dm["ACTARMCD"], s),
            "RANDDT": rand.get(s.usubjid),
            "TRTSDT": first,
            "TRTEDT": max(s.infusion.values()) if s.infusion else None,
            "RANDFL": "Y",
            "ITTFL": "Y",
            "SAFFL": "Y" if s.infusion else None,
            "EFFFL": "Y" if s.usubjid in effective else None,
            "COMPLFL": {"COMPLETED": "Y", "DISCONTINUED": "N"}.get(status),
            "EOSSTT": status,
            "DCSREAS": None if d is None or status == "COMPLETED" else d["DSDECOD"],
        }
        for period in protocol.design.periods:
            n = period.number
            start = s.infusion.get(n)
            following = s.infusion.get(n + 1)
            row[f"TRT{n:02d}P"] = s.planned[n - 1]
            row[f"TRT{n:02d}A"] = s.actual.get(n)
            row[f"TR{n:02d}SDT"] = start
            row[f"AP{n:02d}SDT"] = start
            row[f"AP{n:02d}EDT"] = None if start is None else (following - 1 if following else s.end)
        rows.append(row)
    return rows
