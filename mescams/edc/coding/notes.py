"""The autocoder's and the recoder's notes on a coded term: stored in English (the audit trail's language), shown in
the reader's. Each note is written once here: :func:`note` fills a template for storage, :func:`in_reader_language`
recognises a stored note by the same template and translates it; a coder's own typed note is shown as typed."""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

__all__ = ["NOTES", "in_reader_language", "note"]

NOTES = {
    "no_release": gettext_noop("no %(dictionary)s release loaded"),
    "ambiguous_llts": gettext_noop("matches LLTs of %(count)s PTs (%(codes)s)"),
    "ambiguous_drugs": gettext_noop("matches %(count)s drugs (%(codes)s)"),
    "synonym_llt_not_current": gettext_noop("the synonym's LLT %(code)s is not a current LLT of %(release)s"),
    "synonym_drug_missing": gettext_noop("the synonym's drug %(code)s is not in %(release)s"),
    "llt_not_current": gettext_noop("LLT %(code)s is not current in %(release)s: the coder chooses"),
}
"""Each kind of note's English template (named placeholders), marked for the catalogue."""


def note(kind: str, **values: object) -> str:
    """The note of ``kind`` as stored (English)."""
    return NOTES[kind] % values


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


_PATTERNS = [(template, _pattern(template)) for template in NOTES.values()]


def in_reader_language(stored: str) -> str:
    """A stored note in the active language; a note no template made (a coder's own words) unchanged."""
    for template, pattern in _PATTERNS:
        found = pattern.match(stored)
        if found:
            return gettext(template) % found.groupdict()
    return stored
