"""The EDC's one call into the eligibility engine (``mescams.core.eligibility``), shaped as the contract's output.

The engine reads a screening record (patient.schema.json) and a date and gives, per criterion, met / not met /
unknown with a reason. The EDC keeps the whole verdict on the screening record and moves the participant to
eligible or screen-failed with the failed criteria.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mescams.core.eligibility import Criterion, assess, build_criteria, parse_record
from mescams.protocols import default_protocol


@dataclass(frozen=True)
class EligibilityOutcome:
    eligible: bool | None
    criteria: list[dict[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """Criteria that make the person ineligible: an inclusion not met or an exclusion met."""
        return [
            c["id"] for c in self.criteria
            if (c["kind"] == "inclusion" and c["status"] == "not_met")
            or (c["kind"] == "exclusion" and c["status"] == "met")
        ]


@lru_cache(maxsize=1)
def _criteria() -> tuple[Criterion, ...]:
    return build_criteria(default_protocol())


def evaluate(record: dict[str, Any], on: dt.date) -> EligibilityOutcome:
    """Run the engine on ``record`` as of ``on`` (the planned randomisation date); EligibilityInputError if bad."""
    result = assess(parse_record(record), on, _criteria()).as_json()
    return EligibilityOutcome(result["eligible"], [dict(c) for c in result["criteria"]])
