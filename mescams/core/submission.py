"""Facts a regulatory submission states about the trial that the rest of the protocol does not: objectives,
stopping rule, therapeutic area, diagnosis group, pharmacologic class and current therapy (SDTM TS parameters
OBJPRIM, OBJSEC, STOPRULE, THERAREA, TDIGRP, PCLAS, CURTRT).

Why protocol data: these are properties of the trial, written once in the protocol file and read by every export,
never typed into exporter code. A fact the trial does not have (no pharmacologic class for a cell therapy) is
``None`` with the reason, which becomes a null flavour, not an invented value.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CodedFact", "SubmissionFacts"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodedFact(_Model):
    """A term from an external dictionary: the term, its code, the dictionary's name and version."""

    term: str = Field(min_length=1)
    code: str | None = None
    dictionary: str | None = None
    version: str | None = None


class SubmissionFacts(_Model):
    objective_primary: str = Field(min_length=1)
    objective_secondary: list[str] = Field(default_factory=list)
    stopping_rule: str = Field(min_length=1)
    therapeutic_area: str = Field(min_length=1)
    diagnosis_group: CodedFact
    pharmacologic_class: CodedFact | None = None
    pharmacologic_class_absent_reason: str | None = None
    """Why there is no pharmacologic class (e.g. no established class for an autologous cell therapy)."""
    current_therapy: str | None = None
    """Background therapy every participant stays on (CURTRT), None when the trial has none."""
