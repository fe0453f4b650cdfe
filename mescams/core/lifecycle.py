"""The participant lifecycle as a state machine.

A person enters the trial by giving informed consent (ICH E6: consent comes before any study-specific
procedure, screening included) and moves only along these arrows::

    consented -> screened -> eligible -> randomised -> infused -> crossed_over -> completed
                          \\-> screen_failed
    (any state from consented to crossed_over) -> withdrawn (with a reason)

``screened`` means the screening record has been entered and awaits (or has an undecided) eligibility verdict.

``infused`` is the week-0 infusion, ``crossed_over`` the week-24 one. A screen failure carries the criteria
that failed (from the eligibility engine); a withdrawal carries its reason. Everything else is refused with
:class:`mescams.errors.IllegalTransition`, naming the state and the step, so the web layer never needs its own
rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mescams.errors import IllegalTransition, InputValidationError

__all__ = [
    "TERMINAL_STATES",
    "TRANSITIONS",
    "INITIAL_STATE",
    "LifecycleStep",
    "ParticipantState",
    "allowed_steps",
    "apply_step",
]


class ParticipantState(StrEnum):
    CONSENTED = "consented"
    SCREENED = "screened"
    ELIGIBLE = "eligible"
    SCREEN_FAILED = "screen_failed"
    RANDOMISED = "randomised"
    INFUSED = "infused"
    CROSSED_OVER = "crossed_over"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class LifecycleStep(StrEnum):
    SCREEN = "screen"
    PASS_SCREENING = "pass_screening"  # noqa: S105  a lifecycle step, not a password
    FAIL_SCREENING = "fail_screening"
    RANDOMISE = "randomise"
    INFUSE = "infuse"
    CROSS_OVER = "cross_over"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


S, St = ParticipantState, LifecycleStep

TRANSITIONS: dict[tuple[ParticipantState, LifecycleStep], ParticipantState] = {
    (S.CONSENTED, St.SCREEN): S.SCREENED,
    (S.SCREENED, St.PASS_SCREENING): S.ELIGIBLE,
    (S.SCREENED, St.FAIL_SCREENING): S.SCREEN_FAILED,
    (S.ELIGIBLE, St.RANDOMISE): S.RANDOMISED,
    (S.RANDOMISED, St.INFUSE): S.INFUSED,
    (S.INFUSED, St.CROSS_OVER): S.CROSSED_OVER,
    (S.CROSSED_OVER, St.COMPLETE): S.COMPLETED,
    **{
        (state, St.WITHDRAW): S.WITHDRAWN
        for state in (S.CONSENTED, S.SCREENED, S.ELIGIBLE, S.RANDOMISED, S.INFUSED, S.CROSSED_OVER)
    },
}
"""Every allowed (state, step) pair and the state it leads to; nothing else is allowed."""

INITIAL_STATE = S.CONSENTED
"""The state a participant is registered in: the record of their informed consent creates them."""

TERMINAL_STATES = frozenset({S.SCREEN_FAILED, S.COMPLETED, S.WITHDRAWN})


@dataclass(frozen=True)
class StepResult:
    """The new state and what the step carries (failed criteria for a screen failure, reason for withdrawal)."""

    state: ParticipantState
    failed_criteria: tuple[str, ...] = ()
    reason: str = ""


def allowed_steps(state: ParticipantState) -> list[LifecycleStep]:
    """The steps that may be taken from ``state``, in the order of :class:`LifecycleStep`."""
    return [step for step in LifecycleStep if (state, step) in TRANSITIONS]


def apply_step(
    state: ParticipantState | str,
    step: LifecycleStep | str,
    *,
    failed_criteria: tuple[str, ...] | list[str] = (),
    reason: str = "",
) -> StepResult:
    """Return the state reached by taking ``step`` from ``state``, or raise IllegalTransition.

    A screen failure needs at least one failed criterion and a withdrawal needs a reason (both
    :class:`InputValidationError`, naming the field).
    """
    try:
        current, wanted = ParticipantState(state), LifecycleStep(step)
    except ValueError as exc:
        raise IllegalTransition(f"unknown state or step: {exc}") from None
    target = TRANSITIONS.get((current, wanted))
    if target is None:
        allowed = ", ".join(allowed_steps(current)) or "none (final state)"
        raise IllegalTransition(f"cannot {wanted.value} a participant who is {current.value} (allowed: {allowed})")
    if wanted is St.FAIL_SCREENING and not failed_criteria:
        raise InputValidationError("failed_criteria", "a screen failure must name at least one failed criterion")
    if wanted is St.WITHDRAW and not reason.strip():
        raise InputValidationError("reason", "a withdrawal needs a reason")
    return StepResult(target, tuple(failed_criteria), reason.strip())
