"""Informed consent form (ICF) versions as the protocol declares them, and who must consent again.

An ethics-approved ICF version is in use from its approval date until the next one. A new version either asks
participants consented on an older version to consent again (``reconsent: true``: new risks, a changed
procedure) or only applies to people consented from then on (a typo, a new phone number). The protocol file
lists them in order (``informed_consent.versions``); the EDC refuses a consent on a version it does not declare
and lists the participants still active whose latest consent predates a version that asks for re-consent.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ConsentFormVersion", "InformedConsent"]


class ConsentFormVersion(BaseModel):
    """One approved ICF version: its label as printed on the form, its approval date and whether it asks
    everyone consented on an earlier version to consent again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=40)
    approved_on: dt.date
    reconsent: bool = False
    summary: str = ""


class InformedConsent(BaseModel):
    """The ICF versions in approval order; the last is the one in use now."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    versions: list[ConsentFormVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> InformedConsent:
        labels = [v.version for v in self.versions]
        if len(set(labels)) != len(labels):
            raise ValueError(f"ICF versions must be unique, got {labels}")
        dates = [v.approved_on for v in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError(f"ICF versions must be listed by strictly increasing approval date, got "
                             f"{[d.isoformat() for d in dates]}")
        if self.versions[0].reconsent:
            raise ValueError(f"the first ICF version ({labels[0]}) cannot ask for re-consent: there is none before it")
        return self

    @property
    def current(self) -> ConsentFormVersion:
        """The version in use now (the last approved)."""
        return self.versions[-1]

    @property
    def labels(self) -> list[str]:
        return [v.version for v in self.versions]

    def version(self, label: str) -> ConsentFormVersion:
        """The declared version called ``label``; KeyError if the protocol declares none."""
        for v in self.versions:
            if v.version == label:
                return v
        raise KeyError(label)

    def in_use_on(self, day: dt.date) -> ConsentFormVersion | None:
        """The version approved most recently on or before ``day``; None before the first approval."""
        approved = [v for v in self.versions if v.approved_on <= day]
        return approved[-1] if approved else None

    def reconsent_needed(self, consented_on: str) -> ConsentFormVersion | None:
        """The latest version after ``consented_on`` that asks for re-consent, or None when the participant's
        consent still stands. ``consented_on`` is a declared version label (KeyError otherwise)."""
        position = self.labels.index(self.version(consented_on).version)
        later = [v for v in self.versions[position + 1:] if v.reconsent]
        return later[-1] if later else None
