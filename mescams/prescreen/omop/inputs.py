"""Which inputs of each criterion an OMOP source can supply, and the criteria restricted to those inputs.

The rule objects are the protocol's one definition of each criterion. An OMOP source lacks some of their inputs
(the study's consent, an investigator's judgement, a concept the site's vocabulary does not hold), and the
registry rules would read such a gap as a decided fact (no consent date means "not signed", an empty therapy list
means "none"). So each rule part that reads a missing input is replaced by :class:`Unavailable`, which is unknown
(SQL NULL) for every patient: Kleene logic then leaves the criterion unknown unless the inputs that do exist
decide it (a DMT within 30 days makes E7 met whatever the wash-out). Nothing here restates a criterion: the
rewrite only swaps leaves, keeping every rule's numbers and windows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from mescams.core.eligibility import Criterion
from mescams.core.eligibility.rules import (
    AgeBetween,
    AllergyTo,
    AllOf,
    AnyOf,
    ByCourse,
    ConsentSigned,
    CourseNotFulfilling,
    DiseaseDurationBetween,
    EdssBetween,
    EdssIncrease,
    Evaluation,
    FlagIs,
    GelWithin,
    HasCondition,
    LatestLabBelow,
    LatestLabFlagged,
    MalignancyHistory,
    Not,
    RelapsesWithin,
    Rule,
    TherapyCoverage,
    TherapyEver,
    TherapyWithin,
    TherapyWithoutWashout,
)
from mescams.core.eligibility.sql import SqlContext
from mescams.core.eligibility.verdict import Verdict, unknown
from mescams.prescreen.omop.concepts import ConceptFile, Resolved
from mescams.prescreen.omop.members import RuntimeMembers

__all__ = ["Guarded", "MissingAsUnknown", "Restriction", "Unavailable", "restrict_criteria",
           "restrict_criteria_at_run_time"]

_FLAG_INPUTS = {"able_to_consent": "consent", "willing_to_use_contraception": "willing_to_use_contraception",
                "can_undergo_mri": "can_undergo_mri", "in_other_trial": "in_other_trial",
                "able_to_adhere": "able_to_adhere"}


@dataclass(frozen=True)
class Unavailable(Rule):
    """A rule part whose input the source cannot supply: unknown for every patient."""

    input: str
    reason: str

    def evaluate(self, ev: Evaluation) -> Verdict:
        return unknown(f"not in OMOP: {self.input} ({self.reason})")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.cast(exp.null(), exp.DataType.Type.BOOLEAN)


@dataclass(frozen=True)
class Guarded(Rule):
    """``rule`` where a concept set resolves at run time, unknown where none of ``sets`` does (SQL emitted without a
    source, which resolves its concept sets itself: ``condition`` is the SQL test that one of them has a concept)."""

    sets: tuple[str, ...]
    condition: str
    rule: Rule

    def evaluate(self, ev: Evaluation) -> Verdict:
        raise TypeError(f"{self.sets} are resolved by emitted SQL only; the Python engine needs a source")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=sqlglot.parse_one(self.condition), true=self.rule.to_sql(ctx))])


@dataclass(frozen=True)
class MissingAsUnknown(Rule):
    """False where the concept set resolves at run time, unknown where it does not: beside a rule over several
    sets in an ANY, it makes "not met" unknown when one of the sets is missing from the database's vocabulary."""

    set: str
    condition: str

    def evaluate(self, ev: Evaluation) -> Verdict:
        raise TypeError(f"{self.set} is resolved by emitted SQL only; the Python engine needs a source")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=sqlglot.parse_one(self.condition), true=exp.false())])


@dataclass
class Restriction:
    """The criteria as this source can judge them, and the inputs each one misses."""

    criteria: tuple[Criterion, ...]
    missing: dict[str, dict[str, str]] = field(default_factory=dict)  # criterion id -> {input: reason}

    def inputs(self) -> dict[str, tuple[str, list[str]]]:
        """Input -> (reason, the criteria it leaves open), for the report."""
        out: dict[str, tuple[str, list[str]]] = {}
        for cid, inputs in self.missing.items():
            for name, reason in inputs.items():
                out.setdefault(name, (reason, []))[1].append(cid)
        return out


class _Rewriter:
    def __init__(self, concepts: ConceptFile, resolved: Resolved) -> None:
        self.concepts, self.resolved = concepts, resolved
        self.missing: dict[str, str] = {}

    def gap(self, name: str, reason: str) -> Unavailable:
        self.missing[name] = reason
        return Unavailable(name, reason)

    def key_gap(self, key: str) -> Unavailable:
        return self.gap(key, self.resolved.missing.get(key, "no concept set"))

    def maybe(self, key: str) -> bool:
        """Whether the set can hold concepts here (static: it resolved in the source)."""
        return self.resolved.available(key)

    def fact(self, key: str, rule: Rule) -> Rule:
        return self.fact_any((key,), rule)

    def fact_any(self, keys: tuple[str, ...], rule: Rule) -> Rule:
        """``rule`` when one of the sets supplies its input, else a gap named after the last."""
        return rule if any(self.resolved.available(k) for k in keys) else self.key_gap(keys[-1])

    def unsure(self, prefix: str, names: frozenset[str]) -> list[Rule]:
        """Parts that turn "not met" into unknown where one of ``names`` turns out missing (none: resolved)."""
        return []

    def split(self, prefix: str, names: frozenset[str]) -> tuple[frozenset[str], list[Unavailable]]:
        """The names this source resolves, and a gap for each it does not."""
        have = frozenset(n for n in names if self.resolved.available(f"{prefix}:{n}"))
        gaps = []
        for name in sorted(names - have):
            reason = (self.concepts.unavailable_conditions.get(name) if prefix == "condition" else None)
            gaps.append(self.gap(f"{prefix}:{name}", reason) if reason else self.key_gap(f"{prefix}:{name}"))
        return have, gaps

    def partial(self, prefix: str, names: frozenset[str], make: Callable[[frozenset[str]], Rule]) -> Rule:
        """``make(resolved names)``, or unknown where it would be not met only for lack of the other names."""
        have, gaps = self.split(prefix, names)
        if not have:
            return gaps[0] if len(gaps) == 1 else AnyOf(*gaps)
        extra = [*self.unsure(prefix, have), *gaps]
        return AnyOf(make(have), *extra) if extra else make(have)

    def rule(self, r: Rule) -> Rule:  # noqa: PLR0911 - one case per rule class
        if isinstance(r, AllOf):
            return AllOf(*(self.rule(p) for p in r.parts))
        if isinstance(r, AnyOf):
            return AnyOf(*(self.rule(p) for p in r.parts))
        if isinstance(r, Not):
            return Not(self.rule(r.rule))
        if isinstance(r, ByCourse):
            return ByCourse({c: self.rule(p) for c, p in r.cases.items()})
        if isinstance(r, CourseNotFulfilling):
            return CourseNotFulfilling(r.course, self.rule(r.inclusion), r.inclusion_id)
        if isinstance(r, RelapsesWithin):
            return self.fact("fact:relapse", r)
        if isinstance(r, GelWithin):  # scans come from GEL counts or, count unknown, from MRI procedures
            return self.fact_any(("fact:mri_scan", "fact:gel_count"), r)
        if isinstance(r, EdssBetween | EdssIncrease):
            return self.fact("fact:edss", r)
        if isinstance(r, AgeBetween | DiseaseDurationBetween):
            return r
        if isinstance(r, ConsentSigned):
            return self.gap("consent", self.concepts.unavailable["consent"])
        if isinstance(r, FlagIs):
            if r.field == "can_undergo_mri" and self.maybe("fact:mri_scan"):
                return self.fact("fact:mri_scan", r)  # true after a recent MRI, unknown otherwise (see mapping)
            if r.field in _FLAG_INPUTS:
                name = _FLAG_INPUTS[r.field]
                return self.gap(name, self.concepts.unavailable[name])
            if r.field == "ms.csf_oligoclonal_bands":
                return self.fact("fact:csf_oligoclonal_bands", r)
            return r  # pregnant, childbearing_potential: partly known (see mapping), null where not
        if isinstance(r, TherapyCoverage):
            return self.partial("drug", r.drugs, lambda d: TherapyCoverage(d, r.min_days))
        if isinstance(r, TherapyWithin):
            return self.partial("drug", r.drugs, lambda d: TherapyWithin(d, r.window, r.label))
        if isinstance(r, TherapyEver):
            return self.partial("drug", r.drugs, TherapyEver)
        if isinstance(r, TherapyWithoutWashout):
            washout = self.gap("accelerated_elimination", self.concepts.unavailable["accelerated_elimination"])
            return AllOf(self.partial("drug", frozenset({r.drug}), TherapyEver), washout)
        if isinstance(r, HasCondition):
            return self.partial("condition", r.codes, HasCondition)
        if isinstance(r, MalignancyHistory):
            codes, exempt = r.codes, r.exempt
            have, gaps = self.split("condition", codes | exempt)
            extra = [*self.unsure("condition", have), *gaps]
            if not extra:
                return r
            kept = MalignancyHistory(codes & have, exempt & have, r.min_remission_years)
            return AnyOf(kept, *extra) if (codes & have) else AnyOf(*gaps)
        if isinstance(r, LatestLabBelow):
            return self.fact(f"lab:{r.test}", r)
        if isinstance(r, LatestLabFlagged):
            return self.gap("wbc_clinically_significant", self.concepts.unavailable["wbc_clinically_significant"])
        if isinstance(r, AllergyTo):
            return self.gap("allergies", self.concepts.unavailable["allergies"])
        raise TypeError(f"no OMOP input mapping for rule {type(r).__name__}")


class _RuntimeRewriter(_Rewriter):
    """For SQL that resolves the concept sets itself: a set the file has (local ones only when allowed) may still be
    missing from the running database's vocabulary, so its rule parts are guarded at run time with exactly the
    static rewrite's outcome (unknown, never met, where a set turns out empty)."""

    def __init__(self, concepts: ConceptFile, members: RuntimeMembers) -> None:
        super().__init__(concepts, Resolved())
        self.members = members

    def maybe(self, key: str) -> bool:
        return self.members.usable(key)

    def key_gap(self, key: str) -> Unavailable:
        cset = self.concepts.sets.get(key)
        local = cset is not None and cset.local
        return self.gap(key, "local concept (not standard): enable with --local-concepts" if local
                        else "no concept set")

    def fact_any(self, keys: tuple[str, ...], rule: Rule) -> Rule:
        usable = tuple(k for k in keys if self.members.usable(k))
        if not usable:
            return self.key_gap(keys[-1])
        condition = " OR ".join(self.members.available(k) for k in usable)
        return Guarded(usable, condition, rule)

    def split(self, prefix: str, names: frozenset[str]) -> tuple[frozenset[str], list[Unavailable]]:
        have = frozenset(n for n in names if self.members.usable(f"{prefix}:{n}"))
        gaps = []
        for name in sorted(names - have):
            reason = (self.concepts.unavailable_conditions.get(name) if prefix == "condition" else None)
            gaps.append(self.gap(f"{prefix}:{name}", reason) if reason else self.key_gap(f"{prefix}:{name}"))
        return have, gaps

    def unsure(self, prefix: str, names: frozenset[str]) -> list[Rule]:
        return [MissingAsUnknown(f"{prefix}:{n}", self.members.available(f"{prefix}:{n}")) for n in sorted(names)]


def restrict_criteria_at_run_time(criteria: tuple[Criterion, ...] | list[Criterion], concepts: ConceptFile,
                                  members: RuntimeMembers) -> Restriction:
    """As :func:`restrict_criteria`, for SQL that resolves its concept sets itself (no source at hand)."""
    return _restrict(criteria, lambda: _RuntimeRewriter(concepts, members))


def restrict_criteria(criteria: tuple[Criterion, ...] | list[Criterion], concepts: ConceptFile,
                      resolved: Resolved) -> Restriction:
    """Each criterion with the parts this source cannot supply replaced by :class:`Unavailable`.

    CourseNotFulfilling (E1-E3) refers to I1's rule object; it gets I1's restricted rule, so both engines judge
    "RRMS not fulfilling I1" on the same restricted I1.
    """
    return _restrict(criteria, lambda: _Rewriter(concepts, resolved))


def _restrict(criteria: tuple[Criterion, ...] | list[Criterion], make: Callable[[], _Rewriter]) -> Restriction:
    out, missing = [], {}
    for c in criteria:
        rewriter = make()
        rule = rewriter.rule(c.rule)
        out.append(Criterion(c.id, c.kind, c.text, rule))
        if rewriter.missing:
            missing[c.id] = dict(rewriter.missing)
    return Restriction(tuple(out), missing)
