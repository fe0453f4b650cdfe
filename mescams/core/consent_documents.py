"""The text of an informed consent form in one language, and the questions that check it was understood.

An ICF version (:mod:`mescams.core.consent_forms`) exists in each language the ethics board approved: the
source-language document (English for MESCAMS) and its translations, each with its own approval date and, for a
translation, the certificate of the certified translator (the Ottawa Health Science Network REB asks for it).
The comprehension questions are the version's (the same questions in every language, asked in the reader's): a
participant answers them before signing, and a wrong answer sends the reader back to discuss that point with
the coordinator (TransCelerate's eConsent practice), never to a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mescams.core.messages import DomainMessage, MessageTemplate

__all__ = ["SOURCE_LANGUAGE", "ComprehensionQuestion", "ConsentDocument", "TranslationCertificate",
           "wrong_answers"]

SOURCE_LANGUAGE = "en"
UNANSWERED = MessageTemplate("consent.comprehension.unanswered", "Question {number} is not answered yet.")
DISCUSS_AGAIN = MessageTemplate(
    "consent.comprehension.discuss",
    "Question {number}: please go over this point of the form again with the study coordinator, then answer again.",
)


class TranslationCertificate(BaseModel):
    """Who certified a translation and when: the certificate the ethics board asks for with each translation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    translator: str = Field(min_length=1)
    certified_on: dt.date
    reference: str = Field(min_length=1, description="the certificate's number or file name")


class ConsentDocument(BaseModel):
    """One language's ICF: its ethics approval date, its certificate (translations), its text in paragraphs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(pattern=r"^[a-z]{2}(-[a-z]{2})?$")
    approved_on: dt.date
    title: str = Field(min_length=1)
    paragraphs: list[str] = Field(min_length=1)
    translation_certificate: TranslationCertificate | None = None

    @model_validator(mode="after")
    def _certified(self) -> ConsentDocument:
        if self.language != SOURCE_LANGUAGE and self.translation_certificate is None:
            raise ValueError(f"the {self.language} ICF is a translation: it needs its translation_certificate")
        if self.translation_certificate is not None and self.translation_certificate.certified_on > self.approved_on:
            raise ValueError(f"the {self.language} ICF was approved on {self.approved_on.isoformat()}, before its "
                             f"translation was certified ({self.translation_certificate.certified_on.isoformat()})")
        return self


class ComprehensionQuestion(BaseModel):
    """A true-or-false statement about the form, in every language of the version, with the right answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: dict[str, str] = Field(min_length=1)
    answer: bool


def wrong_answers(questions: list[ComprehensionQuestion],
                  answers: Mapping[str, bool | None]) -> list[DomainMessage]:
    """One message per question not answered, or answered wrongly (numbered from 1, in the form's order)."""
    problems = []
    for number, question in enumerate(questions, start=1):
        given = answers.get(question.id)
        if given is None:
            problems.append(UNANSWERED(number=number))
        elif given is not question.answer:
            problems.append(DISCUSS_AGAIN(number=number))
    return problems
