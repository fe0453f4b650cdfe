"""The contract's ``eligible`` rule and how unknowns propagate through the criteria."""

from __future__ import annotations

from mescams.core.eligibility import overall
from mescams.core.eligibility.assessment import CriterionVerdict
from mescams.core.eligibility.verdict import Status, Verdict, all_of, any_of, negate
from tests.factories.eligibility import MET, NOT_MET, UNKNOWN, record, run

V = {s: Verdict(s, s.value) for s in Status}


def test_kleene_tables() -> None:
    assert all_of([V[MET], V[UNKNOWN]]).status is UNKNOWN
    assert all_of([V[NOT_MET], V[UNKNOWN]]).status is NOT_MET
    assert any_of([V[MET], V[UNKNOWN]]).status is MET
    assert any_of([V[NOT_MET], V[UNKNOWN]]).status is UNKNOWN
    assert any_of([V[NOT_MET], V[NOT_MET]]).status is NOT_MET
    assert negate(V[UNKNOWN]).status is UNKNOWN and negate(V[MET]).status is NOT_MET


def test_eligible_rule() -> None:
    def cv(cid: str, kind: str, s: Status) -> CriterionVerdict:
        return CriterionVerdict(cid, kind, V[s])  # type: ignore[arg-type]

    assert overall([cv("I1", "inclusion", MET), cv("E1", "exclusion", NOT_MET)]) is True
    assert overall([cv("I1", "inclusion", UNKNOWN), cv("E1", "exclusion", NOT_MET)]) is None
    assert overall([cv("I1", "inclusion", UNKNOWN), cv("E1", "exclusion", MET)]) is False
    assert overall([cv("I1", "inclusion", NOT_MET), cv("E1", "exclusion", UNKNOWN)]) is False
    assert overall([cv("I1", "inclusion", MET), cv("E1", "exclusion", UNKNOWN)]) is None


def test_one_unknown_makes_eligibility_undetermined() -> None:
    result = run(record(able_to_adhere=None))
    assert result.verdict("E18").status is UNKNOWN and result.eligible is None


def test_a_decided_failure_beats_unknowns() -> None:
    result = run(record(able_to_adhere=None, in_other_trial=True))
    assert result.eligible is False


def test_an_empty_record_is_unknown_everywhere_but_consent() -> None:
    result = run({"id": "X"})
    statuses = {v.id: v.status for v in result.criteria}
    assert statuses.pop("I5") is NOT_MET  # the schema: a null consent_date means "not signed"
    assert all(s is UNKNOWN for s in statuses.values()), statuses
    assert result.eligible is False
    assert run({"id": "X", "consent_date": "2016-02-01"}).eligible is None


def test_missing_edss_propagates_to_i1_i4_and_e2() -> None:
    result = run(record(ms={"course": "SPMS"}, edss=None))
    assert [result.verdict(c).status for c in ("I1", "I4", "E1", "E2", "E3")] == \
        [UNKNOWN, UNKNOWN, NOT_MET, UNKNOWN, NOT_MET]
    assert result.eligible is None


def test_json_shape_matches_contract() -> None:
    out = run(record()).as_json()
    assert set(out) == {"id", "on", "eligible", "criteria"}
    assert out["on"] == "2016-03-01" and out["eligible"] is True
    first = out["criteria"][0]
    assert set(first) == {"id", "kind", "status", "reason"} and first["kind"] == "inclusion"
    assert {c["status"] for c in out["criteria"]} <= {"met", "not_met", "unknown"}
    assert out["criteria"][5]["kind"] == "exclusion" and out["criteria"][5]["id"] == "E1"
