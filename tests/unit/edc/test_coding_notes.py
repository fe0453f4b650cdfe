"""The autocoder's notes are stored in English and read in the reader's language; a coder's own words are not."""

from __future__ import annotations

from django.utils import translation

from mescams.edc.testing import configure_for_tests

configure_for_tests()

from mescams.edc.coding.notes import NOTES, in_reader_language, note  # noqa: E402 - needs Django configured


def test_every_note_is_stored_in_english_and_read_in_french() -> None:
    values = {"dictionary": "whodrug", "count": 2, "codes": "10001, 10002", "code": "10019211",
              "release": "MedDRA 27.0"}
    for kind, template in NOTES.items():
        stored = note(kind, **values)
        assert "%(" not in stored
        with translation.override("en"):
            assert in_reader_language(stored) == stored
        with translation.override("fr-ca"):
            french = in_reader_language(stored)
        assert french != stored, kind
        for name in ("dictionary", "count", "codes", "code", "release"):
            if f"%({name})s" in template:
                assert str(values[name]) in french, (kind, name)


def test_a_coders_own_note_is_shown_as_typed() -> None:
    with translation.override("fr-ca"):
        assert in_reader_language("asked the site: which arm?") == "asked the site: which arm?"
