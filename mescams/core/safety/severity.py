"""An adverse event's severity (intensity: mild, moderate, severe), beside its CTCAE grade.

The two are recorded apart (CDISC: ``AESEV`` and ``AETOXGR``) because they answer different questions, yet
CTCAE v5.0 defines its grades in the same words: grade 1 "mild", grade 2 "moderate", grade 3 "severe or
medically significant", grades 4 (life-threatening) and 5 (death) beyond severe. :func:`severity_for_grade`
is that correspondence: a severity that differs from it is queried (the site confirms or corrects), and events
recorded before severity existed were given it (migration crfs ``0007_ae_seriousness``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SEVERITY_SCALE", "Severity", "severity_for_grade"]


class Severity(StrEnum):
    """Intensity of an adverse event, weakest first."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


SEVERITY_SCALE: tuple[Severity, ...] = tuple(Severity)


def severity_for_grade(grade: int) -> Severity:
    """The severity CTCAE v5.0's wording gives grade ``grade`` (1 mild, 2 moderate, 3 to 5 severe)."""
    if grade not in (1, 2, 3, 4, 5):
        raise ValueError(f"a CTCAE grade is 1 to 5, got {grade!r}")
    return {1: Severity.MILD, 2: Severity.MODERATE}.get(grade, Severity.SEVERE)
