"""The criteria as an ATLAS (Circe) cohort definition, derived from the same restricted rule objects.

Index date: the evaluation date ``on``, for every person observed on it (an observation-period entry event with a
user-defined period of that one day). Inclusion rules: an MS record on or before ``on``, each inclusion Circe can
state as it is, and each such exclusion as "no such event". A rule's Circe form is read off the rule tree:
conditions, drug exposures in a window, relapses and pregnancy records (condition or observation) become correlated
criteria with day windows computed from the rule's own window (so calendar months become the exact day count
before ``on``); disease duration becomes the first MS record inside the onset dates the rule's year arithmetic
allows; Kleene AND / OR become ALL / ANY groups, and an Unavailable part can never make a criterion met, so it drops
out of an ANY and voids an ALL. What has no Circe form ("the latest" value or course record, interval unions,
calendar-year ages, E10's remissions, negations) is left out with one line of why, in the definition's description
and the CLI's output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mescams.core.eligibility import Criterion
from mescams.core.eligibility.dates import Window, completed_years
from mescams.core.eligibility.rules import (
    AgeBetween,
    AllOf,
    AnyOf,
    ByCourse,
    CourseNotFulfilling,
    DiseaseDurationBetween,
    EdssBetween,
    EdssIncrease,
    FlagIs,
    HasCondition,
    LatestLabBelow,
    MalignancyHistory,
    Not,
    RelapsesWithin,
    Rule,
    TherapyCoverage,
    TherapyEver,
    TherapyWithin,
)
from mescams.prescreen.omop.engine import Prepared
from mescams.prescreen.omop.inputs import Unavailable

__all__ = ["cohort_definition", "exportable", "unstateable"]

_AT_LEAST = 2
NEVER: dict[str, Any] = {"never": True}  # a rule part that no one can meet in this source


class _Sets:
    """The definition's concept sets, one per distinct list of resolved set keys."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.sets: list[dict[str, Any]] = []
        self._ids: dict[tuple[str, ...], int] = {}

    def id(self, keys: list[str], name: str) -> int:
        wanted = tuple(sorted(k for k in keys if self.prepared.resolved.available(k)))
        if wanted not in self._ids:
            items = []
            for key in wanted:
                for cid, descendants, excluded in self.prepared.resolved.roots[key]:
                    items.append({"concept": {"CONCEPT_ID": cid, "CONCEPT_NAME": key},
                                  "includeDescendants": descendants, "isExcluded": excluded, "includeMapped": False})
            self._ids[wanted] = len(self.sets)
            self.sets.append({"id": len(self.sets), "name": name, "expression": {"items": items}})
        return self._ids[wanted]


def _days_back(window: Window, on: dt.date) -> int:
    """Days before ``on`` of the earliest date inside the window (start < d <= on)."""
    return (on - window.start(on)).days - 1


def _window(before: int | None, after: int | None = 0) -> dict[str, Any]:
    start: dict[str, Any] = {"Coeff": -1} if before is None else {"Days": before, "Coeff": -1}
    end: dict[str, Any] = {"Coeff": 1} if after is None else {"Days": after, "Coeff": 1}
    return {"Start": start, "End": end, "UseIndexEnd": False, "UseEventEnd": False}


def _correlated(domain: str, codeset: int, start: dict[str, Any], *, count: int = 1,
                end: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    criteria = {"CodesetId": codeset, **(extra or {})}
    out: dict[str, Any] = {"Criteria": {domain: criteria}, "StartWindow": start,
                           "Occurrence": {"Type": _AT_LEAST, "Count": count}, "IgnoreObservationPeriod": True,
                           "RestrictVisit": False}
    if end is not None:
        out["EndWindow"] = {**end, "UseEventEnd": True}
    return out


def _group(kind: str, items: list[dict[str, Any]], groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Type": kind, "CriteriaList": items, "DemographicCriteriaList": [], "Groups": groups}


_WHY_NOT: dict[type, str] = {
    AgeBetween: "age: Circe counts calendar years (index year minus year of birth), the rule whole years from the "
                "birth date",
    EdssBetween: "EDSS at randomisation is the latest assessment: \"no later one\" needs Circe's nested criteria, "
                 "which keep only records inside an observation period; the rule reads every record",
    LatestLabBelow: "the latest result: \"no later one\" needs Circe's nested criteria, which keep only records "
                    "inside an observation period; the rule reads every record",
    FlagIs: "a yes/no field of the record (CSF bands, MRI ability) that the mapping derives; not generated",
    EdssIncrease: "EDSS increase: the rule subtracts an earlier score from the latest; Circe compares a value with "
                  "constants, never with another record's value",
    TherapyCoverage: "a year of therapy: the union of exposure intervals must total the days; Circe counts "
                     "events, not covered days",
    MalignancyHistory: "exempt cancers count by remission (condition end date); Circe reads a missing end date as "
                       "the day after the start, the rule as an unknown remission",
    Not: "a negated part: Circe has no NOT over a group of ALL or nested rules",
}


def _days_window(earliest: int, latest: int) -> dict[str, Any]:
    """Event start from ``earliest`` to ``latest`` days before the index date, both inclusive."""
    return {"Start": {"Days": earliest, "Coeff": -1}, "End": {"Days": latest, "Coeff": -1}, "UseIndexEnd": False,
            "UseEventEnd": False}


def _onset_days(rule: DiseaseDurationBetween, on: dt.date) -> tuple[int, int]:
    """Days before ``on`` of the earliest and latest onset dates with a duration inside the rule's bounds, found with
    the rule's own year arithmetic (completed_years is non-increasing in the onset date)."""
    back = range(0, (rule.high + 2) * 366)
    inside = [n for n in back if rule.low <= completed_years(on - dt.timedelta(days=n), on) <= rule.high]
    return max(inside), min(inside)


class _Translator:
    def __init__(self, prepared: Prepared, sets: _Sets, on: dt.date) -> None:
        self.prepared, self.sets, self.on = prepared, sets, on
        self.why = ""

    def cannot(self, rule: Rule) -> None:
        self.why = self.why or _WHY_NOT.get(type(rule), f"{type(rule).__name__} has no Circe form")

    def met(self, rule: Rule) -> dict[str, Any] | None:  # noqa: PLR0911 - one case per rule class
        """A Circe group true exactly when ``rule`` is met; NEVER when it cannot be met in this source (an
        Unavailable part is never met); None when Circe cannot state it (``why`` then says why)."""
        if isinstance(rule, Unavailable):
            return NEVER
        if isinstance(rule, AnyOf | AllOf):
            parts = [self.met(p) for p in rule.parts]
            if isinstance(rule, AllOf) and any(p is NEVER for p in parts):
                return NEVER
            if any(p is None for p in parts):
                return None
            if isinstance(rule, AllOf):
                return _group("ALL", [], [p for p in parts if p])
            kept = [p for p in parts if p is not NEVER and p is not None]
            return _group("ANY", [], kept) if kept else NEVER
        upto = _window(None)
        if isinstance(rule, DiseaseDurationBetween):  # onset = the first MS record (see mapping)
            ms_keys = ["ms:any", *[f"course:{c}" for c in self.prepared.concepts.course_names()]]
            first = _correlated("ConditionOccurrence", self.sets.id(ms_keys, "multiple sclerosis"),
                                _days_window(*_onset_days(rule, self.on)), extra={"First": True})
            return _group("ALL", [first], [])
        if isinstance(rule, HasCondition):
            keys = [f"condition:{c}" for c in sorted(rule.codes)]
            return _group("ANY", [_correlated("ConditionOccurrence", self.sets.id(keys, "/".join(rule.codes)),
                                              upto)], [])
        if isinstance(rule, TherapyWithin):
            keys = [f"drug:{d}" for d in sorted(rule.drugs)]
            ongoing = _window(_days_back(rule.window, self.on), None)
            item = _correlated("DrugExposure", self.sets.id(keys, rule.label), upto, end=ongoing)
            return _group("ANY", [item], [])
        if isinstance(rule, TherapyEver):
            keys = [f"drug:{d}" for d in sorted(rule.drugs)]
            return _group("ANY", [_correlated("DrugExposure", self.sets.id(keys, "/".join(rule.drugs)), upto)], [])
        if isinstance(rule, RelapsesWithin):
            inside = _window(_days_back(rule.window, self.on))
            item = _correlated("ConditionOccurrence", self.sets.id(["fact:relapse"], "MS relapse"), inside,
                               count=rule.at_least)
            return _group("ANY", [item], [])
        if isinstance(rule, FlagIs) and rule.field == "pregnant" and rule.value:
            cset = self.prepared.concepts.sets["fact:pregnancy"]
            codeset = self.sets.id(["fact:pregnancy"], "pregnancy")
            tables = ["ConditionOccurrence", *(["Observation"] if cset.also_in_observation else [])]
            return _group("ANY", [_correlated(t, codeset, _window((cset.window_days or 280) - 1)) for t in tables],
                          [])
        if isinstance(rule, ByCourse):  # each course's rule must have a Circe form first
            for course, case in rule.cases.items():
                if self.met(case) is None:
                    self.why = f"{course} case: {self.why}"
                    return None
            self.why = "MS course cases keyed on the latest course record: not generated"
            return None
        if isinstance(rule, CourseNotFulfilling):
            inner = _Translator(self.prepared, self.sets, self.on)
            if inner.met(rule.inclusion) is None:
                self.why = f"{rule.course} not fulfilling {rule.inclusion_id}, which has no Circe form ({inner.why})"
            else:
                self.why = f"{rule.course} not fulfilling {rule.inclusion_id}: Circe cannot negate that rule"
            return None
        if isinstance(rule, FlagIs):
            self.cannot(rule)
            return None
        if isinstance(rule, MalignancyHistory):
            # The exempt cancers count when their remission is recent; Circe reads a missing condition end date
            # as the day after the start, where the rule reads it as an unknown remission. So only a rule
            # without exempt cancers has a Circe form.
            if rule.exempt:
                self.cannot(rule)
                return None
            keys = [f"condition:{c}" for c in sorted(rule.codes)]
            return _group("ANY", [_correlated("ConditionOccurrence", self.sets.id(keys, "malignancy"), upto)], [])
        self.cannot(rule)
        return None


def _translate(prepared: Prepared, on: dt.date, sets: _Sets) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """(criterion id -> its Circe "met" group, criterion id -> why Circe cannot state it), in protocol order."""
    groups, why = {}, {}
    for c in prepared.restriction.criteria:
        translator = _Translator(prepared, sets, on)
        group = translator.met(c.rule)
        if group is NEVER:
            lacking = ", ".join(sorted(prepared.restriction.missing.get(c.id, {}))) or "an input"
            why[c.id] = f"never met here: needs {lacking}, which this source lacks (unknown for everyone)"
        elif group is None:
            why[c.id] = translator.why
        else:
            groups[c.id] = group
    return groups, why


def exportable(prepared: Prepared, on: dt.date) -> dict[str, dict[str, Any]]:
    """Criterion id -> its Circe "met" group, for the criteria Circe can state (in protocol order)."""
    return _translate(prepared, on, _Sets(prepared))[0]


def unstateable(prepared: Prepared, on: dt.date) -> dict[str, str]:
    """Criterion id -> one line saying why the cohort definition leaves it out."""
    return _translate(prepared, on, _Sets(prepared))[1]


def _negated(group: dict[str, Any]) -> dict[str, Any]:
    """"Not ``group``": Circe has no NOT, but an AT_MOST 0 group holds when none of its parts does."""
    return {"Type": "AT_MOST", "Count": 0, "CriteriaList": group["CriteriaList"],
            "DemographicCriteriaList": [], "Groups": group["Groups"]}


def cohort_definition(prepared: Prepared, on: dt.date, *, only: str | None = None) -> dict[str, Any]:
    """The ATLAS cohort definition. With ``only`` (a criterion id, or ``"MS"``), a definition whose one
    inclusion rule is that criterion *met*: its person count is the criterion's met count among observed people.
    Inclusions Circe can state are rules as they are, exclusions "none of" their met group."""
    sets = _Sets(prepared)
    ms_keys = ["ms:any", *[f"course:{c}" for c in prepared.concepts.course_names()]]
    ms_rule = _group("ALL", [_correlated("ConditionOccurrence", sets.id(ms_keys, "multiple sclerosis"),
                                         _window(None))], [])
    groups, why = _translate(prepared, on, sets)
    rules: list[dict[str, Any]] = []
    if only in (None, "MS"):
        rules.append({"name": "MS diagnosis on or before the evaluation date", "expression": ms_rule})
    kinds = {c.id: c for c in prepared.restriction.criteria}
    for cid, group in groups.items():
        if only not in (None, cid):
            continue
        c = kinds[cid]
        expression = group if (only == cid or c.kind == "inclusion") else _negated(group)
        rules.append({"name": f"{cid}: {_short(c)}", "expression": expression})
    entry = {"ObservationPeriod": {"UserDefinedPeriod": {"StartDate": on.isoformat(), "EndDate": on.isoformat()}}}
    left_out = "\n".join(f"{cid}: {reason}" for cid, reason in why.items())
    return {
        "cdmVersionRange": ">=5.0.0",
        "Title": f"MESCAMS feasibility on {on.isoformat()}",
        "Description": (f"Generated by mescams from the protocol's rule objects (concepts {prepared.concepts.version})."
                        f" Index: persons observed on {on.isoformat()}. Criteria Circe cannot state, left out:\n"
                        f"{left_out or 'none'}"),
        "ConceptSets": sets.sets,
        "PrimaryCriteria": {"CriteriaList": [entry], "ObservationWindow": {"PriorDays": 0, "PostDays": 0},
                            "PrimaryCriteriaLimit": {"Type": "First"}},
        "QualifiedLimit": {"Type": "First"},
        "ExpressionLimit": {"Type": "First"},
        "InclusionRules": rules,
        "EndStrategy": {"DateOffset": {"DateField": "StartDate", "Offset": 0}},
        "CensoringCriteria": [],
        "CollapseSettings": {"CollapseType": "ERA", "EraPad": 0},
        "CensorWindow": {},
    }


def _short(c: Criterion) -> str:
    return c.text if len(c.text) <= 80 else c.text[:77] + "..."
