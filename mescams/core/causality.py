"""Adverse-event causality: the investigator's judgement of an event's relation to the study infusion.

The scale is the usual five-step one (after the WHO-UMC categories): ``not_related``, ``unlikely``, ``possible``,
``probable``, ``definite``. Analyses and exports that need a yes/no (the analysis data's ``related``, SDTM
``AEREL``) count ``possible`` and above as related: the conservative reading used in safety reporting, since an
event that may have been caused by the product must not be reported as unrelated. An event not yet assessed has
no causality (``None``) and is not yet counted as related; the AE review lists it as awaiting assessment.
"""

from __future__ import annotations

from enum import StrEnum

from mescams.errors import InputValidationError

__all__ = ["CAUSALITY_SCALE", "Causality", "is_related", "parse_causality"]


class Causality(StrEnum):
    """One step of the causality scale, weakest first."""

    NOT_RELATED = "not_related"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


CAUSALITY_SCALE: tuple[Causality, ...] = tuple(Causality)
"""The choices in order, weakest first (what a form offers; none is pre-selected)."""

RELATED_FROM = Causality.POSSIBLE


def parse_causality(value: str, field: str = "causality") -> Causality:
    """The scale step named ``value``; InputValidationError naming ``field`` and the allowed values otherwise."""
    try:
        return Causality(value)
    except ValueError:
        allowed = ", ".join(c.value for c in CAUSALITY_SCALE)
        raise InputValidationError(field, f"must be one of {allowed}, got {value!r}") from None


def is_related(causality: Causality | str | None) -> bool:
    """True for ``possible``, ``probable`` and ``definite``; False for the others and for not yet assessed."""
    if causality is None or causality == "":
        return False
    step = parse_causality(str(causality))
    return CAUSALITY_SCALE.index(step) >= CAUSALITY_SCALE.index(RELATED_FROM)
