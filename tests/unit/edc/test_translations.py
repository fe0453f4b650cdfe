"""The French catalogue is complete and every user-visible string is marked for translation.

Fails on: an untranslated or fuzzy French entry, a translation whose placeholders differ from the English, a core
domain message missing from the catalogue, a ``{% translate %}`` string the catalogue lacks (run
``python -m mescams.edc.catalogue_update``), visible template text outside the translation tags, and a plain
string a person reads that is set in Python (form and model labels, ``choices``, tables of kinds and sort orders,
validation errors, field rules, page messages, e-mail subjects and bodies)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

import mescams.core.blinding
from mescams.edc.catalogue_update import domain_templates
from tests.unit.edc.template_strings import split_sentences, unmarked_python_strings, unmarked_template_text

PACKAGE = Path(mescams.core.blinding.__file__).resolve().parents[1]
FRENCH = PACKAGE / "locale" / "fr_CA" / "LC_MESSAGES" / "django.po"
# The EDC's Django templates (the DSMB report is a Jinja2 document in English for the DSMB, outside the EDC)
TEMPLATES = sorted(p for p in (PACKAGE / "edc").rglob("templates/**/*") if p.suffix in {".html", ".txt"})
# Python whose messages only an operator or developer reads, in English: settings read at start-up (the server's
# log), backups (an operator's command), the demonstration builder (a developer's command) and the catalogue tool
OPERATOR_ONLY = {"edc/security/config.py", "edc/settings.py", "edc/catalogue_update.py"}
PYTHON = sorted(p for p in (PACKAGE / "edc").rglob("*.py")
                if not {"migrations", "demo", "backup"} & set(p.parts)
                and str(p.relative_to(PACKAGE)) not in OPERATOR_ONLY)
PERCENT = re.compile(r"%\((\w+)\)[sd]")
BRACES = re.compile(r"{(\w+)}")
TRANSLATE_TAG = re.compile(r"""{%\s*translate\s+(["'])(.*?)\1(?:\s+context\s+(["'])(.*?)\3)?\s*(?:as \w+\s*)?%}""")


@pytest.fixture(scope="module")
def french() -> Catalog:
    with FRENCH.open("rb") as handle:
        return read_po(handle, locale="fr_CA")


def _entries(catalogue: Catalog) -> list[Message]:
    return [m for m in catalogue if m.id]


def test_every_french_entry_is_translated_and_none_is_fuzzy(french: Catalog) -> None:
    untranslated = [m.id for m in _entries(french) if not (all(m.string) if m.pluralizable else m.string)]
    fuzzy = [m.id for m in _entries(french) if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert len(_entries(french)) > 100


def test_translations_keep_the_placeholders(french: Catalog) -> None:
    wrong = []
    for m in _entries(french):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        pattern = BRACES if m.context else PERCENT
        wanted = set(pattern.findall(ids[-1]))
        wrong += [(ids[0], s) for s in strings if set(pattern.findall(s)) - wanted or
                  (not m.pluralizable and set(pattern.findall(s)) != wanted)]
    assert not wrong, wrong[:5]


def test_every_core_message_is_in_the_catalogue(french: Catalog) -> None:
    missing = [t.id for t in domain_templates() if not t.id.startswith("test.")
               and french.get(t.english, context=t.id) is None]
    assert not missing, missing


def test_every_translate_tag_string_is_in_the_catalogue(french: Catalog) -> None:
    missing = []
    for path in TEMPLATES:
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            msgid = match.group(2).replace("%", "%%")  # as makemessages writes a literal % of a template
            if french.get(msgid, context=match.group(4)) is None:
                missing.append(f"{path.name}: {match.group(2)!r}")
    assert not missing, f"{len(missing)} not in the catalogue, e.g. {missing[:5]}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_visible_template_text_is_left_unmarked(path: Path) -> None:
    assert unmarked_template_text(path) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sentence_is_split_into_pieces_around_a_value(path: Path) -> None:
    assert split_sentences(path.read_text(encoding="utf-8")) == []


def test_the_split_sentence_check_would_notice() -> None:
    split = ('{% translate "Planned" %} {{ plan.date }}{% translate ", window" %} '
             '{% translate "Saved." %} {{ n }} {% translate "more" %} {{ n|pluralize }}{% translate "row" %}'
             '{% translate "Sent to" %} <strong>{{ email }}</strong>{% translate ", your address." %}')
    assert split_sentences(split) == ["Planned {{ plan.date }} , window", "more {{ n|pluralize }} row",
                                      "Sent to <strong>{{ email }}</strong> , your address."]
    whole = '{% blocktranslate with date=plan.date %}Planned {{ date }}, window{% endblocktranslate %}'
    assert split_sentences(whole) == []


def test_no_visible_python_string_is_left_unmarked() -> None:
    found = {str(p.relative_to(PACKAGE)): unmarked_python_strings(p) for p in PYTHON}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_checks_would_notice(tmp_path: Path) -> None:
    """Not vacuous: an unmarked heading, a plain label and an f-string label are found."""
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<h1 title="Hello there">Welcome</h1>{% translate "Fine" %}'
                    '<input value="{{ q }}" placeholder="e.g. OTT-012">'
                    '<script>var x = "not text";</script>{% blocktranslate %}Also fine{% endblocktranslate %}')
    assert unmarked_template_text(page) == ["Hello there", "Welcome", "e.g. OTT-012"]
    form = tmp_path / "forms.py"
    form.write_text('x = f(label="Weight", help_text=_("ok"), empty_label=f"{a} b")\n')
    assert unmarked_python_strings(form) == ["line 1: 'Weight'",
                                             "line 1: an f-string (use a translated format instead)"]


def test_the_python_check_would_notice(tmp_path: Path) -> None:
    """Not vacuous: each kind of plain visible string in a small module is found, a marked one and a log line are
    not."""
    module = tmp_path / "views.py"
    module.write_text(
        'KINDS = {"visit_due": "A visit is due", "marked": _("Fine")}\n'
        'SORT = Sort({"id": ("Participant ID", ("participant_id",))}, default="id")\n'
        'class M(models.Model):\n'
        '    status = models.CharField(choices=[("open", "open"), ("shut", _("shut"))], verbose_name="Status")\n'
        'def view(request, n):\n'
        '    logger.error("not for a person")\n'
        '    messages.success(request, f"Query {n} sent.")\n'
        '    rule(n > 0, "n", "must be positive")\n'
        '    raise ValidationError("too long " + str(n))\n'
        '    send_mail(gettext("Subject"), "Body text", None, [])\n'
        '    f = forms.CharField(help_text=_("Required") if n else "Optional")\n'
        '    raise ValueError("a programming error, for a developer")\n'
        '    raise AllocationExhausted(f"no free slot left for site {n}")\n'
        'class Throttled(Exception):\n'
        '    def __init__(self):\n'
        '        super().__init__("too many failed log-ins")\n')
    assert unmarked_python_strings(module) == [
        "line 1: 'A visit is due'", "line 2: 'Participant ID'", "line 4: 'Status'", "line 4: 'open'",
        "line 7: an f-string (use a translated format instead)", "line 8: 'must be positive'",
        "line 9: 'too long '", "line 10: 'Body text'", "line 11: 'Optional'",
        "line 13: an f-string (use a translated format instead)", "line 16: 'too many failed log-ins'"]
