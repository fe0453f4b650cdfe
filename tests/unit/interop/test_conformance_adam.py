"""Our ADaM checks: the demo trial is clean, and each rule catches the issue-17 finding it is for."""

from __future__ import annotations

import dataclasses

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.adam import build_adam
from mescams.interop.conformance import Issue
from mescams.interop.conformance_adam import check_adam
from mescams.interop.dataset import Dataset
from mescams.interop.sdtm import build_sdtm
from mescams.interop.sdtm.mapping import armcd
from mescams.sim.demo_snapshot import simulated_snapshot


@pytest.fixture(scope="module")
def data(protocol: Protocol) -> tuple[list[Dataset], dict[str, Dataset], dict[str, str]]:
    sdtm = build_sdtm(protocol, simulated_snapshot(protocol, seed=7))
    return sdtm, {d.name: d for d in build_adam(protocol, sdtm)}, {armcd(s): s.code for s in protocol.design.sequences}


def _check(data: tuple[list[Dataset], dict[str, Dataset], dict[str, str]], **replace: Dataset) -> list[Issue]:
    sdtm, adam, seq = data
    return check_adam({**adam, **replace}.values(), sdtm, seq)


def _adsl_with(adsl: Dataset, where: str, value: object, **changes: object) -> Dataset:
    rows = list(adsl.rows)
    i = next(i for i, r in enumerate(rows) if r[where] == value)
    rows[i] = {**rows[i], **changes}
    return dataclasses.replace(adsl, rows=tuple(rows))


def test_demo_adam_is_clean(data: tuple[list[Dataset], dict[str, Dataset], dict[str, str]]) -> None:
    assert _check(data) == []


def test_complfl_must_be_n_for_the_withdrawn(data: tuple[list[Dataset], dict[str, Dataset], dict[str, str]]) -> None:
    adsl = data[1]["ADSL"]
    assert [r["COMPLFL"] for r in adsl.rows if r["EOSSTT"] == "DISCONTINUED"] == ["N"]
    broken = _adsl_with(adsl, "EOSSTT", "DISCONTINUED", COMPLFL=None)
    assert [(i.rule, i.variable) for i in _check(data, ADSL=broken)] == [("MX1001", "COMPLFL")]


def test_trtseqa_must_follow_dm_actual_arm(data: tuple[list[Dataset], dict[str, Dataset], dict[str, str]]) -> None:
    adsl = data[1]["ADSL"]
    first = adsl.rows[0]
    broken = _adsl_with(adsl, "USUBJID", first["USUBJID"], TRTSEQA=str(first["TRT01A"]))  # one product: the old bug
    assert [(i.rule, i.variable, i.row) for i in _check(data, ADSL=broken)] == [("MX1002", "TRTSEQA", 1)]


def test_a_numeric_date_without_date9_is_reported(
    data: tuple[list[Dataset], dict[str, Dataset], dict[str, str]],
) -> None:
    adsl = data[1]["ADSL"]
    plain = tuple(dataclasses.replace(v, display_format=None) if v.name == "TRTSDT" else v for v in adsl.variables)
    issues = _check(data, ADSL=dataclasses.replace(adsl, variables=plain))
    assert [(i.rule, i.dataset, i.variable) for i in issues] == [("MX1003", "ADSL", "TRTSDT")]
