"""Every kind of entry the coder codes has a title a person reads, in English and in French."""

from __future__ import annotations

from django.utils import translation

from mescams.edc.testing import configure_for_tests

configure_for_tests()


def test_every_coded_form_has_a_title_in_both_languages() -> None:
    from mescams.edc.coding.models import DICTIONARY_OF_FORM
    from mescams.edc.web.templatetags.web_tags import form_title

    for form in DICTIONARY_OF_FORM:
        with translation.override("en"):
            english = str(form_title(form))
        with translation.override("fr-ca"):
            french = str(form_title(form))
        assert "_" not in english and english != french, (form, english, french)
