"""Every allowed transition of the participant state machine, and every refused one."""

from __future__ import annotations

import pytest

from mescams.core.lifecycle import (
    INITIAL_STATE,
    TRANSITIONS,
    LifecycleStep,
    ParticipantState,
    allowed_steps,
    apply_step,
)
from mescams.errors import IllegalTransition, InputValidationError

HAPPY_PATH = [
    ("consented", "screen", "screened"),
    ("screened", "pass_screening", "eligible"),
    ("eligible", "randomise", "randomised"),
    ("randomised", "infuse", "infused"),
    ("infused", "cross_over", "crossed_over"),
    ("crossed_over", "complete", "completed"),
]


@pytest.mark.parametrize(("state", "step", "target"), HAPPY_PATH)
def test_happy_path_steps(state: str, step: str, target: str) -> None:
    assert apply_step(state, step).state == ParticipantState(target)


def test_screen_failure_carries_the_failed_criteria() -> None:
    result = apply_step("screened", "fail_screening", failed_criteria=["E9", "I4"])
    assert result.state is ParticipantState.SCREEN_FAILED
    assert result.failed_criteria == ("E9", "I4")


def test_screen_failure_without_criteria_is_refused() -> None:
    with pytest.raises(InputValidationError, match="failed_criteria"):
        apply_step("screened", "fail_screening")


@pytest.mark.parametrize("state", ["consented", "screened", "eligible", "randomised", "infused", "crossed_over"])
def test_withdrawal_from_every_active_state_needs_a_reason(state: str) -> None:
    assert apply_step(state, "withdraw", reason="moved away").state is ParticipantState.WITHDRAWN
    with pytest.raises(InputValidationError, match="reason"):
        apply_step(state, "withdraw", reason="  ")


ALL_PAIRS = [(s, st) for s in ParticipantState for st in LifecycleStep]


@pytest.mark.parametrize(("state", "step"), [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_every_other_pair_is_illegal(state: ParticipantState, step: LifecycleStep) -> None:
    with pytest.raises(IllegalTransition, match=state.value):
        apply_step(state, step, failed_criteria=["E1"], reason="x")


def test_final_states_allow_nothing() -> None:
    for state in ("screen_failed", "completed", "withdrawn"):
        assert allowed_steps(ParticipantState(state)) == []


def test_unknown_names_are_illegal_transitions() -> None:
    with pytest.raises(IllegalTransition):
        apply_step("dancing", "screen")


def test_a_participant_starts_consented_and_cannot_be_assessed_before_screening() -> None:
    assert INITIAL_STATE is ParticipantState.CONSENTED
    for step in ("pass_screening", "fail_screening", "randomise"):
        with pytest.raises(IllegalTransition, match="consented"):
            apply_step(INITIAL_STATE, step, failed_criteria=["I5"])
