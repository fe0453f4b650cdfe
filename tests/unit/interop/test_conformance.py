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


def test_demo_trial_has_no_issues(sdtm: dict[str, Dataset]) -> None:
    issues = check_sdtm(sdtm.values())
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
    ],
)
def test_each_rule_catches_its_fault(
    sdtm: dict[str, Dataset], domain: str, changes: dict[str, object], expected: tuple[str, str, str]
) -> None:
    index = next(
        i
        for i, r in enumerate(sdtm[domain].rows)
        if r.get("ARMCD", "x") is not None and r.get("RFSTDTC", "x") is not None
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
