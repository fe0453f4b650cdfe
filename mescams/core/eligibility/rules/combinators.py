"""Rules built from rules: Kleene AND / OR / NOT, a switch on the MS course, and a reference to a criterion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from mescams.core.eligibility.record import Course
from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.sql import SqlContext
from mescams.core.eligibility.verdict import Status, Verdict, all_of, any_of, met, negate, not_met, unknown

__all__ = ["AllOf", "AnyOf", "ByCourse", "CourseNotFulfilling", "Not"]


class AllOf(Rule):
    """Met when every part is met (Kleene AND)."""

    def __init__(self, *parts: Rule) -> None:
        if not parts:
            raise ValueError("AllOf needs at least one rule")
        self.parts = parts

    def evaluate(self, ev: Evaluation) -> Verdict:
        return all_of(p.evaluate(ev) for p in self.parts)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.Paren(this=exp.and_(*(exp.Paren(this=p.to_sql(ctx)) for p in self.parts)))

    def __repr__(self) -> str:
        return f"AllOf({', '.join(map(repr, self.parts))})"


class AnyOf(Rule):
    """Met when some part is met (Kleene OR)."""

    def __init__(self, *parts: Rule) -> None:
        if not parts:
            raise ValueError("AnyOf needs at least one rule")
        self.parts = parts

    def evaluate(self, ev: Evaluation) -> Verdict:
        return any_of(p.evaluate(ev) for p in self.parts)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.Paren(this=exp.or_(*(exp.Paren(this=p.to_sql(ctx)) for p in self.parts)))

    def __repr__(self) -> str:
        return f"AnyOf({', '.join(map(repr, self.parts))})"


@dataclass(frozen=True)
class Not(Rule):
    """Met when ``rule`` is not met (Kleene NOT)."""

    rule: Rule

    def evaluate(self, ev: Evaluation) -> Verdict:
        return negate(self.rule.evaluate(ev))

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return exp.not_(exp.Paren(this=self.rule.to_sql(ctx)))


class ByCourse(Rule):
    """The rule of the patient's MS course; a course without a rule is not met, an unknown course unknown."""

    def __init__(self, cases: Mapping[Course, Rule]) -> None:
        self.cases = dict(cases)

    def evaluate(self, ev: Evaluation) -> Verdict:
        course = ev.record.course
        if course is None:
            return unknown("MS course not recorded")
        rule = self.cases.get(course)
        if rule is None:
            return not_met(f"course {course} is not one of {', '.join(self.cases)}")
        verdict = rule.evaluate(ev)
        return Verdict(verdict.status, f"{course}; {verdict.reason}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        course = ctx.patient("ms_course")
        ifs = [exp.If(this=course.is_(exp.null()), true=exp.null())]
        ifs += [exp.If(this=exp.EQ(this=course.copy(), expression=exp.Literal.string(c)), true=r.to_sql(ctx))
                for c, r in self.cases.items()]
        return exp.Case(ifs=ifs, default=exp.false())


@dataclass(frozen=True)
class CourseNotFulfilling(Rule):
    """Exclusion "<course> not fulfilling inclusion criteria": met when the course is ``course`` and the inclusion
    criterion ``inclusion`` (evaluated earlier) is not met; not met for other courses."""

    course: Course
    inclusion: Rule
    inclusion_id: str

    def evaluate(self, ev: Evaluation) -> Verdict:
        course = ev.record.course
        if course is None:
            return unknown("MS course not recorded")
        if course != self.course:
            return not_met(f"course is {course}, not {self.course}")
        decided = ev.decided.get(self.inclusion_id) or self.inclusion.evaluate(ev)
        if decided.status is Status.NOT_MET:
            return met(f"{self.course} not fulfilling {self.inclusion_id}: {decided.reason}")
        if decided.status is Status.MET:
            return not_met(f"{self.course} fulfils {self.inclusion_id}")
        return unknown(f"{self.inclusion_id} undetermined: {decided.reason}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        course = ctx.patient("ms_course")
        return exp.Case(
            ifs=[
                exp.If(this=course.is_(exp.null()), true=exp.null()),
                exp.If(this=exp.NEQ(this=course.copy(), expression=exp.Literal.string(self.course)), true=exp.false()),
            ],
            default=exp.not_(exp.Paren(this=self.inclusion.to_sql(ctx))),
        )
