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

from mescams.core.consent_documents import ComprehensionQuestion, ConsentDocument

__all__ = ["ConsentFormVersion", "InformedConsent"]


class ConsentFormVersion(BaseModel):
    """One approved ICF version: its label as printed on the form, its approval date and whether it asks
    everyone consented on an earlier version to consent again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=40)
    approved_on: dt.date
    reconsent: bool = False
    summary: str = ""
    documents: list[ConsentDocument] = Field(default_factory=list)
    """The form's text per language, for electronic consent (a version without documents is signed on paper)."""
    questions: list[ComprehensionQuestion] = Field(default_factory=list)
    """The comprehension questions asked before an electronic signature, in every language of the documents."""

    @model_validator(mode="after")
    def _documents(self) -> ConsentFormVersion:
        languages = [d.language for d in self.documents]
        if len(set(languages)) != len(languages):
            raise ValueError(f"ICF {self.version}: one document per language, got {languages}")
        for d in self.documents:
            if d.approved_on < self.approved_on:
                raise ValueError(f"ICF {self.version}: the {d.language} document's approval "
                                 f"({d.approved_on.isoformat()}) is before the version's "
                                 f"({self.approved_on.isoformat()})")
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"ICF {self.version}: comprehension question ids must be unique, got {ids}")
        for q in self.questions:
            untranslated = sorted(set(languages) - set(q.text))
            if untranslated:
                raise ValueError(f"ICF {self.version}: question {q.id} has no text in {', '.join(untranslated)}")
        return self

    def document(self, language: str) -> ConsentDocument | None:
        """The form in ``language``, or None when the ethics board approved none in that language."""
        return next((d for d in self.documents if d.language == language), None)


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
