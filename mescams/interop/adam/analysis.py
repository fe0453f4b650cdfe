"""ADAE, ADREL, ADLES, ADEDSS and ADTTE from SDTM and the subjects of ADSL.

Treatment attribution follows the analysis-data contract: an event belongs to the treatment of the infusion that
most recently precedes its onset (onset on the infusion day counts for that infusion); earlier events are
pre-treatment (PREFL 'Y', TRTA null). Lesion scans belong to the period whose assessment weeks hold their visit;
period records (DTYPE 'SUM' or 'COUNT') give each period's totals and its number of scans. ADTTE applies the core
rule for sustained disability progression (:mod:`mescams.core.progression`) to ADEDSS, CNSR 0 = event.
"""

from __future__ import annotations

from collections import defaultdict

from mescams.core.progression import EdssAssessment, ProgressionRule, sustained_progression
from mescams.core.protocol import Protocol
from mescams.interop.adam.subject import Subject, sas_date
from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.findings import EDSS_TEST

__all__ = ["MRI_PARAMS", "build_adae", "build_adedss", "build_adles", "build_adrel", "build_adtte"]

MRI_PARAMS = {  # NVTESTCD -> (PARAM, period total PARAMCD, its PARAM)
    "GDLESNUM": ("Number of Gd-Enhancing Lesions", "GDLESTOT", "Period Total of Gd-Enhancing Lesions"),
    "NT2LSNUM": ("Number of New or Enlarging T2 Lesions", "NT2LSTOT", "Period Total of New/Enlarging T2 Lesions"),
    "CUALSNUM": ("Number of Combined Unique Active Lesions", "CUALSTOT", "Period Total of CUA Lesions"),
    "GDLESVOL": ("Volume of Gd-Enhancing Lesions (mm3)", "GDVOLTOT", "Period Total GEL Volume (mm3)"),
    "BHLESVOL": ("Volume of T1 Hypointense Lesions (mm3)", "BHVOLTOT", "Period Total Black Hole Volume (mm3)"),
}
SCAN_COUNT = ("NSCANS", "Number of Scans Done in the Period")
PERIOD_TTE = ("TTSDP1", "Time to Sustained Disability Progression, Period 1")
STUDY_TTE = ("TTSDPS", "Time to Sustained Disability Progression, Whole Study")


def _base(s: Subject, study: Cell) -> dict[str, Cell]:
    return {"STUDYID": study, "USUBJID": s.usubjid, "SUBJID": s.subjid, "TRTSEQP": s.sequence}


def _day(s: Subject, day: int | None) -> int | None:
    if day is None or not s.infusion:
        return None
    delta = day - min(s.infusion.values())
    return delta + 1 if delta >= 0 else delta


MEDDRA_VARIABLES = ("AELLT", "AELLTCD", "AEDECOD", "AEPTCD", "AEHLT", "AEHLTCD", "AEHLGT", "AEHLGTCD", "AEBODSYS",
                   "AEBDSYCD", "AESOC", "AESOCCD")


def build_adae(sdtm: dict[str, Dataset], subj: dict[str, Subject]) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for r in sdtm["AE"].rows:
        s = subj.get(str(r["USUBJID"]))
        if s is None:
            continue
        start = sas_date(r["AESTDTC"])
        period = s.period_on(start)
        rows.append(
            {
                **_base(s, r["STUDYID"]),
                "AESEQ": r["AESEQ"],
                "AESPID": r["AESPID"],
                "AETERM": r["AETERM"],
                **{name: r.get(name) for name in MEDDRA_VARIABLES},  # by SOC and PT, as the SDTM AE codes them
                "ASTDT": start,
                "AENDT": sas_date(r["AEENDTC"]),
                "ASTDY": _day(s, start),
                "AESER": r["AESER"],
                "AEREL": r["AEREL"],
                "ATOXGR": r["AETOXGR"],
                "ATOXGRN": None if r["AETOXGR"] is None else int(str(r["AETOXGR"])),
                "TRTA": s.actual.get(period) if period else None,
                "APERIOD": period,
                "TRTEMFL": "Y" if period else None,
                "PREFL": None if period else "Y",
            }
        )
    return rows


def build_adrel(sdtm: dict[str, Dataset], subj: dict[str, Subject]) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = []
    for r in sdtm["CE"].rows:
        s = subj.get(str(r["USUBJID"]))
        if s is None:
            continue
        start = sas_date(r["CESTDTC"])
        period = s.period_on(start)
        rows.append(
            {
                **_base(s, r["STUDYID"]),
                "CESEQ": r["CESEQ"],
                "CETERM": r["CETERM"],
                "ASTDT": start,
                "ASTDY": _day(s, start),
                "CONFFL": "Y" if r["CESCAT"] == "CONFIRMED" else "N",
                "TRTA": s.actual.get(period) if period else None,
                "APERIOD": period,
            }
        )
    return rows


def _weeks(protocol: Protocol) -> dict[int, int | None]:
    return {i: v.week for i, v in enumerate(protocol.visits, start=1)}


def build_adles(protocol: Protocol, sdtm: dict[str, Dataset], subj: dict[str, Subject]) -> list[dict[str, Cell]]:
    weeks = _weeks(protocol)
    rows: list[dict[str, Cell]] = []
    totals: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    baseline: dict[tuple[str, str], float] = {}
    study: Cell = None
    for r in sdtm["NV"].rows:
        s = subj.get(str(r["USUBJID"]))
        week = weeks.get(int(r["VISITNUM"])) if r["VISITNUM"] is not None else None  # type: ignore[arg-type]
        if s is None or week is None or r["NVTESTCD"] not in MRI_PARAMS:
            continue
        study = r["STUDYID"]
        period = protocol.period_of_week(week)
        code = str(r["NVTESTCD"])
        value = float(r["NVSTRESN"])  # type: ignore[arg-type]
        if week == 0:
            baseline[(s.usubjid, code)] = value
        if period is not None:
            totals[(s.usubjid, code, period)].append(value)
        day = sas_date(r["NVDTC"])
        rows.append(
            {
                **_base(s, study),
                "PARAMCD": code,
                "PARAM": MRI_PARAMS[code][0],
                "AVAL": value,
                "DTYPE": None,
                "AVISIT": r["VISIT"],
                "AVISITN": week,
                "ADT": day,
                "ADY": _day(s, day),
                "APERIOD": period,
                "TRTP": s.planned[period - 1] if period else None,
                "TRTA": s.actual.get(period) if period else None,
                "ABLFL": "Y" if week == 0 else None,
                "SRCDOM": "NV",
                "SRCSEQ": r["NVSEQ"],
            }
        )
    for row in rows:
        row["BASE"] = baseline.get((str(row["USUBJID"]), str(row["PARAMCD"])))
    for (usubjid, code, period), values in sorted(totals.items()):
        s = subj[usubjid]
        common = {
            **_base(s, study),
            "AVISIT": f"PERIOD {period}",
            "AVISITN": None,
            "ADT": None,
            "ADY": None,
            "APERIOD": period,
            "TRTP": s.planned[period - 1],
            "TRTA": s.actual.get(period),
            "ABLFL": None,
            "BASE": None,
            "SRCDOM": None,
            "SRCSEQ": None,
        }
        rows.append(
            {
                **common,
                "PARAMCD": MRI_PARAMS[code][1],
                "PARAM": MRI_PARAMS[code][2],
                "AVAL": sum(values),
                "DTYPE": "SUM",
            }
        )
        if code == "GDLESNUM":
            rows.append(
                {
                    **common,
                    "PARAMCD": SCAN_COUNT[0],
                    "PARAM": SCAN_COUNT[1],
                    "AVAL": float(len(values)),
                    "DTYPE": "COUNT",
                }
            )
    return rows


def build_adedss(
    protocol: Protocol, sdtm: dict[str, Dataset], subj: dict[str, Subject], adsl: list[dict[str, Cell]]
) -> list[dict[str, Cell]]:
    weeks = _weeks(protocol)
    base = {r["USUBJID"]: r["EDSSBL"] for r in adsl}
    first = {r["USUBJID"]: r["TRTSDT"] for r in adsl}
    rows: list[dict[str, Cell]] = []
    for r in sdtm["QS"].rows:
        s = subj.get(str(r["USUBJID"]))
        if s is None or r["QSTESTCD"] != EDSS_TEST[0]:
            continue
        day = sas_date(r["QSDTC"])
        week = weeks.get(int(r["VISITNUM"])) if r["VISITNUM"] is not None else None  # type: ignore[arg-type]
        period = protocol.period_of_week(week) if week is not None else None
        value = float(r["QSSTRESN"])  # type: ignore[arg-type]
        b = base.get(s.usubjid)
        is_base = week == 0 and day is not None and first.get(s.usubjid) is not None and day <= first[s.usubjid]  # type: ignore[operator]
        rows.append(
            {
                **_base(s, r["STUDYID"]),
                "PARAMCD": "EDSS",
                "PARAM": "Expanded Disability Status Scale",
                "AVAL": value,
                "AVISIT": r["VISIT"],
                "AVISITN": week,
                "ADT": day,
                "ADY": _day(s, day),
                "APERIOD": period,
                "TRTA": s.actual.get(period) if period else None,
                "ABLFL": "Y" if is_base else None,
                "BASE": b,
                "CHG": None if b is None or week in (None, 0) else value - float(b),
            }
        )  # type: ignore[arg-type]
    return rows


def build_adtte(
    protocol: Protocol, subj: dict[str, Subject], adsl: list[dict[str, Cell]], adedss: list[dict[str, Cell]]
) -> list[dict[str, Cell]]:
    rule = ProgressionRule.from_protocol(protocol.disability_progression)
    end_week_1 = protocol.design.periods[0].end_week
    rows: list[dict[str, Cell]] = []
    for a in adsl:
        s = subj[str(a["USUBJID"])]
        start = a["TRTSDT"]
        if start is None or a["EDSSBL"] is None:
            continue
        mine = [r for r in adedss if r["USUBJID"] == s.usubjid and r["AVISITN"] not in (None, 0)]
        for (code, label), limit, group, period in (
            (PERIOD_TTE, end_week_1, s.planned[0], 1),
            (STUDY_TTE, None, s.sequence, None),
        ):
            # ADEDSS rows past baseline always carry numbers in ADY, AVAL and AVISITN (build_adedss)
            follow = [
                EdssAssessment(int(r["ADY"]), float(r["AVAL"]))  # type: ignore[arg-type]
                for r in mine
                if limit is None or int(r["AVISITN"]) <= limit  # type: ignore[arg-type]
            ]
            outcome = sustained_progression(follow, rule=rule, baseline=float(a["EDSSBL"]))  # type: ignore[arg-type]
            if outcome.time_day is None:
                continue
            rows.append(
                {
                    **_base(s, a["STUDYID"]),
                    "PARAMCD": code,
                    "PARAM": label,
                    "AVAL": float(outcome.time_day),
                    "STARTDT": start,
                    "ADT": int(start) + outcome.time_day - 1,  # type: ignore[arg-type]
                    "CNSR": 0 if outcome.event else 1,
                    "EVNTDESC": outcome.reason[:200],
                    "TRTP": group,
                    "APERIOD": period,
                }
            )
    return rows
