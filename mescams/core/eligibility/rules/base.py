"""The rule interface: one small object that evaluates a record in Python and states itself in SQL.

Both forms live side by side in each class so they cannot drift: ``evaluate`` reads a typed
:class:`~mescams.core.eligibility.record.PatientRecord`, ``to_sql`` returns a sqlglot boolean expression over one
registry patient (TRUE met, FALSE not met, NULL unknown). The pre-screening tests compare the two on a generated
registry, patient by patient and criterion by criterion.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from mescams.core.eligibility.record import PatientRecord
from mescams.core.eligibility.sql import SqlContext
from mescams.core.eligibility.verdict import Verdict

__all__ = ["Evaluation", "Rule"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a rule sees: the record, the evaluation date, and the verdicts of the criteria already decided."""

    record: PatientRecord
    on: dt.date
    decided: Mapping[str, Verdict] = field(default_factory=dict)


class Rule(ABC):
    """A three-valued test of one screening record on an evaluation date."""

    @abstractmethod
    def evaluate(self, ev: Evaluation) -> Verdict:
        """The verdict, with a reason naming the dates and values that decided it."""

    @abstractmethod
    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        """The same test as a boolean SQL expression over one registry patient (NULL = unknown)."""
