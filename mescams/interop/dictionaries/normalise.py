"""The normalised form of a verbatim term, for matching a term to a dictionary entry beyond exact text.

Why: sites type "headache", "Headache " or "diarrhoea" where MedDRA has "Headache" and both "Diarrhoea" and
"Diarrhea". Both sides pass through the same function, so the rules may merge a little too much without harm: two
dictionary entries that end up with one key are ambiguous and go to a coder instead of being coded
automatically. The rules: case folded, punctuation and spacing collapsed to single spaces, and the regular
British spellings written the American way (oe/ae as e: oedema, anaemia; -our as -or; -ise/-isation as
-ize/-ization; -yse as -yze; -tre as -ter).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise"]

_SPELLING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"oe"), "e"),
    (re.compile(r"(?<=[a-z])ae|\bae(?=m|s)"), "e"),
    (re.compile(r"our\b"), "or"),
    (re.compile(r"isation\b"), "ization"),
    (re.compile(r"(?<=[a-z]{3})ise(d|s)?\b"), r"ize\1"),
    (re.compile(r"yse(d|s)?\b"), r"yze\1"),
    (re.compile(r"(?<=[a-z]{2})tre\b"), "ter"),
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """The matching key of ``text`` (see the module docstring)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    spaced = _NOT_WORD.sub(" ", folded).strip()
    for pattern, replacement in _SPELLING:
        spaced = pattern.sub(replacement, spaced)
    return spaced
