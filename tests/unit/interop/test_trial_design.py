"""Trial design domains come from the protocol: arms are sequences, visits and windows match the schedule."""

from __future__ import annotations

from mescams.core.protocol import Protocol
from mescams.interop.sdtm.trial_design import build_ta, build_te, build_ti, build_ts, build_tv


def test_ta_has_two_arms_with_screening_and_both_treatments_in_sequence_order(protocol: Protocol) -> None:
    ta = build_ta(protocol)
    arms = {r["ARMCD"] for r in ta.rows}
    assert arms == {"MSCPLACEBO", "PLACEBOMSC"}
    order = {
        a: [r["ETCD"] for r in sorted((r for r in ta.rows if r["ARMCD"] == a), key=lambda r: r["TAETORD"])]
        for a in arms
    }
    assert order == {"MSCPLACEBO": ["SCRN", "MSC", "PLACEBO"], "PLACEBOMSC": ["SCRN", "PLACEBO", "MSC"]}
    assert [r["EPOCH"] for r in ta.rows[:3]] == ["SCREENING", "TREATMENT 1", "TREATMENT 2"]


def test_te_elements_and_durations(protocol: Protocol) -> None:
    te = {r["ETCD"]: r for r in build_te(protocol).rows}
    assert set(te) == {"SCRN", "MSC", "PLACEBO"}
    assert te["MSC"]["TEDUR"] == "P24W"
    assert te["SCRN"]["TEDUR"] == "P60D"


def test_tv_visit_days_and_windows_follow_the_schedule(protocol: Protocol) -> None:
    tv = build_tv(protocol)
    assert [r["VISIT"] for r in tv.rows] == [
        "SCREENING",
        "WEEK 0",
        "WEEK 4",
        "WEEK 12",
        "WEEK 24",
        "WEEK 28",
        "WEEK 36",
        "WEEK 48",
    ]
    assert [r["VISITNUM"] for r in tv.rows] == list(range(1, 9))
    w24 = tv.rows[4]
    assert w24["VISITDY"] == 169  # 24 weeks after day 1
    assert "- 7 days" in str(w24["TVSTRL"]) and "+ 7 days" in str(w24["TVENRL"])


def test_ti_lists_every_criterion_within_200_characters(protocol: Protocol) -> None:
    ti = build_ti(protocol)
    ids = [r["IETESTCD"] for r in ti.rows]
    assert ids == [f"I{i}" for i in range(1, 6)] + [f"E{i}" for i in range(1, 19)]
    assert all(len(str(r["IETEST"])) <= 200 for r in ti.rows)
    assert ti.rows[0]["IETEST"].endswith("...")  # I1 is longer than 200 characters
    assert ti.rows[3]["IETEST"] == "EDSS 2.5 to 6.5"
    assert {r["IECAT"] for r in ti.rows} == {"INCLUSION", "EXCLUSION"}


def test_ts_parameters_carry_the_design(protocol: Protocol) -> None:
    ts = build_ts(protocol)
    by = {}
    for r in ts.rows:
        by.setdefault(r["TSPARMCD"], []).append(r)
    value = {k: v[0]["TSVAL"] for k, v in by.items()}
    assert value["TPHASE"] == "PHASE II TRIAL" and by["TPHASE"][0]["TSVALCD"] == "C15601"
    assert value["RANDOM"] == "Y"
    assert value["INTMODEL"] == "CROSSOVER"
    assert value["TBLIND"] == "QUADRUPLE BLIND"
    assert (value["AGEMIN"], value["AGEMAX"]) == ("P18Y", "P50Y")
    assert value["PLANSUB"] == "31"
    assert value["SPONSOR"] == "Ottawa Hospital Research Institute"
    assert value["TCNTRL"] == "PLACEBO"
    assert value["NARMS"] == "2"
    assert {r["TSVAL"] for r in by["TTYPE"]} == {"SAFETY", "EFFICACY"}
    # TSSEQ numbers repeated parameters 1..n
    assert [r["TSSEQ"] for r in by["OUTMSSEC"]] == [1, 2, 3, 4, 5]


def test_design_follows_an_amended_protocol(protocol: Protocol) -> None:
    amended = protocol.model_copy(update={"design": protocol.design.model_copy(update={"target_enrolment": 40})})
    value = {r["TSPARMCD"]: r["TSVAL"] for r in build_ts(amended).rows}
    assert value["PLANSUB"] == "40"
