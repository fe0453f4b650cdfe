"""Every lifecycle transition through the services, on SQLite and PostgreSQL, and the refused ones."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.randomisation.services import generate_list, randomise
from mescams.edc.trial import services
from mescams.edc.trial.models import Participant
from mescams.errors import (
    AllocationExhausted,
    AlreadyRandomised,
    ConsentRequired,
    IllegalTransition,
    InputValidationError,
)
from tests.factories.edc import (
    RANDOMISATION,
    SCREENING,
    consented,
    eligible,
    eligible_record,
    infuse,
    randomised,
    screened,
)


def status(pid: str) -> str:
    return Participant.objects.get(participant_id=pid).status


def test_full_path_consented_to_completed(users, allocation) -> None:
    coord = users["coord"]
    pid = consented(coord)
    assert status(pid) == "consented"
    services.screen(user=coord, participant_id=pid, screening_date=SCREENING, record=eligible_record())
    assert status(pid) == "screened"
    _, outcome = services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    assert outcome.eligible is True and status(pid) == "eligible"
    slot = randomise(user=coord, participant_id=pid, on=RANDOMISATION)
    assert status(pid) == "randomised" and slot.number == 1 and slot.site_code == "OTT"
    assert Participant.objects.get(participant_id=pid).week0_date == RANDOMISATION
    infuse(coord, pid, "W0")
    assert status(pid) == "infused"
    infuse(coord, pid, "W24")
    assert status(pid) == "crossed_over"
    services.complete(user=coord, participant_id=pid)
    assert status(pid) == "completed"


def test_screen_failure_records_the_failed_criteria(users, allocation) -> None:
    coord = users["coord"]
    record = eligible_record()
    record["relapses"].append({"onset_date": (RANDOMISATION - dt.timedelta(days=20)).isoformat(),
                               "clinically_documented": True})
    pid = screened(coord, record=record)
    _, outcome = services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    assert outcome.eligible is False
    p = Participant.objects.get(participant_id=pid)
    assert p.status == "screen_failed" and p.failed_criteria == ["E9"]
    with pytest.raises(IllegalTransition):
        randomise(user=coord, participant_id=pid, on=RANDOMISATION)


def test_unknown_eligibility_leaves_the_participant_screened(users, allocation) -> None:
    coord = users["coord"]
    pid = screened(coord, record=eligible_record(pregnant=None, childbearing_potential=None))
    _, outcome = services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    assert outcome.eligible is None and status(pid) == "screened"


@pytest.mark.parametrize("when", ["screened", "consented", "eligible", "randomised", "infused"])
def test_withdrawal_from_each_state_keeps_the_reason(users, allocation, when) -> None:
    coord = users["coord"]
    pid = {"consented": lambda: consented(coord), "screened": lambda: screened(coord),
           "eligible": lambda: eligible(coord), "randomised": lambda: randomised(coord)}.get(when, lambda: None)()
    if when == "infused":
        pid = randomised(coord)
        infuse(coord, pid)
    assert status(pid) == when
    services.withdraw(user=coord, participant_id=pid, reason="moved away", on=RANDOMISATION)
    p = Participant.objects.get(participant_id=pid)
    assert (p.status, p.withdrawal_reason) == ("withdrawn", "moved away")
    with pytest.raises(IllegalTransition):
        services.complete(user=coord, participant_id=pid)


def test_illegal_transitions_are_refused_and_change_nothing(users, allocation) -> None:
    coord = users["coord"]
    pid = consented(coord)
    with pytest.raises(ConsentRequired, match="no screening record"):
        services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    with pytest.raises(IllegalTransition):
        randomise(user=coord, participant_id=pid, on=RANDOMISATION)
    with pytest.raises(IllegalTransition):
        services.complete(user=coord, participant_id=pid)
    assert status(pid) == "consented"
    pid2 = randomised(coord)
    with pytest.raises(IllegalTransition):
        infuse(coord, pid2, "W24")  # crossing over before the first infusion
    assert status(pid2) == "randomised"
    with pytest.raises(InputValidationError, match="reason"):
        services.withdraw(user=coord, participant_id=pid2, reason=" ", on=RANDOMISATION)


def test_never_randomised_twice(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    with pytest.raises(AlreadyRandomised):
        randomise(user=coord, participant_id=pid, on=RANDOMISATION)
    assert AllocationSlot.objects.filter(participant__participant_id=pid).count() == 1


def test_exhausted_list_is_a_clear_error(users) -> None:
    coord = users["coord"]
    stored = generate_list(actor=users["statistician"], seed="ab" * 32, slots_per_site=1)
    size = stored.slots.filter(site_code="OTT").count()
    taken = [randomised(coord) for _ in range(size)]
    numbers = list(AllocationSlot.objects.filter(participant__isnull=False, site_code="OTT")
                   .order_by("assigned_at", "pk").values_list("number", flat=True))
    assert numbers == list(range(1, size + 1)) and len(taken) == size
    pid = eligible(coord)
    with pytest.raises(AllocationExhausted, match="OTT"):
        randomise(user=coord, participant_id=pid, on=RANDOMISATION)
    assert status(pid) == "eligible"


def test_strata_are_separate(users, allocation) -> None:
    a = randomised(users["coord"], site="OTT")
    b = randomised(users["coord_wpg"], site="WPG")
    slots = {s.participant.participant_id: (s.site_code, s.number)
             for s in AllocationSlot.objects.filter(participant__isnull=False).select_related("participant")}
    assert slots == {a: ("OTT", 1), b: ("WPG", 1)}


def test_site_users_cannot_touch_other_sites(users, allocation) -> None:
    pid = consented(users["coord_wpg"], site="WPG")
    with pytest.raises(services.NotFound):
        services.screen(user=users["coord"], participant_id=pid, screening_date=SCREENING, record=eligible_record())
    with pytest.raises(InputValidationError, match="site"):
        screened(users["coord"], site="WPG")
    assert [p.participant_id for p in services.visible_participants(users["coord"])] == []
    assert [p.participant_id for p in services.visible_participants(users["dm"])] == [pid]
