"""The SUSAR rule: a suspected unexpected serious adverse reaction, judged in two steps.

1. **Screening, blind.** A *candidate* is an event that is serious, related (causality possible or above,
   :func:`mescams.core.causality.is_related`) and not expected by the RSI. An event whose causality is not yet
   assessed, or whose expectedness is not assessable yet (not coded), is *pending*: it may still become a
   candidate, so it is shown with its clock rather than dropped. Screening uses no allocation, so it reveals none.
2. **Verdict, unblinded for that case alone.** A candidate is a SUSAR when the participant was on the active
   product at onset (the infusion most recently on or before onset gave an active product): MSC yes, placebo
   no, and an event before the first infusion is not a reaction to any product. Only the unblinded safety role
   reaches this step (:mod:`mescams.core.blinding`).

ICH E2A; Health Canada, Food and Drug Regulations C.05.001 and C.05.014.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from mescams.core.causality import Causality, is_related
from mescams.core.safety.reference_safety import Expectedness

__all__ = ["Screening", "SusarVerdict", "product_at_onset", "screen_case", "susar_verdict"]


class Screening(StrEnum):
    NOT_CANDIDATE = "not_candidate"  # not serious, not related, or expected
    PENDING_CAUSALITY = "pending_causality"  # serious, causality not yet assessed
    PENDING_EXPECTEDNESS = "pending_expectedness"  # serious and related, not coded yet
    CANDIDATE = "candidate"  # serious, related, unexpected: unblind this case to decide


class SusarVerdict(StrEnum):
    SUSAR = "susar"  # on the active product: expedited report due
    NOT_SUSAR_CONTROL = "not_susar_control"  # on the placebo (control): no expedited report
    NOT_SUSAR_UNEXPOSED = "not_susar_unexposed"  # before any infusion: not a reaction to a product


def screen_case(*, serious: bool, causality: Causality | str | None, expectedness: Expectedness) -> Screening:
    """The blind screening step (see the module docstring)."""
    if not serious:
        return Screening.NOT_CANDIDATE
    if causality is None or causality == "":
        return Screening.PENDING_CAUSALITY
    if not is_related(causality):
        return Screening.NOT_CANDIDATE
    if expectedness is Expectedness.EXPECTED:
        return Screening.NOT_CANDIDATE
    if expectedness is Expectedness.NOT_ASSESSABLE:
        return Screening.PENDING_EXPECTEDNESS
    return Screening.CANDIDATE


def product_at_onset(infusions: Sequence[tuple[dt.date, str]], onset: dt.date) -> str | None:
    """The product of the infusion most recently on or before ``onset`` (the analysis contract's attribution
    rule); None when the event began before the first infusion."""
    preceding = sorted((day, product) for day, product in infusions if day <= onset)
    return preceding[-1][1] if preceding else None


def susar_verdict(*, screening: Screening, product: str | None, active_products: Sequence[str]) -> SusarVerdict:
    """The verdict on a candidate, given the product at onset; refuses anything but a candidate."""
    if screening is not Screening.CANDIDATE:
        raise ValueError(f"only a SUSAR candidate gets a verdict, not a case screened {screening.value}")
    if product is None:
        return SusarVerdict.NOT_SUSAR_UNEXPOSED
    return SusarVerdict.SUSAR if product in active_products else SusarVerdict.NOT_SUSAR_CONTROL
