"""ICF documents per language: a translation needs its certificate (certified before its approval), every
question has a text in every language of the version, and wrong answers send the reader back to discuss."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from mescams.core.consent_documents import ComprehensionQuestion, ConsentDocument, wrong_answers
from mescams.core.consent_forms import ConsentFormVersion

EN = {"language": "en", "approved_on": dt.date(2016, 3, 1), "title": "Consent", "paragraphs": ["Text."]}
CERT = {"translator": "A. Traductrice", "certified_on": dt.date(2016, 2, 20), "reference": "TR-1"}
FR = {"language": "fr-ca", "approved_on": dt.date(2016, 3, 8), "title": "Consentement", "paragraphs": ["Texte."],
      "translation_certificate": CERT}
Q = {"id": "voluntary", "answer": True, "text": {"en": "I may stop.", "fr-ca": "Je peux cesser."}}


def test_a_version_holds_one_document_per_language() -> None:
    version = ConsentFormVersion(version="4.0", approved_on=dt.date(2016, 3, 1), documents=[EN, FR], questions=[Q])
    assert version.document("fr-ca").translation_certificate.reference == "TR-1"
    assert version.document("de") is None


@pytest.mark.parametrize(("change", "message"), [
    ({"documents": [EN, {**FR, "translation_certificate": None}]}, "needs its translation_certificate"),
    ({"documents": [EN, {**FR, "translation_certificate": {**CERT, "certified_on": dt.date(2016, 3, 9)}}]},
     "before its translation was certified"),
    ({"documents": [EN, {**FR, "approved_on": dt.date(2016, 2, 25)}]}, "before the version's"),
    ({"documents": [EN, EN]}, "one document per language"),
    ({"questions": [{**Q, "text": {"en": "I may stop."}}]}, "question voluntary has no text in fr-ca"),
])
def test_bad_documents_are_refused_naming_the_rule(change: dict[str, object], message: str) -> None:
    values = {"version": "4.0", "approved_on": dt.date(2016, 3, 1), "documents": [EN, FR], "questions": [Q], **change}
    with pytest.raises(ValidationError, match=message):
        ConsentFormVersion.model_validate(values)


def test_unanswered_and_wrong_answers_are_named_by_number() -> None:
    questions = [ComprehensionQuestion.model_validate(Q),
                 ComprehensionQuestion(id="blinded", answer=False, text={"en": "I will be told."})]
    assert wrong_answers(questions, {"voluntary": True, "blinded": False}) == []
    problems = wrong_answers(questions, {"blinded": True})
    assert [p.id for p in problems] == ["consent.comprehension.unanswered", "consent.comprehension.discuss"]
    assert problems[1].english().startswith("Question 2: please go over this point")


def test_the_source_language_needs_no_certificate() -> None:
    assert ConsentDocument.model_validate(EN).translation_certificate is None
