"""Compile the translation catalogues (``mescams/locale/<locale>/LC_MESSAGES/django.po``) into the ``.mo`` files
Django reads, in Python (Babel), when the EDC starts.

Why at start-up and in Python: the compiled files are build output, so they are not kept in git, and Django's
``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh Debian machine lacks. Babel reads and writes
the same formats, so ``make install`` needs nothing beyond the Python packages, and a catalogue edited in place
takes effect at the next start. The ``.mo`` files go to the data directory (the package may be read-only);
compiling the two small catalogues takes milliseconds and is skipped when the output is newer than its source.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["SOURCE_DIR", "catalogue_files", "compile_catalogues"]

SOURCE_DIR = Path(__file__).resolve().parents[2] / "locale"


def catalogue_files(source: Path = SOURCE_DIR) -> list[Path]:
    """Every ``.po`` file under ``source``."""
    return sorted(source.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(target: Path, source: Path = SOURCE_DIR) -> list[Path]:
    """Write one ``.mo`` under ``target`` per ``.po`` under ``source`` (same relative path); returns them.

    Fuzzy entries are left out, as ``msgfmt`` does: a translation someone has not confirmed is not shown."""
    written = []
    for po in catalogue_files(source):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=po.parts[-3])
            partial = mo.with_suffix(".mo.partial")
            with partial.open("wb") as handle:
                write_mo(handle, catalogue, use_fuzzy=False)
            partial.replace(mo)
        written.append(mo)
    return written
