"""Visit windows and the edit-check registry, on SQLite and PostgreSQL: a worked case per check, every failure of a
submit at once, soft checks confirmed with a reason (audited), and dates that cannot belong to their visit."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.edit_checks import CHECKS
from mescams.edc.crfs.models import EdssAssessment, VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.queries.models import Query
from mescams.edc.trial.models import ProtocolDeviation
from mescams.errors import EditChecksFailed
from tests.factories.edc import RANDOMISATION, randomised
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta
W48 = RANDOMISATION + D(weeks=48)


def refused(**kwargs) -> list[tuple[str, str, str]]:
    """(check, field, severity) of every failure of one submit that must be refused."""
    with pytest.raises(EditChecksFailed) as caught:
        save_form(**kwargs)
    return [(f.check, f.field, f.severity) for f in caught.value.failures]


def edss_at(code: str, on: dt.date, **changes) -> dict:
    return {**GOOD["edss"], "visit_code": code, "assessment_date": on, **changes}


def test_every_check_is_declared_once_with_a_severity_and_an_action() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS) >= 9
    assert {(c.severity, c.action) for c in CHECKS} == {("hard", "refuse"), ("soft", "confirm"), ("soft", "query")}


def test_w48_edss_out_of_window_is_saved_marked_with_a_deviation_and_a_query(users, allocation) -> None:
    pid = randomised(users["coord"])
    rec = save_form(user=users["rater"], participant_id=pid, form="edss", values=edss_at("W48", W48 + D(days=10)))
    assert rec.out_of_window is True and EdssAssessment.objects.get(pk=rec.pk).out_of_window is True
    dev = ProtocolDeviation.objects.get(participant__participant_id=pid, form="edss")
    assert (dev.visit_code, dev.record_id, dev.actual_date) == ("W48", str(rec.pk), W48 + D(days=10))
    query = Query.objects.get(participant__participant_id=pid, edit_check="out_of_window")
    assert (query.field, query.record_id, query.status) == ("assessment_date", str(rec.pk), "open")
    assert "+3 days" in query.text
    inside = save_form(user=users["rater"], participant_id=pid, form="edss", values=edss_at("W36", W48 - D(weeks=12)))
    assert inside.out_of_window is False


def test_w48_edss_dated_eleven_months_early_is_refused_naming_the_field(users, allocation) -> None:
    """The issue's finding: such a date cannot be week 48's (it is before week 36), so nothing is saved."""
    pid = randomised(users["coord"])
    before = (EdssAssessment.objects.count(), AuditEntry.objects.count())
    failures = refused(user=users["rater"], participant_id=pid, form="edss",
                       values=edss_at("W48", W48 - D(days=335)))
    assert failures == [("visit_date_impossible", "assessment_date", "hard")]
    assert (EdssAssessment.objects.count(), AuditEntry.objects.count()) == before


def test_a_date_after_the_next_visits_window_or_before_the_previous_visit_is_refused(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    w12_window_end = RANDOMISATION + D(weeks=12, days=7)
    assert refused(user=coord, participant_id=pid, form="vital_signs",
                   values={**GOOD["vital_signs"], "assessment_date": w12_window_end + D(days=1)}) == [
        ("visit_date_impossible", "assessment_date", "hard")]
    save_form(user=coord, participant_id=pid, form="vital_signs",  # W4 held 9 days late: still W4, out of window
              values={**GOOD["vital_signs"], "assessment_date": RANDOMISATION + D(weeks=4, days=9)})
    with pytest.raises(EditChecksFailed, match="before the previous visit") as caught:  # before W4 was held
        save_form(user=coord, participant_id=pid, form="mri",
                  values={"visit_code": "W12", "scan_date": RANDOMISATION + D(weeks=4, days=8)})
    assert caught.value.field == "scan_date"


def test_all_failures_of_a_submit_come_at_once_hard_first(users, allocation) -> None:
    pid = randomised(users["coord"])
    failures = refused(user=users["coord"], participant_id=pid, form="vital_signs",
                       values={**GOOD["vital_signs"], "weight_kg": 400.0, "heart_rate_bpm": 130,
                               "temperature_c": 39.2, "systolic_mmhg": 70, "diastolic_mmhg": 80})
    assert failures == [("vital_signs_possible", "weight_kg", "hard"), ("field_rule", "diastolic_mmhg", "hard"),
                        ("vital_signs_plausible", "systolic_mmhg", "soft"),
                        ("vital_signs_plausible", "heart_rate_bpm", "soft"),
                        ("vital_signs_plausible", "temperature_c", "soft")]
    assert not VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W4").exists()


def test_a_soft_check_is_saved_only_when_confirmed_with_a_reason_and_the_confirmation_is_audited(
        users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    values = {**GOOD["vital_signs"], "temperature_c": 39.2}
    assert refused(user=coord, participant_id=pid, form="vital_signs", values=values) == [
        ("vital_signs_plausible", "temperature_c", "soft")]
    assert refused(user=coord, participant_id=pid, form="vital_signs", values=values,
                   confirm_checks=["vital_signs_plausible"]) == [
        ("confirm_checks", "reason", "hard"), ("vital_signs_plausible", "temperature_c", "soft")]
    assert refused(user=coord, participant_id=pid, form="vital_signs", values=values, reason="why not",
                   confirm_checks=["no_such_check", "vital_signs_plausible"]) == [
        ("confirm_checks", "confirm_checks", "hard")]
    rec = save_form(user=coord, participant_id=pid, form="vital_signs", values=values,
                    confirm_checks=["vital_signs_plausible"], reason="febrile on the day; measured twice")
    query = Query.objects.get(participant__participant_id=pid, edit_check="vital_signs_plausible")
    assert (query.status, query.answered_by, query.field) == ("answered", "coord", "temperature_c")
    assert "measured twice" in query.answer and "39.2" in query.text
    entry = AuditEntry.objects.filter(table=Query._meta.db_table, record_id=str(query.pk)).first()
    assert (entry.username, entry.reason) == ("coord", "febrile on the day; measured twice")
    # a later change that leaves the confirmed value alone is not asked again
    save_form(user=coord, participant_id=pid, form="vital_signs", record_pk=rec.pk, values={"heart_rate_bpm": 72},
              reason="transcription")
    assert Query.objects.filter(participant__participant_id=pid).count() == 1


def test_vital_signs_possible_is_hard_even_when_confirmed(users, allocation) -> None:
    pid = randomised(users["coord"])
    assert refused(user=users["coord"], participant_id=pid, form="vital_signs",
                   values={**GOOD["vital_signs"], "height_cm": 250.0}, confirm_checks=["vital_signs_possible"],
                   reason="tall") == [("vital_signs_possible", "height_cm", "hard")]


def test_recorded_edss_against_the_computed_one(users, allocation) -> None:
    """A recorded 6.5 against a computed 2.0 is no longer saved silently with 'consistent False'."""
    pid = randomised(users["coord"])
    values = edss_at("W4", RANDOMISATION + D(weeks=4), recorded_edss=6.5)
    with pytest.raises(EditChecksFailed, match="recorded EDSS 6.5 differs from 2 computed") as caught:
        save_form(user=users["rater"], participant_id=pid, form="edss", values=values)
    assert [(f.check, f.field, f.severity) for f in caught.value.failures] == [
        ("edss_recorded_vs_computed", "recorded_edss", "soft")]
    rec = save_form(user=users["rater"], participant_id=pid, form="edss", values=values,
                    confirm_checks=["edss_recorded_vs_computed"], reason="worksheet re-read: 6.5 is what I found")
    assert (rec.recorded_edss, rec.edss, rec.consistent) == (6.5, 2.0, False)


def test_demographics_against_the_screening_record(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)  # screened as F, born 1981, RRMS (eligible_record)
    contradicting = {**GOOD["demographics"], "sex": "M", "birth_date": dt.date(1975, 6, 1), "ms_course": "SPMS"}
    assert refused(user=coord, participant_id=pid, form="demographics", values=contradicting) == [
        ("demographics_vs_screening", "sex", "soft"), ("demographics_vs_screening", "birth_date", "soft"),
        ("demographics_vs_screening", "ms_course", "soft")]
    rec = save_form(user=coord, participant_id=pid, form="demographics", values=contradicting,
                    confirm_checks=["demographics_vs_screening"], reason="screening record was mistyped")
    assert rec.sex == "M"
    assert Query.objects.filter(participant__participant_id=pid, edit_check="demographics_vs_screening",
                                status="answered").count() == 3


def test_relapse_onset_against_the_visits(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    before_week0 = {**GOOD["relapse"], "onset_date": RANDOMISATION - D(days=5)}
    assert refused(user=coord, participant_id=pid, form="relapse", values=before_week0) == [
        ("relapse_onset_vs_visits", "onset_date", "soft")]
    save_form(user=coord, participant_id=pid, form="relapse", values=GOOD["relapse"])  # inside follow-up: no check
    assert not Query.objects.filter(participant__participant_id=pid).exists()


def test_query_checks_save_and_open_a_query(users, allocation) -> None:
    """ae_end_before_onset and edss_jump do not refuse: they open one query each (see test_edit_checks)."""
    pid = randomised(users["coord"])
    save_form(user=users["rater"], participant_id=pid, form="edss", values=edss_at("W4", RANDOMISATION + D(weeks=4)))
    rec = save_form(user=users["rater"], participant_id=pid, form="edss",
                    values=edss_at("W12", RANDOMISATION + D(weeks=12), ambulation=6))
    assert [q.edit_check for q in rec.opened_queries] == ["edss_jump"]


def test_the_api_answers_every_failure_and_takes_confirmations(users, allocation) -> None:
    from tests.integration.edc.test_api import client_for

    pid = randomised(users["coord"])
    c = client_for(users["coord"])
    url = f"/api/participants/{pid}/forms/vital_signs"
    body = {**GOOD["vital_signs"], "assessment_date": GOOD["vital_signs"]["assessment_date"].isoformat(),
            "weight_kg": 400, "temperature_c": 39.2}
    r = c.post(url, body, content_type="application/json")
    assert r.status_code == 422
    answer = r.json()
    assert (answer["field"], answer["error"]) == ("weight_kg", "invalid_input")  # the first, as before
    assert [(f["check"], f["field"], f["severity"], f["confirmable"]) for f in answer["failures"]] == [
        ("vital_signs_possible", "weight_kg", "hard", False),
        ("vital_signs_plausible", "temperature_c", "soft", True)]
    body["weight_kg"] = 70
    assert c.post(url, body, content_type="application/json").json()["failures"][0]["check"] == \
        "vital_signs_plausible"
    r = c.post(url, {**body, "confirm_checks": ["vital_signs_plausible"], "reason": "febrile, measured twice"},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["temperature_c"] == 39.2 and r.json()["out_of_window"] is False
    r = c.post(f"/api/participants/{pid}/forms/edss",
               {**edss_at("W48", W48 - D(days=335)), "assessment_date": (W48 - D(days=335)).isoformat()},
               content_type="application/json")
    assert r.status_code == 403  # the coordinator does not enter EDSS; the rater does
    r = client_for(users["rater"]).post(
        f"/api/participants/{pid}/forms/edss",
        {**edss_at("W48", W48), "assessment_date": (W48 - D(days=335)).isoformat()}, content_type="application/json")
    assert (r.status_code, r.json()["field"], r.json()["failures"][0]["check"]) == (
        422, "assessment_date", "visit_date_impossible")
    r = client_for(users["rater"]).post(
        f"/api/participants/{pid}/forms/edss",
        {**edss_at("W48", W48), "assessment_date": (W48 + D(days=10)).isoformat()}, content_type="application/json")
    assert r.status_code == 201 and r.json()["out_of_window"] is True
