"""The free-text rule of de-identified exports: keep clinical words, replace everything else.

Why a list of allowed words rather than a search for identifiers: a name, a place or a nickname has no pattern a
program can find, so a search misses some; a list of the words a clinical note needs misses none of them. Every
free-text value (an AE term, a medication and its indication, a medical-history term, a withdrawal reason,
infusion reactions, free text in the audit trail and in the screening record) goes through :func:`scrub`:

1. e-mail addresses, web addresses, date-like groups (``17/03/1979``, ``1979-03-17``) and groups of five or more
   digits (health-card, insurance or telephone numbers, even with spaces or dashes) are replaced;
2. then each word is kept only if it is in the clinical vocabulary (``clinical_vocabulary.yaml``: clinical words,
   the protocol's drug and condition names, connecting words; compared in lower case) and each number only if it
   has at most three digits (a grade, a dose, a count); anything else (``Marie``, ``March``, ``1979``) is replaced.

A run of replaced words becomes one :data:`REMOVED`; clinical text reads as before (``headache after infusion``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["REMOVED", "scrub", "vocabulary"]

REMOVED = "[removed]"
VOCABULARY_FILE = Path(__file__).with_name("clinical_vocabulary.yaml")

_PATTERNS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    r"|(?:https?://|www\.)\S+"  # web address
    r"|\d(?:[\s./-]?\d){4,}"  # five digits or more, spaced or dashed: card, insurance or telephone numbers
    r"|\d{1,4}[-/]\d{1,2}(?:[-/]\d{1,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}"  # date-like: 17/03/1979, 1979-03, 17.3.79
)
_TOKENS = re.compile(r"\s+|[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)?|.", re.UNICODE)
_KEPT_MARKS = set(",.;:()-_/%+'\"")


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """The allowed words, lower case (from ``clinical_vocabulary.yaml``)."""
    groups = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return frozenset(str(word).lower() for words in groups.values() for word in words)


def _kept(token: str, words: frozenset[str]) -> bool:
    if token.isspace() or token in _KEPT_MARKS:
        return True
    if token[0].isdigit():
        return len(re.sub(r"\D", "", token.split(".")[0].split(",")[0])) <= 3
    return token.lower() in words


def scrub(text: str | None) -> str | None:
    """``text`` with every word outside the clinical vocabulary, and every identifier pattern, replaced."""
    if not text:
        return text
    words = vocabulary()
    out: list[str] = []
    pending: list[str] = []  # spaces and marks after a removed word: dropped if another removed word follows
    removing = False
    for token in _TOKENS.findall(_PATTERNS.sub("\0", text)):
        if token != "\0" and _kept(token, words):  # noqa: S105  a word of the text, not a credential
            if removing and (token.isspace() or token in _KEPT_MARKS):
                pending.append(token)
                continue
            out += pending
            pending, removing = [], False
            out.append(token)
        else:
            if not removing:
                out.append(REMOVED)
            pending, removing = [], True
    out += pending
    return "".join(out)
