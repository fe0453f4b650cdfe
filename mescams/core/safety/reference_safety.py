"""The Reference Safety Information (RSI) and an adverse event's expectedness against it.

The RSI is the list of adverse reactions the sponsor expects from the investigational product (a section of the
Investigator's Brochure), declared in the protocol file as MedDRA preferred terms (code and name) with the
document's version, the date it took effect and the MedDRA version its terms come from. It changes by
amendment, so the protocol may hold several versions; an event is judged against the version in force on its
onset date (the CTFG's Q&A on RSI, 2017: the RSI in force when the event occurred).

Expectedness is three-valued: an event whose preferred term is listed is ``expected``, one whose term is not is
``unexpected``, and one not yet coded (no PT) or older than every RSI version is ``not_assessable`` with the
reason: never silently expected, so an uncoded serious related event stays on the safety dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mescams.core.messages import DomainMessage, MessageTemplate

__all__ = ["Expectedness", "ExpectednessResult", "ExpectedTerm", "ReferenceSafetyInformation",
           "RsiVersion", "assess_expectedness"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExpectedTerm(_Model):
    """One expected reaction as a MedDRA preferred term (an 8-digit code and its name)."""

    pt_code: int = Field(ge=10_000_000, le=99_999_999)
    pt_name: str = Field(min_length=1)


class RsiVersion(_Model):
    """One version of the RSI: its document, when it took effect, its MedDRA version and the expected terms."""

    version: str = Field(min_length=1)
    document: str = Field(min_length=1)
    effective_date: dt.date
    meddra_version: str = Field(pattern=r"^\d+\.\d$")
    expected_terms: list[ExpectedTerm] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_terms(self) -> RsiVersion:
        codes = [t.pt_code for t in self.expected_terms]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"expected_terms lists PT code(s) {twice} more than once")
        return self

    def lists(self, pt_code: int) -> bool:
        return any(t.pt_code == pt_code for t in self.expected_terms)


class ReferenceSafetyInformation(_Model):
    """Every RSI version of one investigational product (``product`` names a protocol product), oldest first."""

    product: str
    versions: list[RsiVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ReferenceSafetyInformation:
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise ValueError(f"RSI version names must be unique, got {names}")
        dates = [v.effective_date for v in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError(f"RSI versions must take effect on strictly increasing dates, got "
                             f"{[d.isoformat() for d in dates]}")
        return self

    def in_force_on(self, day: dt.date) -> RsiVersion | None:
        """The latest version effective on or before ``day``; None before the first took effect."""
        in_force = [v for v in self.versions if v.effective_date <= day]
        return in_force[-1] if in_force else None


class Expectedness(StrEnum):
    EXPECTED = "expected"
    UNEXPECTED = "unexpected"
    NOT_ASSESSABLE = "not_assessable"


NOT_CODED = MessageTemplate("safety.expectedness.not_coded",
                            "not assessable yet: the event has no MedDRA preferred term (not coded)")
BEFORE_FIRST_RSI = MessageTemplate("safety.expectedness.before_rsi",
                                   "not assessable: onset {onset} precedes the first RSI ({version}, effective "
                                   "{effective})")
NO_RSI = MessageTemplate("safety.expectedness.no_rsi",
                         "not assessable: the protocol declares no Reference Safety Information")
LISTED = MessageTemplate("safety.expectedness.listed", "{term} is listed in RSI {version}")
NOT_LISTED = MessageTemplate("safety.expectedness.not_listed", "{term} is not listed in RSI {version}")


@dataclass(frozen=True)
class ExpectednessResult:
    """The verdict, the RSI version it was judged against (None when not assessable) and why."""

    expectedness: Expectedness
    rsi_version: str | None
    reason_message: DomainMessage

    @property
    def reason(self) -> str:
        """Why, in English words (the pages translate ``reason_message``)."""
        return self.reason_message.english()


def assess_expectedness(rsi: ReferenceSafetyInformation, *, pt_code: int | None, pt_name: str | None,
                        onset_date: dt.date) -> ExpectednessResult:
    """Expectedness of an event coded to ``pt_code`` (None: not coded yet) with onset on ``onset_date``."""
    if pt_code is None:
        return ExpectednessResult(Expectedness.NOT_ASSESSABLE, None, NOT_CODED())
    version = rsi.in_force_on(onset_date)
    if version is None:
        first = rsi.versions[0]
        return ExpectednessResult(Expectedness.NOT_ASSESSABLE, None,
                                  BEFORE_FIRST_RSI(onset=onset_date.isoformat(), version=first.version,
                                                   effective=first.effective_date.isoformat()))
    term = f"PT {pt_code}" + (f" {pt_name}" if pt_name else "")
    if version.lists(pt_code):
        return ExpectednessResult(Expectedness.EXPECTED, version.version, LISTED(term=term, version=version.version))
    return ExpectednessResult(Expectedness.UNEXPECTED, version.version, NOT_LISTED(term=term, version=version.version))
