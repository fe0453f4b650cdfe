"""The safety officer's view of the serious adverse events: each one screened for SUSAR (blind), its reporting
clock, and, for a case the officer revealed, the verdict on the actual treatment.

Everything here is for the safety officer alone (:func:`require_safety_officer`); the screening itself uses no
allocation, and only :func:`mescams.edc.safety.reveal.reveal_case` (recorded) and the verdict of a revealed case
read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.core.safety.expedited import Deadline, DeadlineState, ReportKind, deadline_state, expedited_deadlines
from mescams.core.safety.reference_safety import NO_RSI, Expectedness, ExpectednessResult, assess_expectedness
from mescams.core.safety.seriousness import is_fatal_or_life_threatening
from mescams.core.safety.susar import Screening, SusarVerdict, product_at_onset, screen_case, susar_verdict
from mescams.edc.crfs.clinical import treatment_at_infusion
from mescams.edc.crfs.models import AdverseEvent, Infusion
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.safety.coded_terms import CodedTerm, preferred_term
from mescams.edc.safety.models import CaseReveal, ExpeditedReport
from mescams.edc.trial.services import Forbidden, NotFound
from mescams.protocols import default_protocol

__all__ = ["CaseClock", "SafetyCase", "require_safety_officer", "safety_case", "safety_cases"]


def require_safety_officer(user: Any) -> None:
    """Only the safety officer works with SUSAR cases (the message reveals nothing)."""
    if Role(user.role) is not Role.SAFETY_OFFICER:
        raise Forbidden(gettext("SUSAR cases are the safety officer's"))


@dataclass(frozen=True)
class CaseClock:
    """One report a case needs: its deadline, when it was sent (None: not yet) and its state today."""

    deadline: Deadline
    sent_on: dt.date | None
    reference: str
    state: DeadlineState

    @property
    def overdue(self) -> bool:
        return self.state is DeadlineState.OVERDUE


@dataclass(frozen=True)
class SafetyCase:
    ae: AdverseEvent
    participant_id: str
    site: str
    coded: CodedTerm | None
    expectedness: ExpectednessResult
    screening: Screening
    fatal_or_life_threatening: bool
    revealed: bool
    product: str | None  # the product at onset, only once revealed
    verdict: SusarVerdict | None  # only once revealed
    clocks: tuple[CaseClock, ...]  # the reports this case needs (provisional until the verdict)

    @property
    def overdue(self) -> bool:
        return any(c.overdue for c in self.clocks)

    @property
    def next_due(self) -> dt.date | None:
        open_ = [c.deadline.due for c in self.clocks if c.sent_on is None]
        return min(open_) if open_ else None

    @property
    def provisional(self) -> bool:
        """Clocks shown before the verdict (the case may still turn out not to be a SUSAR)."""
        return self.verdict is None and bool(self.clocks)


def _expectedness(ae: AdverseEvent, coded: CodedTerm | None) -> ExpectednessResult:
    rsi = default_protocol().reference_safety_information
    if rsi is None:
        return ExpectednessResult(Expectedness.NOT_ASSESSABLE, None, NO_RSI())
    return assess_expectedness(rsi, pt_code=coded.pt_code if coded else None,
                               pt_name=coded.pt_name if coded else None, onset_date=ae.onset_date)


def product_received(ae: AdverseEvent) -> str | None:
    """The product of the infusion most recently on or before the event's onset (reads the allocation: call only
    for a revealed case or an unblinded role)."""
    slot = AllocationSlot.objects.filter(participant_id=ae.participant_id).first()
    if slot is None:
        return None
    infusions = [(i.infusion_date, treatment_at_infusion(slot.sequence, i.visit_code))
                 for i in Infusion.objects.filter(participant_id=ae.participant_id)]
    return product_at_onset(infusions, ae.onset_date)


def _clocks(ae: AdverseEvent, fatal: bool, today: dt.date) -> tuple[CaseClock, ...]:
    if ae.awareness_date is None:
        return ()
    sent = {r.kind: r for r in ExpeditedReport.objects.filter(adverse_event=ae)}
    initial = sent.get(ReportKind.INITIAL_7_DAY.value)
    deadlines = expedited_deadlines(awareness=ae.awareness_date, fatal_or_life_threatening=fatal,
                                    initial_sent_on=initial.sent_on if initial else None)
    out = []
    for d in deadlines:
        report = sent.get(d.kind.value)
        sent_on = report.sent_on if report else None
        out.append(CaseClock(d, sent_on, report.reference if report else "",
                             deadline_state(d, sent_on=sent_on, today=today)))
    return tuple(out)


def _case(ae: AdverseEvent, today: dt.date) -> SafetyCase:
    coded = preferred_term("adverse_event", ae.pk)
    expectedness = _expectedness(ae, coded)
    screening = screen_case(serious=ae.serious, causality=ae.causality or None,
                            expectedness=expectedness.expectedness)
    criteria = ae.serious_criteria if isinstance(ae.serious_criteria, list) else []
    fatal = is_fatal_or_life_threatening(str(c) for c in criteria)
    revealed = screening is Screening.CANDIDATE and CaseReveal.objects.filter(adverse_event=ae).exists()
    product = product_received(ae) if revealed else None
    verdict = (susar_verdict(screening=screening, product=product, active_products=default_protocol().active_products)
               if revealed else None)
    needs_clock = screening is not Screening.NOT_CANDIDATE and verdict in (None, SusarVerdict.SUSAR)
    return SafetyCase(ae=ae, participant_id=ae.participant.participant_id, site=ae.participant.site.code,
                      coded=coded, expectedness=expectedness, screening=screening, fatal_or_life_threatening=fatal,
                      revealed=revealed, product=product, verdict=verdict,
                      clocks=_clocks(ae, fatal, today) if needs_clock else ())


def safety_cases(*, user: Any, today: dt.date) -> list[SafetyCase]:
    """Every serious adverse event as a case: those with an open report first, soonest due first."""
    require_safety_officer(user)
    return all_cases(today=today)


def all_cases(*, today: dt.date) -> list[SafetyCase]:
    """:func:`safety_cases` without a user, for the reminders that go to safety officers only."""
    events = AdverseEvent.objects.filter(serious=True).select_related("participant", "participant__site")
    cases = [_case(ae, today) for ae in events.order_by("pk")]
    far = dt.date.max
    return sorted(cases, key=lambda c: (c.next_due is None, c.next_due or far, c.ae.pk))


def safety_case(*, user: Any, record_pk: int, today: dt.date) -> SafetyCase:
    """One serious adverse event as a case; NotFound for anything else."""
    require_safety_officer(user)
    ae = AdverseEvent.objects.filter(pk=record_pk, serious=True).select_related("participant",
                                                                                 "participant__site").first()
    if ae is None:
        raise NotFound(gettext("no serious adverse event %(record_pk)s") % {"record_pk": record_pk})
    return _case(ae, today)
