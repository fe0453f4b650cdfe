"""The visits of a randomised virtual participant and the trial's data management, entered through the EDC
services by the role that does each step (part of :mod:`mescams.edc.demo.populate`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from mescams.core.safety.severity import severity_for_grade
from mescams.edc.crfs.base import today
from mescams.edc.crfs.clinical import treatment_at_infusion
from mescams.edc.crfs.models import AdverseEvent as AdverseEventRecord
from mescams.edc.crfs.models import VitalSigns
from mescams.edc.crfs.services import read_scan, record_lab_product, save_form
from mescams.edc.demo.entry import TrialEntry
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import Query
from mescams.edc.trial import services as trial
from mescams.edc.trial.models import Participant
from mescams.sim.follow_up import AdverseEvent, Course, Relapse
from mescams.sim.screening import Candidate

D = dt.timedelta
INFUSION_START = dt.time(10, 0)
TYPO_RATE = 0.03  # adverse-event end dates typed before the onset (assumption), caught by the edit check
QUERY_RATE = 0.1  # participants whose week-0 weight the data manager queries (assumption)
ANSWER_RATE, CLOSE_RATE = 0.6, 0.7  # queries answered by the site, answers accepted by the data manager (assumption)
SIGN_RATE = 0.2  # completed casebooks the investigator has signed by the snapshot (assumption)


CAUSALITY_REASON = "assessed by the investigator from the timing and the source documents"


def causality_of(event: AdverseEvent) -> str:
    """The investigator's causality for a simulated event: infusion reactions probable, other related events
    possible, the rest not related (the simulation knows the truth; the scale's yes/no reading keeps it)."""
    if not event.related:
        return "not_related"
    return "probable" if event.infusion_related else "possible"


def enter_course(run: TrialEntry, c: Candidate, pid: str, slot: Any, course: Course) -> None:
    """Every attended visit in order, events reported at the first visit on or after them, then the end."""
    coord, rng, protocol = run.coordinator(c.site), run.entry, run.protocol
    events: list[AdverseEvent | Relapse] = sorted([*course.adverse_events, *course.relapses],
                                                  key=lambda e: e.onset)
    for visit in course.visits:
        activities = protocol.visit(visit.code).activities
        if visit.code in course.weights:
            run.vital_signs(coord, pid, visit.code, visit.date, course.weights[visit.code])
        if "infusion" in activities:
            msc = treatment_at_infusion(slot.sequence, visit.code) == "MSC"
            cells, volume = run.dose(course.weights["W0"], course.viable_cells_per_kg[visit.code])
            minutes = int(rng.integers(30, 61))
            reactions = [e.term for e in course.adverse_events if e.infusion_related and e.onset == visit.date]
            save_form(user=coord, participant_id=pid, form="infusion",
                      values={"visit_code": visit.code, "infusion_date": visit.date, "product_code": slot.product_code,
                              "volume_ml": volume, "start_time": INFUSION_START,
                              "stop_time": dt.time(10 + minutes // 60, minutes % 60),
                              "reactions": "; ".join(reactions)})
            record_lab_product(user=run.cast.lab, participant_id=pid, visit_code=visit.code,
                               cells_infused=float(round(cells)) if msc else 0.0,
                               viability_percent=round(float(rng.uniform(85.0, 97.0)), 1))
        if visit.code in course.exams:
            save_form(user=run.cast.rater, participant_id=pid, form="edss",
                      values={"visit_code": visit.code, "assessment_date": visit.date,
                              **course.exams[visit.code].values()})
        if visit.code in course.scans:
            scan = save_form(user=coord, participant_id=pid, form="mri",
                             values={"visit_code": visit.code, "scan_date": visit.date})
            read = course.scans[visit.code]
            read_scan(user=run.cast.mri, scan_id=scan.scan_id,
                      values=asdict(read))
        if "safety_labs" in activities:
            save_form(user=coord, participant_id=pid, form="safety_lab",
                      values={"visit_code": visit.code, "sample_date": visit.date, "test": "wbc",
                              "value": round(float(rng.normal(6.3, 1.2)), 1), "unit": "10^9/L"})
        while events and events[0].onset <= visit.date:
            _report(run, coord, pid, events.pop(0))
    for event in events:
        _report(run, coord, pid, event)
    if course.withdrawal:
        on, reason = course.withdrawal
        trial.withdraw(user=coord, participant_id=pid, reason=reason, on=on)
    else:
        trial.complete(user=coord, participant_id=pid)


def _report(run: TrialEntry, coord: Any, pid: str, event: AdverseEvent | Relapse) -> None:
    if isinstance(event, Relapse):
        save_form(user=coord, participant_id=pid, form="relapse",
                  values={"onset_date": event.onset, "duration_hours": event.duration_hours,
                          "fever_or_infection": event.fever_or_infection, "confirmed": event.confirmed,
                          "treated_with_steroids": event.steroids_from is not None})
        if event.steroids_from:
            save_form(user=coord, participant_id=pid, form="conmed",
                      values={"drug": "methylprednisolone", "indication": "MS relapse",
                              "start_date": event.steroids_from,
                              "end_date": event.steroids_from + D(days=int(run.entry.integers(2, 5)))})
        return
    grade = event.grade
    criteria = ["death"] if grade == 5 else ["life_threatening"] if grade == 4 else ["hospitalisation"]
    action = ("infusion_interrupted" if event.infusion_related and grade > 1
              else "treatment_given" if grade > 1 else "none")
    outcome = "fatal" if grade == 5 else "recovered" if event.end else "not_recovered"
    end = event.end
    typo = end is not None and run.entry.random() < TYPO_RATE
    values = {"term": event.term, "onset_date": event.onset,
              "end_date": end - D(days=(end - event.onset).days + 2) if typo and end else end,
              "severity_grade": grade, "serious": event.serious, "serious_criteria": criteria if event.serious else [],
              "action": action, "outcome": outcome, "severity": severity_for_grade(grade).value,
              # a serious event is reported to the sponsor-investigator the next day (no draw: the demo's stream
              # of random numbers stays as it was)
              "awareness_date": min(event.onset + D(days=1), today()) if event.serious else None}
    ae = save_form(user=coord, participant_id=pid, form="adverse_event", values=values)
    save_form(user=run.cast.investigator, participant_id=pid, form="adverse_event", record_pk=ae.pk,
              values={"causality": causality_of(event)}, reason=CAUSALITY_REASON)
    if typo:  # the edit check has raised a query; the site corrects the date from the source and answers it
        save_form(user=coord, participant_id=pid, form="adverse_event", record_pk=ae.pk, values={"end_date": end},
                  reason="end date mistyped; corrected from the source document")
        query = Query.objects.get(participant__participant_id=pid, record_id=str(ae.pk),
                                  edit_check="ae_end_before_onset")
        queries.answer_query(user=coord, query_id=query.pk, answer="End date corrected to the source document.")


def data_management(run: TrialEntry) -> None:
    """Causality review of serious events, the data manager's queries, answers and closures, and signatures."""
    rng, cast = run.entry, run.cast
    for ae in AdverseEventRecord.objects.filter(serious=True).select_related("participant").order_by("pk"):
        if not ae.related and rng.random() < 0.1:  # on review of the serious event, a relation now seems possible
            save_form(user=cast.investigator, participant_id=ae.participant.participant_id, form="adverse_event",
                      record_pk=ae.pk, values={"causality": "possible"},
                      reason="serious event reviewed against the source documents: a relation cannot be excluded")
    randomised = list(Participant.objects.filter(week0_date__isnull=False).select_related("site")
                      .order_by("participant_id"))
    for p in randomised:
        weight = VitalSigns.objects.filter(participant=p, visit_code="W0").first()
        if weight is not None and rng.random() < QUERY_RATE:
            queries.open_query(user=cast.datamanager, participant_id=p.participant_id, form="vital_signs",
                               record_id=str(weight.pk), field="weight_kg",
                               text="Please confirm the weight at week 0 against the source document.")
    for query in Query.objects.filter(status="open").select_related("participant__site").order_by("pk"):
        if rng.random() < ANSWER_RATE:
            answerer = cast.rater if query.form == "edss" else run.coordinator(query.participant.site.code)
            queries.answer_query(user=answerer, query_id=query.pk, answer=_ANSWERS.get(
                query.edit_check, "Confirmed against the source document."))
    for query in Query.objects.filter(status="answered").order_by("pk"):
        if rng.random() < CLOSE_RATE:
            queries.close_query(user=cast.datamanager, query_id=query.pk)
    if cast.investigator_password:
        for p in randomised:
            if p.status == "completed" and rng.random() < SIGN_RATE:
                queries.sign_casebook(user=cast.investigator, participant_id=p.participant_id,
                                      password=cast.investigator_password,
                                      meaning="Approval of casebook contents: I have reviewed this casebook "
                                              "and attest that it is accurate.", sign_anyway=True,
                                      reason="signed at close-out; the items still open are listed with the "
                                             "signature and followed up by data management")


_ANSWERS = {
    "out_of_window": "The visit was held outside the window because of the participant's availability; "
                          "the date is correct.",
    "edss_jump": "FS scores confirmed against the rater's worksheet.",
    "ae_end_before_onset": "End date corrected to the source document.",
}
