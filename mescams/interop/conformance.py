"""Our own checks of the SDTMIG rules that matter most, reported like a validator's issue list.

Why our own: CDISC CORE runs only beside the project (Python 3.12, a rules cache fetched from its repository;
docs/sdtm.md), so every rule a CORE run or a reviewer found on our exports is also checked here, in every test
run. They cover: required variables present and filled, --SEQ unique within a subject, ISO 8601 dates,
controlled terminology, visits matching TV, every subject in DM, arms matching TA, study days matching the dates
(no day 0) and present wherever their date is (MX0001), EPOCH filled (CORE-000701), AEBODSYS coded (CG0039),
seriousness criteria of serious AEs (CG0042), RACE and ETHNIC collected (MX0002), the TS parameters a submission
needs with their versions (MX0101-MX0103), a method for every derived variable (MX0201) and no date after the
data cut-off (MX0301). ADaM rules are in :mod:`mescams.interop.conformance_adam`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Literal

from mescams.interop.dataset import Dataset
from mescams.interop.methods import method_for
from mescams.interop.terminology import CODELISTS

__all__ = ["Issue", "check_methods", "check_sdtm", "format_issues"]

Severity = Literal["error", "warning"]
ISO8601 = re.compile(
    r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d+)?)?)?)?)?)?$"
)
TRIAL_DESIGN = {"TA", "TE", "TV", "TI", "TS"}
#: TS parameters a submission needs (FDA Technical Conformance Guide, SDTMIG 3.4 TS assumptions, issue 17)
REQUIRED_TS = (
    "TITLE", "TPHASE", "STYPE", "INTMODEL", "RANDOM", "TBLIND", "TCNTRL", "INDIC", "TDIGRP", "TTYPE", "TRT",
    "PCLAS", "CURTRT", "COMPTRT", "AGEMIN", "AGEMAX", "SEXPOP", "PLANSUB", "ACTSUB", "NARMS", "SSTDTC", "SENDTC",
    "FCNTRY", "ADDON", "ADAPT", "HLTSUBJI", "REGID", "SPONSOR", "LENGTH", "OBJPRIM", "STOPRULE", "THERAREA",
    "DCUTDTC", "DCUTDESC", "SDTIGVER", "SDTMVER",
)  # fmt: skip
SERIOUSNESS = ("AESCAN", "AESCONG", "AESDISAB", "AESDTH", "AESHOSP", "AESLIFE", "AESMIE")
EPOCH_CLASSES = {"EVENTS", "INTERVENTIONS", "FINDINGS"}
#: value-level codelists: (dataset, variable) -> (the variable that decides, {its value: codelist id})
VALUE_LEVEL = {("DS", "DSDECOD"): ("DSCAT", {"PROTOCOL MILESTONE": "PROTMLST"})}


@dataclass(frozen=True)
class Issue:
    """One finding: rule, severity, where (dataset, variable, row 1-based or None), what, and how many rows."""

    rule: str
    severity: Severity
    dataset: str
    variable: str | None
    row: int | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _is_date(text: str) -> bool:
    if not ISO8601.match(text):
        return False
    if len(text) >= 10:
        try:
            dt.date.fromisoformat(text[:10])
        except ValueError:
            return False
    return True


def _check_variables(ds: Dataset) -> Iterable[Issue]:
    for v in ds.variables:
        if v.core == "Req":
            missing = [i for i, x in enumerate(ds.column(v.name), start=1) if x is None]
            if missing:
                yield Issue(
                    "SD0002",
                    "error",
                    ds.name,
                    v.name,
                    missing[0],
                    f"required variable is null in {len(missing)} row(s)",
                )
        if v.iso8601:
            for i, x in enumerate(ds.column(v.name), start=1):
                if x is not None and not _is_date(str(x)):
                    yield Issue("SD0003", "error", ds.name, v.name, i, f"{x!r} is not an ISO 8601 date/time")
        if v.codelist:
            bad: Counter[tuple[str, str]] = Counter()
            first: dict[tuple[str, str], int] = {}
            for i, r in enumerate(ds.rows, start=1):
                x = r[v.name]
                cl = CODELISTS[_codelist_for(ds.name, v.name, v.codelist, r)]
                if x is not None and not cl.allows(x):
                    bad[(cl.id, str(x))] += 1
                    first.setdefault((cl.id, str(x)), i)
            for (cl_id, value), n in bad.items():
                cl = CODELISTS[cl_id]
                severity: Severity = "warning" if cl.extensible else "error"
                yield Issue(
                    "CT2001" if severity == "error" else "CT2002",
                    severity,
                    ds.name,
                    v.name,
                    first[(cl_id, value)],
                    f"{value!r} is not in codelist {cl.id} ({cl.name}){' (extensible)' * cl.extensible}; {n} row(s)",
                )
        if len(v.name) > 8 or len(v.label) > 40:
            yield Issue("SD0063", "error", ds.name, v.name, None, "name over 8 or label over 40 characters")
    if any(r.get("DOMAIN") not in (ds.name, None) for r in ds.rows) and "DOMAIN" in ds.names:
        yield Issue("SD0004", "error", ds.name, "DOMAIN", None, f"DOMAIN must equal the dataset name {ds.name}")


def _codelist_for(dataset: str, variable: str, default: str, row: Mapping[str, object]) -> str:
    rule = VALUE_LEVEL.get((dataset, variable))
    if rule is None:
        return default
    decider, choices = rule
    return choices.get(str(row.get(decider)), default)


def _check_seq(ds: Dataset) -> Iterable[Issue]:
    seq = f"{ds.name}SEQ"
    if seq not in ds.names or "USUBJID" not in ds.names:
        return
    seen: dict[tuple[object, object], int] = {}
    for i, r in enumerate(ds.rows, start=1):
        key = (r["USUBJID"], r[seq])
        if key in seen:
            yield Issue(
                "SD0005",
                "error",
                ds.name,
                seq,
                i,
                f"{seq}={r[seq]} repeats for {r['USUBJID']} (first at row {seen[key]})",
            )
        seen.setdefault(key, i)


def _check_visits(ds: Dataset, tv: dict[float, str]) -> Iterable[Issue]:
    if "VISITNUM" not in ds.names or ds.name in TRIAL_DESIGN:
        return
    for i, r in enumerate(ds.rows, start=1):
        num = r["VISITNUM"]
        if num is None:
            continue
        if float(num) not in tv:  # type: ignore[arg-type]
            yield Issue("SD1006", "error", ds.name, "VISITNUM", i, f"VISITNUM {num} is not a visit of TV")
        elif "VISIT" in ds.names and r["VISIT"] is not None and r["VISIT"] != tv[float(num)]:  # type: ignore[arg-type]
            yield Issue(
                "SD1007",
                "error",
                ds.name,
                "VISIT",
                i,
                f"VISIT {r['VISIT']!r} differs from TV's {tv[float(num)]!r} for VISITNUM {num}",
            )  # type: ignore[arg-type]


def _check_study_days(ds: Dataset, rfstdtc: dict[object, str | None]) -> Iterable[Issue]:
    for v in ds.variables:
        if not (v.name.endswith("DY") and len(v.name) >= 4) or ds.name in TRIAL_DESIGN:
            continue
        dtc = v.name[:-2] + "DTC"
        if dtc not in ds.names:
            continue
        for i, r in enumerate(ds.rows, start=1):
            day, when, ref = r[v.name], r[dtc], rfstdtc.get(r.get("USUBJID"))
            if day is None or when is None or ref is None or len(str(when)) < 10 or not _is_date(str(when)):
                continue
            delta = (dt.date.fromisoformat(str(when)[:10]) - dt.date.fromisoformat(ref[:10])).days
            expected = delta + 1 if delta >= 0 else delta
            if int(day) != expected:  # type: ignore[arg-type]
                yield Issue(
                    "SD0040",
                    "error",
                    ds.name,
                    v.name,
                    i,
                    f"{v.name}={day} but {dtc}={when} and RFSTDTC={ref} give {expected}",
                )


def _dy_of(domain: str, dtc: str) -> str | None:
    """The study-day variable of a --DTC variable of ``domain`` (AESTDTC -> AESTDY, DMDTC -> DMDY), else None."""
    if not dtc.startswith(domain) or not dtc.endswith("DTC"):
        return None
    return dtc[:-3] + "DY"


def _check_study_days_present(ds: Dataset, rfstdtc: dict[object, str | None]) -> Iterable[Issue]:
    """MX0001: a full --DTC date of a subject with RFSTDTC needs its --DY (the variable, and a value)."""
    if ds.name in TRIAL_DESIGN or "USUBJID" not in ds.names:
        return
    for v in ds.variables:
        dy = _dy_of(ds.name, v.name)
        if dy is None or not v.iso8601:
            continue
        rows = [
            i
            for i, r in enumerate(ds.rows, start=1)
            if r[v.name] is not None and len(str(r[v.name])) >= 10 and rfstdtc.get(r["USUBJID"]) is not None
        ]
        if not rows:
            continue
        if dy not in ds.names:
            yield Issue("MX0001", "error", ds.name, dy, None, f"{dy} is missing but {v.name} holds {len(rows)} date(s)")
            continue
        empty = [i for i in rows if ds.rows[i - 1][dy] is None]
        if empty:
            yield Issue(
                "MX0001", "error", ds.name, dy, empty[0], f"{dy} is null where {v.name} is a date: {len(empty)} row(s)"
            )


def _record_date(ds: Dataset) -> str | None:
    for name in (f"{ds.name}STDTC", f"{ds.name}DTC"):
        if name in ds.names:
            return name
    return None


def _check_epoch(ds: Dataset) -> Iterable[Issue]:
    """CORE-000701: EPOCH present and filled in subject events, interventions and findings with a date."""
    date = _record_date(ds)
    if ds.klass not in EPOCH_CLASSES or ds.name == "MH" or date is None:
        return
    dated = [i for i, r in enumerate(ds.rows, start=1) if r[date] is not None]
    if not dated:
        return
    if "EPOCH" not in ds.names:
        yield Issue("CORE-000701", "error", ds.name, "EPOCH", None, f"EPOCH is missing; {len(dated)} dated row(s)")
        return
    empty = [i for i in dated if ds.rows[i - 1]["EPOCH"] is None]
    if empty:
        yield Issue("CORE-000701", "error", ds.name, "EPOCH", empty[0], f"EPOCH is null in {len(empty)} dated row(s)")


def _check_ae(ae: Dataset) -> Iterable[Issue]:
    """CG0039 (AEBODSYS filled when AEDECOD is) and CG0042 (a serious AE names its seriousness criteria)."""
    uncoded = [i for i, r in enumerate(ae.rows, start=1) if r.get("AEDECOD") is not None and r.get("AEBODSYS") is None]
    if uncoded:
        yield Issue("CG0039", "error", "AE", "AEBODSYS", uncoded[0], f"AEBODSYS is null in {len(uncoded)} row(s)")
    criteria = [c for c in SERIOUSNESS if c in ae.names]
    serious = [i for i, r in enumerate(ae.rows, start=1) if r.get("AESER") == "Y"]
    bare = [i for i in serious if not any(ae.rows[i - 1][c] == "Y" for c in criteria)]
    if bare:
        yield Issue(
            "CG0042",
            "error",
            "AE",
            "AESER",
            bare[0],
            f"{len(bare)} serious AE(s) without a seriousness criterion ({', '.join(SERIOUSNESS)}) = Y",
        )


def _check_demographics(dm: Dataset) -> Iterable[Issue]:
    """MX0002: RACE and ETHNIC collected for everyone (NOT REPORTED is an answer; null is not)."""
    for var in ("RACE", "ETHNIC"):
        if var not in dm.names:
            yield Issue("MX0002", "error", "DM", var, None, f"{var} is missing")
            continue
        empty = [i for i, r in enumerate(dm.rows, start=1) if r[var] is None]
        if empty:
            yield Issue("MX0002", "error", "DM", var, empty[0], f"{var} is null for {len(empty)} subject(s)")


def _check_ts(ts: Dataset) -> Iterable[Issue]:
    """MX0101 (required TS parameters), MX0102 (a null TSVAL has a null flavour), MX0103 (coded TS values name the
    version of their terminology in TSVCDVER)."""
    present = {r["TSPARMCD"] for r in ts.rows}
    for parm in REQUIRED_TS:
        if parm not in present:
            yield Issue("MX0101", "error", "TS", "TSPARMCD", None, f"TS parameter {parm} is missing")
    for i, r in enumerate(ts.rows, start=1):
        if r["TSVAL"] is None and r["TSVALNF"] is None:
            yield Issue("MX0102", "error", "TS", "TSVALNF", i, f"{r['TSPARMCD']}: TSVAL null without TSVALNF")
        if r["TSVALCD"] is not None and r["TSVCDREF"] not in (None, "ISO 8601") and r["TSVCDVER"] is None:
            yield Issue(
                "MX0103", "error", "TS", "TSVCDVER", i, f"{r['TSPARMCD']}: {r['TSVCDREF']} code without a version"
            )


def check_methods(ds: Dataset) -> Iterable[Issue]:
    """MX0201: every derived variable has a method (the text of its Define-XML MethodDef)."""
    for v in ds.variables:
        if v.origin == "Derived" and method_for(ds.name, v.name) is None:
            yield Issue("MX0201", "error", ds.name, v.name, None, "derived variable without a method")


def _check_cutoff(by_name: dict[str, Dataset]) -> Iterable[Issue]:
    """MX0301: no collected date after the data cut-off written to TS (DCUTDTC)."""
    ts = by_name.get("TS")
    cut = next((str(r["TSVAL"]) for r in ts.rows if r["TSPARMCD"] == "DCUTDTC"), None) if ts else None
    if cut is None:
        return
    for ds in by_name.values():
        for v in ds.variables:
            if not v.iso8601 or ds.name in TRIAL_DESIGN:
                continue
            late = [i for i, x in enumerate(ds.column(v.name), start=1) if x is not None and str(x)[:10] > cut]
            if late:
                yield Issue("MX0301", "error", ds.name, v.name, late[0], f"{len(late)} date(s) after DCUTDTC {cut}")


def check_sdtm(datasets: Iterable[Dataset]) -> list[Issue]:
    """Every issue found in a set of SDTM datasets; an empty list means no errors and no warnings."""
    by_name = {d.name: d for d in datasets}
    issues: list[Issue] = []
    tv = {float(r["VISITNUM"]): str(r["VISIT"]) for r in by_name["TV"].rows} if "TV" in by_name else {}  # type: ignore[arg-type]
    if "DM" not in by_name:
        issues.append(Issue("SD0060", "error", "DM", None, None, "the DM dataset is missing"))
    dm_subjects = {r["USUBJID"] for r in by_name["DM"].rows} if "DM" in by_name else set()
    rfstdtc = {r["USUBJID"]: r["RFSTDTC"] for r in by_name["DM"].rows} if "DM" in by_name else {}
    arms = {r["ARMCD"] for r in by_name["TA"].rows} if "TA" in by_name else set()
    studies = {r.get("STUDYID") for d in by_name.values() for r in d.rows}
    if len(studies) > 1:
        issues.append(
            Issue("SD0006", "error", "*", "STUDYID", None, f"more than one STUDYID: {sorted(map(str, studies))}")
        )
    for ds in by_name.values():
        issues += _check_variables(ds)
        issues += _check_seq(ds)
        issues += _check_visits(ds, tv)
        issues += _check_study_days(ds, rfstdtc)  # type: ignore[arg-type]
        issues += _check_study_days_present(ds, rfstdtc)  # type: ignore[arg-type]
        issues += _check_epoch(ds)
        issues += check_methods(ds)
        if "USUBJID" in ds.names and ds.name != "DM":
            orphans = sorted({str(r["USUBJID"]) for r in ds.rows} - {str(s) for s in dm_subjects})
            if orphans:
                issues.append(
                    Issue(
                        "SD0083",
                        "error",
                        ds.name,
                        "USUBJID",
                        None,
                        f"{len(orphans)} subject(s) not in DM, e.g. {orphans[0]}",
                    )
                )
    if "AE" in by_name:
        issues += _check_ae(by_name["AE"])
    if "DM" in by_name:
        issues += _check_demographics(by_name["DM"])
    if "TS" in by_name:
        issues += _check_ts(by_name["TS"])
    issues += _check_cutoff(by_name)
    if "DM" in by_name and arms:
        for i, r in enumerate(by_name["DM"].rows, start=1):
            for var in ("ARMCD", "ACTARMCD"):
                if r[var] is not None and r[var] not in arms and r[var] not in ("UNPLAN", "NOTTRT", "SCRNFAIL"):
                    issues.append(Issue("SD0071", "error", "DM", var, i, f"{var} {r[var]!r} is not an arm of TA"))
            if r["ARMCD"] is None and r["ARMNRS"] is None:
                issues.append(Issue("SD1299", "error", "DM", "ARMNRS", i, "ARMCD is null but ARMNRS gives no reason"))
    return issues


def format_issues(issues: list[Issue]) -> str:
    """A validator-style text report: a summary line, then one line per issue."""
    errors = sum(1 for i in issues if i.severity == "error")
    lines = [f"{errors} error(s), {len(issues) - errors} warning(s)"]
    for i in issues:
        where = f"{i.dataset}.{i.variable}" if i.variable else i.dataset
        row = f" row {i.row}" if i.row else ""
        lines.append(f"{i.severity.upper():7} {i.rule} {where}{row}: {i.message}")
    return "\n".join(lines)
