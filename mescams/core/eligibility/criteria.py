"""The MESCAMS criteria I1-I5 and E1-E18 as rule objects, built from the protocol's parameters.

The shape of each criterion follows the trial record's text (which fields it reads, how the parts combine); every
number and drug list comes from the protocol's ``eligibility`` params and ``drug_classes``, so an amendment that
changes a window, a bound or a drug list is a change of the protocol file only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mescams.core.eligibility.dates import Window
from mescams.core.eligibility.record import Course
from mescams.core.eligibility.rules.base import Rule
from mescams.core.eligibility.rules.combinators import AllOf, AnyOf, ByCourse, CourseNotFulfilling
from mescams.core.eligibility.rules.disease import EdssBetween, EdssIncrease, GelWithin, RelapsesWithin
from mescams.core.eligibility.rules.medical import (
    AllergyTo,
    HasCondition,
    LatestLabBelow,
    LatestLabFlagged,
    MalignancyHistory,
)
from mescams.core.eligibility.rules.person import AgeBetween, ConsentSigned, DiseaseDurationBetween, FlagIs
from mescams.core.eligibility.rules.therapy import TherapyCoverage, TherapyEver, TherapyWithin, TherapyWithoutWashout
from mescams.core.protocol import Protocol

__all__ = ["Criterion", "build_criteria"]

Kind = Literal["inclusion", "exclusion"]


@dataclass(frozen=True)
class Criterion:
    """One numbered criterion: its id, whether it includes or excludes, the record's text and its rule."""

    id: str
    kind: Kind
    text: str
    rule: Rule


class _Builder:
    """Reads one protocol's params and drug classes; one method per criterion shape."""

    def __init__(self, protocol: Protocol) -> None:
        self.classes = protocol.drug_classes
        self.lookback = protocol.eligibility.edss_at_randomisation_lookback_days
        self.params = {c.id: c.params for c in protocol.eligibility.criteria}
        self.built: dict[str, Rule] = {}

    def drugs(self, name: str) -> frozenset[str]:
        return frozenset(self.classes[name])

    def _edss_increase(self, p: Mapping[str, Any]) -> EdssIncrease:
        return EdssIncrease(Window(months=p["edss_increase_window_months"]), low=p["edss_increase_low"],
                            high=p["edss_increase_high"], high_from=p["edss_high_from"], lookback_days=self.lookback)

    def diagnosis(self, p: Mapping[str, Any]) -> Rule:
        documented = bool(p.get("relapses_must_be_clinically_documented", True))
        therapy = TherapyCoverage(self.drugs("approved_ms_therapies"), p["min_approved_therapy_days"])
        cases: dict[Course, Rule] = {}
        if "RRMS" in p:
            r = p["RRMS"]
            cases["RRMS"] = AllOf(therapy, AnyOf(
                RelapsesWithin(Window(months=r["relapse_window_months"]), r["min_relapses_in_window"], documented),
                RelapsesWithin(Window(months=r["long_relapse_window_months"]), r["min_relapses_in_long_window"],
                               documented),
                GelWithin(Window(months=r["gel_window_months"]), r["min_gel_count"]),
            ))
        if "SPMS" in p:
            s = p["SPMS"]
            activity = Window(months=s["activity_window_months"])
            cases["SPMS"] = AllOf(therapy, self._edss_increase(s), AnyOf(
                RelapsesWithin(activity, s["min_relapses"], documented), GelWithin(activity, s["min_gel_count"])))
        if "PPMS" in p:
            q = p["PPMS"]
            parts: list[Rule] = [self._edss_increase(q), GelWithin(Window(months=q["gel_window_months"]),
                                                                    q["min_gel_count"])]
            if q.get("requires_csf_oligoclonal_bands"):
                parts.append(FlagIs("ms.csf_oligoclonal_bands", True))
            cases["PPMS"] = AllOf(*parts)
        return ByCourse(cases)

    def rule(self, cid: str) -> Rule:
        """The rule of criterion ``cid``: one shape per criterion of the record, numbers from the params."""
        p = self.params[cid]
        shapes: dict[str, Callable[[], Rule]] = {
            "I1": lambda: self.diagnosis(p),
            "I2": lambda: AgeBetween(p["min_age_years"], p["max_age_years"]),
            "I3": lambda: DiseaseDurationBetween(p["min_duration_years"], p["max_duration_years"]),
            "I4": lambda: EdssBetween(p["min_edss"], p["max_edss"], self.lookback),
            "I5": lambda: ConsentSigned(),
            "E1": lambda: CourseNotFulfilling(p["course"], self.built["I1"], "I1"),
            "E2": lambda: CourseNotFulfilling(p["course"], self.built["I1"], "I1"),
            "E3": lambda: CourseNotFulfilling(p["course"], self.built["I1"], "I1"),
            "E4": lambda: HasCondition(frozenset(p["conditions"])),
            "E5": lambda: TherapyWithin(self.drugs(p["drug_class"]), _window(p), "immunosuppressive therapy"),
            "E6": lambda: TherapyEver(self.drugs(p["drug_class"])),
            "E7": lambda: AnyOf(
                TherapyWithin(self.drugs(p["drug_class"]), _window(p), "interferon/glatiramer/DMT"),
                TherapyWithoutWashout(p["washout_drug"], self.drugs(p["washout_methods"])),
            ),
            "E8": lambda: TherapyWithin(self.drugs(p["drug_class"]), _window(p), "corticosteroid"),
            "E9": lambda: RelapsesWithin(_window(p), 1, documented_only=False),
            "E10": lambda: MalignancyHistory(frozenset(p["conditions"]), frozenset(p["remission_exempt_conditions"]),
                                             p["min_remission_years"]),
            "E11": lambda: HasCondition(frozenset(p["conditions"])),
            "E12": lambda: AnyOf(HasCondition(frozenset(p["conditions"])), LatestLabFlagged(p["lab_test"])),
            "E13": lambda: AnyOf(FlagIs("pregnant", True), AllOf(FlagIs("childbearing_potential", True),
                                                                 FlagIs("willing_to_use_contraception", False))),
            "E14": lambda: AnyOf(LatestLabBelow(p["lab_test"], p["min_egfr"], p["unit"]),
                                 HasCondition(frozenset(p["conditions"])), FlagIs("can_undergo_mri", False)),
            "E15": lambda: AllergyTo(self.drugs(p["substance_class"])),
            "E16": lambda: FlagIs("able_to_consent", False),
            "E17": lambda: FlagIs("in_other_trial", True),
            "E18": lambda: FlagIs("able_to_adhere", False),
        }
        if cid not in shapes:
            raise KeyError(f"no rule shape for criterion {cid}")
        self.built[cid] = shapes[cid]()
        return self.built[cid]


def _window(params: Mapping[str, Any]) -> Window:
    if "window_months" in params:
        return Window(months=params["window_months"])
    return Window(days=params["window_days"])


def build_criteria(protocol: Protocol) -> tuple[Criterion, ...]:
    """Every criterion of the protocol, inclusions then exclusions, in the protocol's order."""
    builder = _Builder(protocol)
    out = []
    for kind, items in (("inclusion", protocol.eligibility.inclusion), ("exclusion", protocol.eligibility.exclusion)):
        for c in items:
            out.append(Criterion(c.id, "inclusion" if kind == "inclusion" else "exclusion", c.text, builder.rule(c.id)))
    return tuple(out)
