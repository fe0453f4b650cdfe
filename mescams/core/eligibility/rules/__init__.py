"""Small composable rule objects; each evaluates a record in Python and states itself in SQL."""

from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.rules.combinators import AllOf, AnyOf, ByCourse, CourseNotFulfilling, Not
from mescams.core.eligibility.rules.disease import (
    EdssBetween,
    EdssIncrease,
    GelWithin,
    RelapsesWithin,
    edss_at_randomisation,
)
from mescams.core.eligibility.rules.medical import (
    AllergyTo,
    HasCondition,
    LatestLabBelow,
    LatestLabFlagged,
    MalignancyHistory,
)
from mescams.core.eligibility.rules.person import AgeBetween, ConsentSigned, DiseaseDurationBetween, FlagIs
from mescams.core.eligibility.rules.therapy import (
    TherapyCoverage,
    TherapyEver,
    TherapyWithin,
    TherapyWithoutWashout,
    covered_days,
)

__all__ = [
    "AgeBetween",
    "AllOf",
    "AllergyTo",
    "AnyOf",
    "ByCourse",
    "ConsentSigned",
    "CourseNotFulfilling",
    "DiseaseDurationBetween",
    "EdssBetween",
    "EdssIncrease",
    "Evaluation",
    "FlagIs",
    "GelWithin",
    "HasCondition",
    "LatestLabBelow",
    "LatestLabFlagged",
    "MalignancyHistory",
    "Not",
    "RelapsesWithin",
    "Rule",
    "TherapyCoverage",
    "TherapyEver",
    "TherapyWithin",
    "TherapyWithoutWashout",
    "covered_days",
    "edss_at_randomisation",
]
