"""Find the user-visible text of Django templates that is not marked for translation, and of forms' labels.

A template's text is what lies outside HTML tags, Django tags and variables (and outside ``{% blocktranslate %}``,
``{% comment %}``, ``<script>`` and ``<style>``), plus the ``aria-label``, ``title``, ``placeholder`` and ``alt``
attributes written literally. Text with letters there is unmarked unless it is one of the language-neutral
names below. Python's visible strings are those given as labels, help texts, choices, tables of kinds and sort
orders, and the messages of errors, rules, page messages and e-mails. Used by the catalogue test (and was used
once to mark the templates and the Python)."""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NEUTRAL", "TextRun", "split_sentences", "template_runs", "unmarked_python_nodes", "unmarked_python_strings",
           "unmarked_template_text"]

DJANGO = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})", re.S)
ATTRIBUTE = re.compile(r"""\b(aria-label|data-label|title|placeholder|alt)=(["'])([^"'{}]*[A-Za-z][^"'{}]*)\2""")
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
        if in_tag and raw is None:  # the rest of a tag a variable interrupted: its literal attributes count too
            tag_end = part.find(">")
            for match in ATTRIBUTE.finditer(part[:tag_end if tag_end >= 0 else len(part)]):
                yield TextRun(start + match.start(3), start + match.end(3), match.group(3))
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


# Calls whose message argument a person reads: name -> the positions of the message arguments
MESSAGE_CALLS = {"ValidationError": (0,), "InputValidationError": (1,), "rule": (2,), "send_mail": (0, 1),
                 "EmailMessage": (0, 1), "TrialStateError": (0,), "IllegalTransition": (0,), "DataLocked": (0,),
                 "ConsentRequired": (0,), "add_error": (1,)}
PAGE_MESSAGES = {"success", "error", "info", "warning"}  # django.contrib.messages.<level>(request, text)
VISIBLE_KEYWORDS = FORM_KEYWORDS | {"verbose_name", "verbose_name_plural", "subject", "body"}
# Module-level tables of what a page shows: a name like these holds user-visible labels
TABLE_NAME = re.compile(r"(^|_)(KINDS|CHOICES|LABELS|SORT|TITLES|NAMES|REASONS)$")


def _plain(node: ast.expr) -> str | None:
    """Why ``node`` is an unmarked visible string, or None when it is marked or not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and needs_translation(node.value):
        return repr(node.value)
    if isinstance(node, ast.JoinedStr):
        return "an f-string (use a translated format instead)"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _plain(node.left) or _plain(node.right)
    if isinstance(node, ast.IfExp):
        return _plain(node.body) or _plain(node.orelse)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)):
        return _plain(node.func.value)
    return None


def _labels_of_table(node: ast.expr) -> Iterator[ast.expr]:
    """The label expressions of a table: a dict's values, a pair's second item (or a sort option's first)."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, (ast.Tuple, ast.List)) and value.elts:
                yield value.elts[0]  # Sort({"key": ("Label", ordering)})
            elif value is not None:
                yield value
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            if isinstance(item, (ast.Tuple, ast.List)) and len(item.elts) == 2:
                yield item.elts[1]
    elif isinstance(node, ast.Call) and node.args:
        yield from _labels_of_table(node.args[0])  # Sort({...}, default=...)


# Exceptions whose message no person reads as a page text: Python's own (a programming error), Django's 404/403 (the
# error pages do not show the message) and the audit's guard against code that changes data outside an audit context
NOT_SHOWN_ERRORS = {"ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError", "PermissionError",
                    "NotImplementedError", "LookupError", "AttributeError", "OSError", "SystemExit",
                    "ImproperlyConfigured", "Http404", "PermissionDenied", "MissingAuditContext"}


def _sentence(node: ast.expr) -> bool:
    """A message in words (a space in its text), not an identifier, a field name or a path."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and " " in str(v.value) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _sentence(node.left) or _sentence(node.right)
    return False


def _raised_messages(node: ast.AST) -> Iterator[ast.expr]:
    """The message arguments of ``raise SomeError("...")`` and of an exception class's ``super().__init__("...")``."""
    call = node.exc if isinstance(node, ast.Raise) else node
    if not isinstance(call, ast.Call):
        return
    func = call.func
    if isinstance(node, ast.Raise):
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if not name or name in NOT_SHOWN_ERRORS or name in MESSAGE_CALLS:
            return
    elif not (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
              and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"):
        return
    yield from (arg for arg in call.args if _sentence(arg))


def unmarked_python_nodes(tree: ast.AST) -> Iterator[ast.expr]:
    """The unmarked visible string expressions of a parsed module (see :func:`unmarked_python_strings`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in VISIBLE_KEYWORDS:
            yield node.value
        elif isinstance(node, ast.keyword) and node.arg == "choices":
            yield from _labels_of_table(node.value)
        elif isinstance(node, ast.Raise):
            yield from _raised_messages(node)
        elif isinstance(node, ast.Call):
            yield from _raised_messages(node)
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            page_message = (name in PAGE_MESSAGES and isinstance(func, ast.Attribute)
                            and isinstance(func.value, ast.Name) and func.value.id == "messages")
            for position in (1,) if page_message else MESSAGE_CALLS.get(name, ()):
                if position < len(node.args):
                    yield node.args[position]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(isinstance(t, ast.Name) and TABLE_NAME.search(t.id) for t in targets):
                yield from _labels_of_table(node.value)


def unmarked_python_strings(path: Path) -> list[str]:
    """Plain strings a person reads, set in Python: form and model labels and help texts, ``choices`` pairs,
    tables of kinds, choices and sort orders, and the messages of validation errors, field rules, page
    messages and e-mails."""
    found = {(node.lineno, why) for node in unmarked_python_nodes(ast.parse(path.read_text(encoding="utf-8")))
             if (why := _plain(node))}
    return [f"line {line}: {why}" for line, why in sorted(found)]


PIECE = r'{%\s*translate\s+"([^"]*)"\s*%}'
INLINE = r"(?:{{[^}]*}}|<(?:a|code|strong|em|span)\b[^>]*>[^<]*</(?:a|code|strong|em|span)>)"
"""A value, or an inline element holding text or a value (``<strong>{{ email }}</strong>``)."""
# the closing piece is looked ahead at, not consumed: it may open the next split sentence
SPLIT_SENTENCE = re.compile(PIECE + r"((?:\s*" + INLINE + r")+\s*)(?=" + PIECE + ")")


def split_sentences(source: str) -> list[str]:
    """Sentences marked as separate pieces around a value or an inline element (``{% translate "Planned" %}
    {{ date }} {% translate ", window" %}``): a translator sees neither piece whole, and a language with another
    word order cannot move the value. A piece ending a sentence (. : ; ! ?) may be followed by another."""
    return [" ".join((m.group(1), m.group(2).strip(), m.group(3))) for m in SPLIT_SENTENCE.finditer(source)
            if not re.search(r"[.:;!?]\s*$", m.group(1))]
