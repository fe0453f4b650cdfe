"""Find the user-visible text of Django templates that is not marked for translation, and of forms' labels.

A template's text is what lies outside HTML tags, Django tags and variables (and outside ``{% blocktranslate %}``,
``{% comment %}``, ``<script>`` and ``<style>``), plus the ``aria-label``, ``title``, ``placeholder`` and ``alt``
attributes written literally. Text with letters there is unmarked unless it is one of the language-neutral
names below. Used by the catalogue test (and was used once to mark the templates)."""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NEUTRAL", "TextRun", "template_runs", "unmarked_form_strings", "unmarked_template_text"]

DJANGO = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})", re.S)
ATTRIBUTE = re.compile(r"""\b(aria-label|title|placeholder|alt)=(["'])([^"'{}]*[A-Za-z][^"'{}]*)\2""")
LETTERS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
NEUTRAL = {"MESCAMS", "MESCAMS EDC", "EDC", "NCT02239393", "kg", "mL", "SHA-256", "PDF", "EDSS", "CSV", "ID",
           "JSON", "RTF", "HTML", "MSC", "ICF", "OK"}
OPENERS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment",
           "verbatim": "endverbatim"}


@dataclass(frozen=True)
class TextRun:
    """A piece of visible text: where it starts in the template source, and the text."""

    start: int
    end: int
    text: str


def template_runs(source: str) -> Iterator[TextRun]:
    """Every visible text run (not checked for letters) and literal attribute value of ``source``."""
    closing: str | None = None
    in_tag = False
    raw: str | None = None  # inside <script> or <style>
    position = 0
    for part in DJANGO.split(source):
        start = position
        position += len(part)
        if part.startswith("{%"):
            name = part[2:-2].split()[0] if part[2:-2].split() else ""
            if closing is None and name in OPENERS:
                closing = OPENERS[name]
            elif name == closing:
                closing = None
            continue
        if part.startswith(("{{", "{#")) or closing is not None:
            continue
        run_start, buffer = start, []
        i = 0
        while i < len(part):
            ch = part[i]
            if raw is not None:
                if part.startswith(f"</{raw}", i):
                    raw = None
                    in_tag = True
                i += 1
                continue
            if not in_tag and ch == "<":
                if buffer:
                    yield TextRun(run_start, start + i, "".join(buffer))
                buffer = []
                in_tag = True
                tag_end = part.find(">", i)
                tag = part[i:tag_end if tag_end >= 0 else len(part)]
                for match in ATTRIBUTE.finditer(tag):
                    yield TextRun(start + i + match.start(3), start + i + match.end(3), match.group(3))
                for name in ("script", "style"):
                    if re.match(rf"<{name}\b", tag):
                        raw = name
            elif in_tag and ch == ">":
                in_tag = False
                run_start = start + i + 1
            elif not in_tag:
                if not buffer:
                    run_start = start + i
                buffer.append(ch)
            i += 1
        if buffer and not in_tag:
            yield TextRun(run_start, start + len(part), "".join(buffer))


def needs_translation(text: str) -> bool:
    core = html.unescape(text).strip()  # an entity (&nbsp;) is not a word
    return bool(LETTERS.search(core)) and core not in NEUTRAL


def unmarked_template_text(path: Path) -> list[str]:
    """The unmarked visible strings of one template."""
    return [run.text.strip() for run in template_runs(path.read_text(encoding="utf-8"))
            if needs_translation(run.text)]


TRANSLATING = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
               "gettext_noop", "format_lazy"}
FORM_KEYWORDS = {"label", "help_text", "empty_label"}


def unmarked_form_strings(path: Path) -> list[str]:
    """Plain string literals given as a form field's ``label``, ``help_text`` or ``empty_label``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in FORM_KEYWORDS:
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and needs_translation(value.value):
                found.append(f"line {value.lineno}: {value.value!r}")
            elif isinstance(value, ast.JoinedStr):
                found.append(f"line {value.lineno}: an f-string (use a translated format instead)")
    return found
