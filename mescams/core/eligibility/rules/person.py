"""Rules on the person: age, disease duration, consent, and yes/no flags of the record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from mescams.core.eligibility.dates import completed_years
from mescams.core.eligibility.record import PatientRecord
from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.sql import SqlContext, completed_years_sql
from mescams.core.eligibility.verdict import Verdict, met, not_met, unknown

__all__ = ["AgeBetween", "ConsentSigned", "DiseaseDurationBetween", "FlagIs"]


def _in_range(value: exp.Expr, low: int, high: int) -> exp.Expr:
    return exp.Between(this=value, low=exp.Literal.number(low), high=exp.Literal.number(high))


@dataclass(frozen=True)
class AgeBetween(Rule):
    """Age in whole completed years at consent (at ``on`` when consent is not recorded), inclusive bounds."""

    low: int
    high: int

    def evaluate(self, ev: Evaluation) -> Verdict:
        birth = ev.record.birth_date
        if birth is None:
            return unknown("birth date not recorded")
        ref, what = (ev.record.consent_date, "consent") if ev.record.consent_date else (ev.on, "evaluation")
        age = completed_years(birth, ref)
        text = f"age {age} at {what} on {ref} (born {birth}), {self.low}-{self.high} required"
        return met(text) if self.low <= age <= self.high else not_met(text)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        ref = exp.func("COALESCE", ctx.patient("consent_date"), ctx.on_literal)
        return _in_range(completed_years_sql(ctx.patient("birth_date"), ref), self.low, self.high)


@dataclass(frozen=True)
class DiseaseDurationBetween(Rule):
    """Whole completed years from MS onset to ``on``, inclusive bounds."""

    low: int
    high: int

    def evaluate(self, ev: Evaluation) -> Verdict:
        onset = None if ev.record.ms is None else ev.record.ms.onset_date
        if onset is None:
            return unknown("MS onset date not recorded")
        years = completed_years(onset, ev.on)
        text = f"disease duration {years} years (onset {onset}), {self.low}-{self.high} required"
        return met(text) if self.low <= years <= self.high else not_met(text)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return _in_range(completed_years_sql(ctx.patient("ms_onset_date"), ctx.on_literal), self.low, self.high)


@dataclass(frozen=True)
class ConsentSigned(Rule):
    """Written consent dated on or before ``on``, and ``able_to_consent`` not false.

    The schema defines a null ``consent_date`` as "not signed", so a record without one does not meet it.
    """

    def evaluate(self, ev: Evaluation) -> Verdict:
        rec = ev.record
        if rec.able_to_consent is False:
            return not_met("recorded as not able to consent")
        if rec.consent_date is None:
            return not_met("consent not signed (no consent_date)")
        if rec.consent_date > ev.on:
            return not_met(f"consent signed {rec.consent_date}, after {ev.on}")
        return met(f"consent signed {rec.consent_date}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        consent = ctx.patient("consent_date")
        return exp.Case(ifs=[
            exp.If(this=exp.EQ(this=ctx.patient("able_to_consent"), expression=exp.false()), true=exp.false()),
            exp.If(this=consent.is_(exp.null()), true=exp.false()),
            exp.If(this=exp.GT(this=consent.copy(), expression=ctx.on_literal), true=exp.false()),
        ], default=exp.true())


def _flag(record: PatientRecord, field: str) -> bool | None:
    if field.startswith("ms."):
        ms_value: bool | None = None if record.ms is None else getattr(record.ms, field[3:])
        return ms_value
    value: bool | None = getattr(record, field)
    return value


@dataclass(frozen=True)
class FlagIs(Rule):
    """A yes/no field of the record (``pregnant``, ``ms.csf_oligoclonal_bands``) equals ``value``."""

    field: str
    value: bool

    def evaluate(self, ev: Evaluation) -> Verdict:
        actual = _flag(ev.record, self.field)
        if actual is None:
            return unknown(f"{self.field} not recorded")
        text = f"{self.field} is {str(actual).lower()}"
        return met(text) if actual is self.value else not_met(text)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        column = ctx.patient(self.field.replace(".", "_"))
        return exp.EQ(this=column, expression=exp.true() if self.value else exp.false())
