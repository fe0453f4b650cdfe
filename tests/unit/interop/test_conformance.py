"""Our SDTM conformance checks: the demo trial is clean, and each rule catches the fault it is for."""

from __future__ import annotations

import dataclasses

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.conformance import check_sdtm, format_issues
from mescams.interop.dataset import Dataset
from mescams.interop.sdtm import build_sdtm
from mescams.sim.demo_snapshot import simulated_snapshot


@pytest.fixture(scope="module")
def sdtm(protocol: Protocol) -> dict[str, Dataset]:
    return {d.name: d for d in build_sdtm(protocol, simulated_snapshot(protocol, seed=7))}


def _with_row(ds: Dataset, index: int, **changes: object) -> Dataset:
    rows = list(ds.rows)
    rows[index] = {**rows[index], **changes}
    return dataclasses.replace(ds, rows=tuple(rows))


def _rules(datasets: dict[str, Dataset]) -> set[tuple[str, str, str | None]]:
    return {(i.rule, i.dataset, i.variable) for i in check_sdtm(datasets.values())}


#: AE rules whose fix is another branch's work: AEBODSYS from the MedDRA coder (helper "coding") and the
#: seriousness criteria variables (helper "safety"). The lead removes this set when those branches are merged.
NOT_CODED_IN_SIMULATION = {"CG0039"}  # the simulated demo (--demo) carries verbatims only; EDC exports are coded


def test_demo_trial_has_no_issues(sdtm: dict[str, Dataset]) -> None:
    issues = [i for i in check_sdtm(sdtm.values()) if i.rule not in NOT_CODED_IN_SIMULATION]
    assert issues == [], format_issues(issues)


@pytest.mark.parametrize(
    ("domain", "changes", "expected"),
    [
        ("AE", {"AETERM": None}, ("SD0002", "AE", "AETERM")),
        ("AE", {"AESTDTC": "12/03/2016"}, ("SD0003", "AE", "AESTDTC")),
        ("LB", {"LBDTC": "2016-02-30"}, ("SD0003", "LB", "LBDTC")),
        ("DM", {"SEX": "X"}, ("CT2001", "DM", "SEX")),
        ("AE", {"AESER": "YES"}, ("CT2001", "AE", "AESER")),
        ("VS", {"VISITNUM": 99}, ("SD1006", "VS", "VISITNUM")),
        ("QS", {"VISIT": "WEEK 99"}, ("SD1007", "QS", "VISIT")),
        ("AE", {"USUBJID": "NCT02239393-XXX-999"}, ("SD0083", "AE", "USUBJID")),
        ("DM", {"ARMCD": "NOTANARM"}, ("SD0071", "DM", "ARMCD")),
        ("VS", {"VSDY": 0}, ("SD0040", "VS", "VSDY")),
        ("DS", {"DOMAIN": "XX"}, ("SD0004", "DS", "DOMAIN")),
        ("CM", {"EPOCH": None}, ("CORE-000701", "CM", "EPOCH")),
        ("CM", {"CMSTDY": None}, ("MX0001", "CM", "CMSTDY")),
        ("CE", {"CEENDY": None}, ("MX0001", "CE", "CEENDY")),
        ("MH", {"MHSTDY": None}, ("MX0001", "MH", "MHSTDY")),
        ("DM", {"DMDY": None}, ("MX0001", "DM", "DMDY")),
        ("DM", {"RACE": None}, ("MX0002", "DM", "RACE")),
        ("DM", {"ETHNIC": None}, ("MX0002", "DM", "ETHNIC")),
        ("AE", {"AESTDTC": "2099-01-01", "AESTDY": None}, ("MX0301", "AE", "AESTDTC")),
    ],
)
def test_each_rule_catches_its_fault(
    sdtm: dict[str, Dataset], domain: str, changes: dict[str, object], expected: tuple[str, str, str]
) -> None:
    rf = {r["USUBJID"]: r["RFSTDTC"] for r in sdtm["DM"].rows}
    index = next(
        i
        for i, r in enumerate(sdtm[domain].rows)
        if r.get("ARMCD", "x") is not None
        and r.get("RFSTDTC", "x") is not None
        and rf.get(r["USUBJID"]) is not None
        and all(r.get(k) is not None for k in changes if k.endswith("DY"))
    )
    broken = {**sdtm, domain: _with_row(sdtm[domain], index, **changes)}
    assert expected in _rules(broken)


def test_duplicate_seq_within_a_subject_is_an_error(sdtm: dict[str, Dataset]) -> None:
    ae = sdtm["AE"]
    subject = ae.rows[0]["USUBJID"]
    second = next(i for i, r in enumerate(ae.rows) if i > 0 and r["USUBJID"] == subject)
    broken = {**sdtm, "AE": _with_row(ae, second, AESEQ=ae.rows[0]["AESEQ"])}
    issues = [i for i in check_sdtm(broken.values()) if i.rule == "SD0005"]
    assert len(issues) == 1 and issues[0].row == second + 1
    assert "ERROR   SD0005 AE.AESEQ" in format_issues(issues)


def test_missing_dm_is_reported(sdtm: dict[str, Dataset]) -> None:
    without = {k: v for k, v in sdtm.items() if k != "DM"}
    assert ("SD0060", "DM", None) in _rules(without)


def test_extensible_codelist_gives_a_warning_not_an_error(sdtm: dict[str, Dataset]) -> None:
    broken = {**sdtm, "VS": _with_row(sdtm["VS"], 0, VSTESTCD="BMI")}
    issues = [i for i in check_sdtm(broken.values()) if i.variable == "VSTESTCD"]
    assert [(i.rule, i.severity) for i in issues] == [("CT2002", "warning")]


def _without(ds: Dataset, name: str) -> Dataset:
    """The dataset as it was before issue 17: without one variable."""
    return dataclasses.replace(
        ds,
        variables=tuple(v for v in ds.variables if v.name != name),
        rows=tuple({k: x for k, x in r.items() if k != name} for r in ds.rows),
    )


@pytest.mark.parametrize(
    ("domain", "variable", "rule"),
    [
        ("CM", "EPOCH", "CORE-000701"),
        ("CM", "CMENDY", "MX0001"),
        ("CM", "CMSTDY", "MX0001"),
        ("CE", "CEENDY", "MX0001"),
        ("MH", "MHSTDY", "MX0001"),
        ("DM", "DMDY", "MX0001"),
        ("DM", "RACE", "MX0002"),
    ],
)
def test_a_missing_variable_found_by_core_is_reported(
    sdtm: dict[str, Dataset], domain: str, variable: str, rule: str
) -> None:
    """Issue 17's CORE findings (CORE-000701 on CM; CMENDY, CEENDY, CMSTDY, MHSTDY, DMDY missing)."""
    broken = {**sdtm, domain: _without(sdtm[domain], variable)}
    assert (rule, domain, variable) in _rules(broken)


def test_uncoded_and_criterion_less_serious_aes_are_reported(sdtm: dict[str, Dataset]) -> None:
    """CG0039 (AEBODSYS null where AEDECOD is coded) and CG0042 (serious AE without a seriousness criterion)."""
    ae = sdtm["AE"]
    serious = next(i for i, r in enumerate(ae.rows) if r["AESER"] == "Y")
    assert "CG0042" not in {i.rule for i in check_sdtm(sdtm.values())}  # serious AEs carry their criteria
    no_criteria = dict.fromkeys(("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE"), "N")
    broken = _with_row(ae, serious, AEBODSYS=None, **no_criteria)
    found = {(i.rule, i.variable) for i in check_sdtm({**sdtm, "AE": broken}.values())}
    assert {("CG0039", "AEBODSYS"), ("CG0042", "AESER")} <= found
    coded = dataclasses.replace(ae, rows=tuple({**r, "AEBODSYS": "Nervous system disorders"} for r in ae.rows))
    assert "CG0039" not in {i.rule for i in check_sdtm({**sdtm, "AE": coded}.values())}


@pytest.mark.parametrize(
    "parm", ["DCUTDTC", "DCUTDESC", "PCLAS", "TDIGRP", "STOPRULE", "OBJPRIM", "CURTRT", "THERAREA"]
)
def test_each_ts_parameter_the_issue_lists_is_required(sdtm: dict[str, Dataset], parm: str) -> None:
    ts = sdtm["TS"]
    assert parm in {r["TSPARMCD"] for r in ts.rows}
    without = dataclasses.replace(ts, rows=tuple(r for r in ts.rows if r["TSPARMCD"] != parm))
    issues = [i for i in check_sdtm({**sdtm, "TS": without}.values()) if i.rule == "MX0101"]
    assert [i.message for i in issues] == [f"TS parameter {parm} is missing"]


def test_cdisc_ct_rows_of_ts_need_a_version(sdtm: dict[str, Dataset]) -> None:
    ts = sdtm["TS"]
    index = next(i for i, r in enumerate(ts.rows) if r["TSVCDREF"] == "CDISC CT")
    assert ts.rows[index]["TSVCDVER"]
    assert ("MX0103", "TS", "TSVCDVER") in _rules({**sdtm, "TS": _with_row(ts, index, TSVCDVER=None)})
    assert ("MX0102", "TS", "TSVALNF") in _rules({**sdtm, "TS": _with_row(ts, index, TSVAL=None)})


def test_a_derived_variable_without_a_method_is_reported(sdtm: dict[str, Dataset]) -> None:
    from mescams.interop.dataset import Variable

    cm = sdtm["CM"]
    extra = dataclasses.replace(cm, variables=(*cm.variables, Variable("CMNEWVAR", "Something new")))
    assert ("MX0201", "CM", "CMNEWVAR") in _rules({**sdtm, "CM": extra})
