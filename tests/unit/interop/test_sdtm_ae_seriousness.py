"""SDTM AE carries severity (AESEV) and the seriousness flags (AESDTH ... AESMIE) as recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mescams.core.protocol import Protocol
from mescams.interop.conformance import check_sdtm, format_issues
from mescams.interop.sdtm import build_sdtm
from mescams.interop.snapshot import AdverseEvent
from mescams.sim.demo_snapshot import simulated_snapshot

FLAGS = ("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE")


def test_severity_and_seriousness_flags(protocol: Protocol) -> None:
    snapshot = simulated_snapshot(protocol, seed=7)
    pid = snapshot.adverse_events[0].participant_id
    onset = snapshot.adverse_events[0].onset_date
    events = (
        AdverseEvent(pid, "S1", "Anaphylaxis", onset, onset + dt.timedelta(days=2), 4, True, True,
                     severity="SEVERE", serious_criteria=("life_threatening", "hospitalisation")),
        AdverseEvent(pid, "S2", "Sudden death", onset, onset, 5, True, False, outcome="FATAL",
                     severity="SEVERE", serious_criteria=("death",)),
        AdverseEvent(pid, "S3", "Headache", onset, onset, 1, False, False, severity="MILD"),
        AdverseEvent(pid, "S4", "Rash", onset, onset, 2, False, False),  # severity not recorded
    )
    sdtm = {d.name: d for d in build_sdtm(protocol, dataclasses.replace(snapshot, adverse_events=events))}
    rows = {r["AESPID"]: r for r in sdtm["AE"].rows}
    assert {f: rows["S1"][f] for f in ("AESEV", "AESER", *FLAGS)} == {
        "AESEV": "SEVERE", "AESER": "Y", "AESDTH": "N", "AESLIFE": "Y", "AESHOSP": "Y", "AESDISAB": "N",
        "AESCONG": "N", "AESMIE": "N"}
    assert [rows["S2"][f] for f in FLAGS] == ["Y", "N", "N", "N", "N", "N"]
    assert (rows["S3"]["AESEV"], rows["S3"]["AESER"], {rows["S3"][f] for f in FLAGS}) == ("MILD", "N", {"N"})
    assert rows["S4"]["AESEV"] is None
    # CG0039 (AEBODSYS) aside: the simulated demo trial carries verbatims only; EDC exports are coded
    issues = [i for i in check_sdtm(sdtm.values()) if i.rule != "CG0039"]
    assert issues == [], format_issues(issues)


def test_a_severity_outside_the_codelist_is_caught(protocol: Protocol) -> None:
    snapshot = simulated_snapshot(protocol, seed=7)
    bad = dataclasses.replace(snapshot.adverse_events[0], severity="EXTREME")
    sdtm = build_sdtm(protocol, dataclasses.replace(snapshot, adverse_events=(bad, *snapshot.adverse_events[1:])))
    assert any(i.variable == "AESEV" and i.dataset == "AE" for i in check_sdtm(sdtm))


def test_the_demo_trial_has_severity_from_the_grade(protocol: Protocol) -> None:
    sdtm = {d.name: d for d in build_sdtm(protocol, simulated_snapshot(protocol, seed=7))}
    pairs = {(r["AETOXGR"], r["AESEV"]) for r in sdtm["AE"].rows}
    assert pairs <= {("1", "MILD"), ("2", "MODERATE"), ("3", "SEVERE"), ("4", "SEVERE"), ("5", "SEVERE")}
    serious = [r for r in sdtm["AE"].rows if r["AESER"] == "Y"]
    assert serious and all(any(r[f] == "Y" for f in FLAGS) for r in serious)
