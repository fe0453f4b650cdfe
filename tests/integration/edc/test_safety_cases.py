"""SUSAR screening, the per-case reveal and the expedited-report clocks, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.safety.expedited import DeadlineState, ReportKind
from mescams.core.safety.susar import Screening, SusarVerdict
from mescams.edc.audit.models import AuditEntry
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.safety import actions
from mescams.edc.safety.cases import safety_case, safety_cases
from mescams.edc.safety.models import CaseReveal
from mescams.edc.trial.services import Forbidden
from mescams.errors import InputValidationError
from tests.factories.edc import RANDOMISATION
from tests.integration.edc import safety_world
from tests.integration.edc.safety_world import LISTED_PT, UNLISTED_PT, serious_case

coding = safety_world.coding  # the stand-in for the coding app, a fixture

D = dt.timedelta
TODAY = RANDOMISATION + D(days=5)


def _w0_product(ae) -> str:
    sequence = AllocationSlot.objects.get(participant_id=ae.participant_id).sequence
    return sequence.split("-")[0]


def test_an_uncoded_serious_related_event_is_pending_never_expected(users, allocation, coding) -> None:
    ae = serious_case(users)
    case = safety_case(user=users["safety"], record_pk=ae.pk, today=TODAY)
    assert case.expectedness.expectedness.value == "not_assessable"
    assert case.screening is Screening.PENDING_EXPECTEDNESS
    # its clock runs meanwhile (life-threatening: 7 days from awareness, then 8 more), shown as provisional
    assert [(c.deadline.kind, c.deadline.due) for c in case.clocks] == [
        (ReportKind.INITIAL_7_DAY, ae.awareness_date + D(days=7)),
        (ReportKind.COMPLETE_8_DAY, ae.awareness_date + D(days=15))]
    assert case.provisional
    with pytest.raises(InputValidationError, match="only a SUSAR candidate"):
        actions.reveal_case(user=users["safety"], record_pk=ae.pk, reason="need it")


def test_expected_or_unrelated_events_are_not_candidates(users, allocation, coding) -> None:
    expected = serious_case(users)
    coding.terms[expected.pk] = LISTED_PT
    unrelated = serious_case(users, causality="unlikely")
    coding.terms[unrelated.pk] = UNLISTED_PT
    for ae in (expected, unrelated):
        case = safety_case(user=users["safety"], record_pk=ae.pk, today=TODAY)
        assert case.screening is Screening.NOT_CANDIDATE and case.clocks == ()
    assert "is listed in RSI" in safety_case(user=users["safety"], record_pk=expected.pk,
                                             today=TODAY).expectedness.reason


def test_a_candidate_is_judged_on_the_actual_treatment_after_a_recorded_reveal(users, allocation, coding) -> None:
    ae = serious_case(users)
    coding.terms[ae.pk] = UNLISTED_PT
    before = safety_case(user=users["safety"], record_pk=ae.pk, today=TODAY)
    assert (before.screening, before.revealed, before.product, before.verdict) == (
        Screening.CANDIDATE, False, None, None)
    audit_before = AuditEntry.objects.count()
    after = actions.reveal_case(user=users["safety"], record_pk=ae.pk, reason="SUSAR candidate: verdict needed")
    product = _w0_product(ae)
    assert after.product == product
    assert after.verdict is (SusarVerdict.SUSAR if product == "MSC" else SusarVerdict.NOT_SUSAR_CONTROL)
    assert (after.clocks != ()) is (product == "MSC")  # a placebo case needs no expedited report
    reveal = CaseReveal.objects.get(adverse_event=ae)
    assert (reveal.revealed_to, reveal.reason) == (users["safety"], "SUSAR candidate: verdict needed")
    assert AuditEntry.objects.filter(seq__gt=audit_before, table="safety_casereveal",
                                     username="safety").exists()


def test_reports_are_recorded_for_a_susar_and_clocks_follow(users, allocation, coding) -> None:
    ae = None
    for _ in range(6):  # the list's first participants include an MSC-first sequence
        candidate = serious_case(users)
        if _w0_product(candidate) == "MSC":
            ae = candidate
            break
    assert ae is not None
    coding.terms[ae.pk] = UNLISTED_PT
    safety = users["safety"]
    with pytest.raises(InputValidationError, match="revealed SUSAR"):
        actions.record_report(user=safety, record_pk=ae.pk, kind="initial_7_day", sent_on=TODAY, reference="")
    actions.reveal_case(user=safety, record_pk=ae.pk, reason="verdict")
    aware = ae.awareness_date
    late_day = aware + D(days=8)  # the 7-day report is overdue on day 8
    case = safety_case(user=safety, record_pk=ae.pk, today=late_day)
    assert case.overdue and [c.state for c in case.clocks] == [DeadlineState.OVERDUE, DeadlineState.DUE]
    with pytest.raises(InputValidationError, match="needs") as caught:
        actions.record_report(user=safety, record_pk=ae.pk, kind="report_15_day", sent_on=late_day, reference="")
    assert caught.value.field == "kind"
    actions.record_report(user=safety, record_pk=ae.pk, kind="initial_7_day", sent_on=aware + D(days=3),
                          reference="HC-2016-001")
    case = safety_case(user=safety, record_pk=ae.pk, today=late_day)
    # the complete report's 8 days now run from the day the 7-day report was sent
    assert [(c.state, c.deadline.due) for c in case.clocks] == [
        (DeadlineState.SENT, aware + D(days=7)), (DeadlineState.DUE, aware + D(days=11))]
    assert not case.overdue
    with pytest.raises(InputValidationError, match="already recorded"):
        actions.record_report(user=safety, record_pk=ae.pk, kind="initial_7_day", sent_on=aware, reference="")


def test_only_the_safety_officer_sees_cases(users, allocation, coding) -> None:
    ae = serious_case(users)
    coding.terms[ae.pk] = UNLISTED_PT
    for name in ("coord", "inv", "dm", "statistician", "dsmb", "rater", "lab", "admin"):
        with pytest.raises(Forbidden):
            safety_cases(user=users[name], today=TODAY)
        with pytest.raises(Forbidden):
            actions.reveal_case(user=users[name], record_pk=ae.pk, reason="curious")
    assert not CaseReveal.objects.exists()


def test_cases_are_listed_soonest_due_first(users, allocation, coding) -> None:
    later = serious_case(users, serious_criteria=["hospitalisation"], severity_grade=3)  # 15 days
    sooner = serious_case(users)  # life-threatening: 7 days
    not_serious = serious_case(users, serious=False, serious_criteria=[], awareness_date=None, causality="")
    listed = [c.ae.pk for c in safety_cases(user=users["safety"], today=TODAY)]
    assert listed == [sooner.pk, later.pk]
    assert not_serious.pk not in listed
