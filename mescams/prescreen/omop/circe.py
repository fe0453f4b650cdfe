"""The criteria as an ATLAS (Circe) cohort definition, derived from the same restricted rule objects.

Index date: the evaluation date ``on``, for every person observed on it (an observation-period entry event with a
user-defined period of that one day). Inclusion rules: an MS record on or before ``on``, then one rule per exclusion
whose "met" Circe can state, each as "no such event" (an exclusion applies means the person is out). A rule's
Circe form is read off the rule tree: conditions, drug exposures in a window, relapses and pregnancy records become
correlated criteria with day windows computed from the rule's own window (so calendar months become the exact day
count before ``on``), Kleene AND / OR become ALL / ANY groups, and an Unavailable part can never make a criterion
met, so it drops out of an ANY and voids an ALL. The inclusions (beyond the MS record: therapy-interval unions, the
latest EDSS, whole years of age; Circe's age is calendar years) and the exclusions that need "the latest" value or
the course (E1-E3, E14), or E10's remission of exempt cancers, have no Circe form; the description lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mescams.core.eligibility import Criterion
from mescams.core.eligibility.dates import Window
from mescams.core.eligibility.rules import (
    AllOf,
    AnyOf,
    FlagIs,
    HasCondition,
    MalignancyHistory,
    RelapsesWithin,
    Rule,
    TherapyEver,
    TherapyWithin,
)
from mescams.prescreen.omop.engine import Prepared
from mescams.prescreen.omop.inputs import Unavailable

__all__ = ["cohort_definition", "exportable"]

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


class _Translator:
    def __init__(self, prepared: Prepared, sets: _Sets, on: dt.date) -> None:
        self.prepared, self.sets, self.on = prepared, sets, on

    def met(self, rule: Rule) -> dict[str, Any] | None:  # noqa: PLR0911 - one case per rule class
        """A Circe group true exactly when ``rule`` is met; NEVER when it cannot be met in this source (an
        Unavailable part is never met); None when Circe cannot state it."""
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
        if isinstance(rule, FlagIs):
            return None
        if isinstance(rule, MalignancyHistory):
            # The exempt cancers count when their remission is recent; Circe reads a missing condition end date
            # as the day after the start, where the rule reads it as an unknown remission. So only a rule
            # without exempt cancers has a Circe form.
            if rule.exempt:
                return None
            keys = [f"condition:{c}" for c in sorted(rule.codes)]
            return _group("ANY", [_correlated("ConditionOccurrence", self.sets.id(keys, "malignancy"), upto)], [])
        return None


def exportable(prepared: Prepared, on: dt.date) -> dict[str, dict[str, Any]]:
    """Exclusion id -> its Circe "met" group, for the exclusions Circe can state (in protocol order)."""
    translator = _Translator(prepared, _Sets(prepared), on)
    out = {}
    for c in prepared.restriction.criteria:
        if c.kind == "exclusion":
            group = translator.met(c.rule)
            if group is not None and group is not NEVER:
                out[c.id] = group
    return out


def _negated(group: dict[str, Any]) -> dict[str, Any]:
    """"Not ``group``": Circe has no NOT, but an AT_MOST 0 group holds when none of its parts does."""
    return {"Type": "AT_MOST", "Count": 0, "CriteriaList": group["CriteriaList"],
            "DemographicCriteriaList": [], "Groups": group["Groups"]}


def cohort_definition(prepared: Prepared, on: dt.date, *, only: str | None = None) -> dict[str, Any]:
    """The ATLAS cohort definition. With ``only`` (a criterion id, or ``"MS"``), a definition whose one
    inclusion rule is that criterion *met*: its person count is the criterion's met count among observed people."""
    sets = _Sets(prepared)
    translator = _Translator(prepared, sets, on)
    ms_keys = ["ms:any", *[f"course:{c}" for c in prepared.concepts.course_names()]]
    ms_rule = _group("ALL", [_correlated("ConditionOccurrence", sets.id(ms_keys, "multiple sclerosis"),
                                         _window(None))], [])
    rules: list[dict[str, Any]] = []
    skipped = []
    if only in (None, "MS"):
        rules.append({"name": "MS diagnosis on or before the evaluation date", "expression": ms_rule})
    for c in prepared.restriction.criteria:
        if c.kind != "exclusion" or (only not in (None, c.id)):
            if only is None and c.kind == "inclusion":
                skipped.append(c.id)
            continue
        group = translator.met(c.rule)
        if group is None or group is NEVER:
            skipped.append(c.id)
            continue
        expression = group if only == c.id else _negated(group)
        rules.append({"name": f"{c.id}: {_short(c)}", "expression": expression})
    entry = {"ObservationPeriod": {"UserDefinedPeriod": {"StartDate": on.isoformat(), "EndDate": on.isoformat()}}}
    return {
        "cdmVersionRange": ">=5.0.0",
        "Title": f"MESCAMS feasibility on {on.isoformat()}",
        "Description": (f"Generated by mescams from the protocol's rule objects (concepts {prepared.concepts.version})."
                        f" Index: persons observed on {on.isoformat()}. Criteria Circe cannot state: "
                        f"{', '.join(skipped) or 'none'}."),
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
