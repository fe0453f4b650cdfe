"""Wrap the unmarked visible text of Django templates in {% translate %} (a developer's tool).

Usage: ``PYTHONPATH=. .venv/bin/python scripts/mark_templates_for_translation.py mescams/edc/**/templates/**/*.html``
then ``python -m mescams.edc.catalogue_update`` and translate the new entries. It finds text exactly as the
catalogue test does (tests/unit/edc/template_strings.py); a sentence interrupted by a variable or a link becomes
several messages (rewrite it as one {% blocktranslate %} where the French word order needs it); text holding both
kinds of quotes is left for a person to mark.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from tests.unit.edc.template_strings import needs_translation, template_runs


def _quoted(text: str) -> str | None:
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return None


def mark(path: Path) -> int:
    source = path.read_text(encoding="utf-8")
    out, last, count = [], 0, 0
    for run in template_runs(source):
        if not needs_translation(run.text):
            continue
        text = source[run.start:run.end]
        quoted = _quoted(html.unescape(" ".join(text.split())))
        if quoted is None:
            continue
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        out += [source[last:run.start], f"{lead}{{% translate {quoted} %}}{trail}"]
        last, count = run.end, count + 1
    if not count:
        return 0
    marked = "".join([*out, source[last:]])
    if not re.search(r"{%\s*load[^%]*\bi18n\b", marked):
        extends = re.match(r"\s*{%\s*extends[^%]*%}", marked)
        at = extends.end() if extends else 0
        marked = marked[:at] + "{% load i18n %}" + marked[at:]
    path.write_text(marked, encoding="utf-8")
    return count


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(name, mark(Path(name)))
