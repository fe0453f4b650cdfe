"""The catalogues compile in Python (no gettext needed): a translated entry is in the .mo, a fuzzy one is not."""

from __future__ import annotations

import gettext
from pathlib import Path

from mescams.edc.i18n.catalogues import compile_catalogues

PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr_CA\\n"

msgid "Log out"
msgstr "Se déconnecter"

#, fuzzy
msgid "Log in"
msgstr "Connexion peut-être"
'''


def test_compiles_translated_entries_and_leaves_fuzzy_ones_out(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "fr_CA" / "LC_MESSAGES").mkdir(parents=True)
    (source / "fr_CA" / "LC_MESSAGES" / "django.po").write_text(PO, encoding="utf-8")
    [mo] = compile_catalogues(tmp_path / "out", source)
    assert mo == tmp_path / "out" / "fr_CA" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Log out") == "Se déconnecter"
    assert catalogue.gettext("Log in") == "Log in"


def test_the_project_catalogue_compiles(tmp_path: Path) -> None:
    compiled = compile_catalogues(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in compiled] == ["fr_CA/LC_MESSAGES/django.mo"]
