"""Edit checks raise queries (and out-of-window dates raise deviations), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from mescams.edc.crfs.services import save_form
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import Query
from mescams.edc.trial.models import ProtocolDeviation
from mescams.errors import IllegalTransition
from tests.factories.edc import RANDOMISATION, randomised
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta


def checks(pid: str) -> list[str]:
    return sorted(Query.objects.filter(participant__participant_id=pid).values_list("edit_check", flat=True))


def test_ae_end_before_onset_raises_one_query(users, allocation) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                   values={**GOOD["adverse_event"], "end_date": RANDOMISATION + D(days=1)})
    assert checks(pid) == ["ae_end_before_onset"]
    q = Query.objects.get(participant__participant_id=pid)
    assert (q.form, q.record_id, q.field, q.status) == ("adverse_event", str(ae.pk), "end_date", "open")
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
              values={"term": "Headache, tension"}, reason="coded term")
    assert checks(pid) == ["ae_end_before_onset"]  # still open: not raised twice


def test_ae_with_good_dates_raises_nothing(users, allocation) -> None:
    pid = randomised(users["coord"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={**GOOD["adverse_event"], "end_date": RANDOMISATION + D(days=9)})
    assert checks(pid) == []


def test_edss_jump_over_two_raises_a_query(users, allocation) -> None:
    pid = randomised(users["coord"])
    base = {**GOOD["edss"]}
    save_form(user=users["rater"], participant_id=pid, form="edss", values=base)  # EDSS 2.0
    save_form(user=users["rater"], participant_id=pid, form="edss",
              values={**base, "visit_code": "W12", "assessment_date": RANDOMISATION + D(weeks=12),
                      "pyramidal": 3})  # 3.0: a jump of 1, no query
    assert checks(pid) == []
    save_form(user=users["rater"], participant_id=pid, form="edss",
              values={**base, "visit_code": "W24", "assessment_date": RANDOMISATION + D(weeks=24), "ambulation": 6})
    assert checks(pid) == ["edss_jump"]


def test_out_of_window_visit_is_accepted_marked_with_a_deviation_and_a_query(users, allocation) -> None:
    pid = randomised(users["coord"])
    late = RANDOMISATION + D(weeks=4, days=9)
    rec = save_form(user=users["coord"], participant_id=pid, form="vital_signs",
                    values={**GOOD["vital_signs"], "assessment_date": late})
    assert rec.out_of_window is True
    dev = ProtocolDeviation.objects.get(participant__participant_id=pid)
    assert (dev.kind, dev.visit_code, dev.record_id, dev.actual_date) == ("out_of_window", "W4", str(rec.pk), late)
    assert "+2 days" in dev.description
    assert checks(pid) == ["out_of_window"]
    save_form(user=users["coord"], participant_id=pid, form="vital_signs",
              values={**GOOD["vital_signs"], "visit_code": "W12",
                      "assessment_date": RANDOMISATION + D(weeks=12, days=7)})
    assert ProtocolDeviation.objects.count() == 1  # the window's last day is inside


def test_mri_outside_window_raises_query_and_deviation(users, allocation) -> None:
    pid = randomised(users["coord"])
    save_form(user=users["coord"], participant_id=pid, form="mri",
              values={"visit_code": "W12", "scan_date": RANDOMISATION + D(weeks=12, days=-8)})
    assert checks(pid) == ["out_of_window"]
    assert ProtocolDeviation.objects.filter(form="mri").count() == 1


def test_query_lifecycle_open_answer_close(users, allocation) -> None:
    pid = randomised(users["coord"])
    q = queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg",
                           text="Weight?")
    q = queries.answer_query(user=users["coord"], query_id=q.pk, answer="70 kg confirmed")
    assert (q.status, q.answered_by) == ("answered", "coord")
    q = queries.close_query(user=users["dm"], query_id=q.pk)
    assert (q.status, q.closed_by) == ("closed", "dm")
    try:
        queries.answer_query(user=users["coord"], query_id=q.pk, answer="again")
    except IllegalTransition:
        pass
    else:  # pragma: no cover - a closed query must stay closed
        raise AssertionError("answered a closed query")


def test_edss_rater_sees_and_answers_only_queries_on_forms_it_enters(users, allocation) -> None:
    """A rater enters EDSS only, so a query on another form is as good as absent to it (never answerable)."""
    from mescams.edc.trial.services import NotFound

    pid = randomised(users["coord"])
    on_vitals = queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg",
                                   text="Weight 7 kg?")
    on_edss = queries.open_query(user=users["dm"], participant_id=pid, form="edss", field="pyramidal",
                                 text="Pyramidal grade?")
    assert list(queries.visible_queries(users["rater"])) == [on_edss]
    assert queries.answer_query(user=users["rater"], query_id=on_edss.pk, answer="confirmed").status == "answered"
    try:
        queries.answer_query(user=users["rater"], query_id=on_vitals.pk, answer="not mine")
    except NotFound:
        pass
    else:  # pragma: no cover - the rater must not reach another form's query
        raise AssertionError("a rater answered a vital-signs query")
    assert Query.objects.get(pk=on_vitals.pk).status == "open"
