"""A data cut-off given at export: the data as of that day, the cut-off in TS, and the DM/ADSL arms that follow."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.adam import build_adam
from mescams.interop.conformance import check_sdtm
from mescams.interop.conformance_adam import check_adam
from mescams.interop.cutoff import apply_cutoff
from mescams.interop.dataset import Dataset
from mescams.interop.sdtm import build_sdtm
from mescams.interop.sdtm.mapping import armcd
from mescams.interop.snapshot import TrialSnapshot
from mescams.sim.demo_snapshot import simulated_snapshot

NOT_CODED_IN_SIMULATION = {"CG0039"}  # the simulated demo (--demo) carries verbatims only; EDC exports are coded


@pytest.fixture(scope="module")
def snapshot(protocol: Protocol) -> TrialSnapshot:
    return simulated_snapshot(protocol, seed=5)


@pytest.fixture(scope="module")
def cutoff(snapshot: TrialSnapshot) -> dt.date:
    """A day on which some participants have had their first infusion but not their second."""
    firsts = sorted(min(d) for d in _infusions(snapshot).values())
    return firsts[len(firsts) * 3 // 4]


def _infusions(snapshot: TrialSnapshot) -> dict[str, list[dt.date]]:
    out: dict[str, list[dt.date]] = {}
    for i in snapshot.infusions:
        out.setdefault(i.participant_id, []).append(i.date)
    return out


def _by_name(datasets: list[Dataset]) -> dict[str, Dataset]:
    return {d.name: d for d in datasets}


def test_no_record_is_dated_after_the_cutoff(snapshot: TrialSnapshot, cutoff: dt.date) -> None:
    cut = apply_cutoff(snapshot, cutoff)
    dates = [
        *(v.date for v in cut.visits),
        *(i.date for i in cut.infusions),
        *(a.onset_date for a in cut.adverse_events),
        *(a.end_date for a in cut.adverse_events if a.end_date),
        *(m.scan_date for m in cut.mri),
        *(e.date for e in cut.edss),
        *(c.end_date for c in cut.conmeds if c.end_date),
        *(p.disposition.date for p in cut.participants if p.disposition.date),
    ]
    assert dates and max(dates) <= cutoff
    assert len(cut.infusions) < len(snapshot.infusions)
    assert all(p.consent_date <= cutoff for p in cut.participants)
    # an AE that ended after the cut-off was ongoing at it
    ongoing = {a.ae_id for a in cut.adverse_events if a.end_date is None}
    ended_later = {a.ae_id for a in snapshot.adverse_events if a.onset_date <= cutoff < (a.end_date or cutoff)}
    assert ended_later <= ongoing


def test_the_cutoff_is_in_ts_and_the_export_is_clean(
    protocol: Protocol, snapshot: TrialSnapshot, cutoff: dt.date
) -> None:
    sdtm = _by_name(build_sdtm(protocol, snapshot, cutoff))
    ts = {r["TSPARMCD"]: r for r in sdtm["TS"].rows}
    assert ts["DCUTDTC"]["TSVAL"] == cutoff.isoformat()
    assert ts["DCUTDESC"]["TSVAL"] == "DATA CUT-OFF GIVEN AT EXPORT"
    issues = [i for i in check_sdtm(sdtm.values()) if i.rule not in NOT_CODED_IN_SIMULATION]
    assert issues == []
    late = [r for r in sdtm["AE"].rows if str(r["AESTDTC"]) > cutoff.isoformat()]
    assert late == []


def test_participants_with_one_infusion_agree_in_dm_and_adsl(
    protocol: Protocol, snapshot: TrialSnapshot, cutoff: dt.date
) -> None:
    """Issue 17: DM's actual arm and ADSL's TRTSEQA disagreed for the participants with one infusion."""
    sdtm = build_sdtm(protocol, snapshot, cutoff)
    adam = _by_name(build_adam(protocol, sdtm))
    one = {pid for pid, days in _infusions(apply_cutoff(snapshot, cutoff)).items() if len(days) == 1}
    assert one, "the cut-off must leave someone between the two infusions"
    dm = {r["USUBJID"]: r for r in _by_name(sdtm)["DM"].rows}
    seq = {armcd(s): s.code for s in protocol.design.sequences}
    for r in adam["ADSL"].rows:
        if r["SUBJID"] in one:
            assert r["TRT02A"] is None and r["TRT01A"] is not None
            assert r["TRTSEQA"] == seq[str(dm[r["USUBJID"]]["ACTARMCD"])]
    assert check_adam(adam.values(), sdtm, seq) == []


def test_a_person_randomised_after_the_cutoff_is_not_assigned(protocol: Protocol, snapshot: TrialSnapshot) -> None:
    person = max(snapshot.randomized, key=lambda p: p.randomization_date or dt.date.min)
    assert person.randomization_date is not None
    day = person.randomization_date - dt.timedelta(days=1)
    assert person.consent_date <= day  # the demo randomises 21-45 days after consent
    dm = {r["SUBJID"]: r for r in _by_name(build_sdtm(protocol, snapshot, day))["DM"].rows}
    assert dm[person.participant_id]["ARMCD"] is None
    assert dm[person.participant_id]["ARMNRS"] == "NOT ASSIGNED"
