"""Refresh the French catalogue from the sources (a developer's tool; installing and testing never need it).

``python -m mescams.edc.catalogue_update`` runs Django's ``makemessages`` over the package (which needs GNU gettext's
``xgettext`` and ``msgmerge``: ``apt-get install gettext``), then adds the core's domain messages
(:data:`mescams.core.messages.MESSAGE_TEMPLATES`, each with its id as context), which no extractor can find since
the core never calls gettext. New entries arrive untranslated; the catalogue test fails until someone translates
them (and clears the fuzzy flags ``msgmerge`` puts on its guesses).
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from mescams.core.messages import MESSAGE_TEMPLATES, MessageTemplate

__all__ = ["PACKAGE", "add_domain_messages", "main"]

PACKAGE = Path(__file__).resolve().parents[1]
FRENCH_PO = PACKAGE / "locale" / "fr_CA" / "LC_MESSAGES" / "django.po"


def domain_templates() -> list[MessageTemplate]:
    """Every core message, after importing the core modules that define them."""
    import mescams.core.blinding  # noqa: F401, PLC0415 - importing the core modules registers their messages
    import mescams.core.consent_documents  # noqa: F401, PLC0415
    import mescams.core.safety.expedited  # noqa: F401, PLC0415
    import mescams.core.safety.reference_safety  # noqa: F401, PLC0415
    import mescams.core.symptom_report  # noqa: F401, PLC0415

    return sorted(MESSAGE_TEMPLATES.values(), key=lambda t: t.id)


def add_domain_messages(catalogue: Catalog) -> None:
    """Add each core message (context = id) not yet in ``catalogue``, restoring an obsolete translation."""
    for template in domain_templates():
        if template.id.startswith("test."):
            continue
        key = (template.english, template.id)
        if catalogue.get(template.english, context=template.id) is not None:
            continue
        old = catalogue.obsolete.pop(key, None)
        catalogue.add(template.english, old.string if old is not None else "", context=template.id,
                      auto_comments=[f"core message {template.id}"])


def main() -> None:
    from django.conf import settings  # noqa: PLC0415 - a developer's tool: Django only once configured
    from django.core.management import call_command  # noqa: PLC0415

    from mescams.edc.settings import configure  # noqa: PLC0415 - configured for the tool only, never on import

    os.environ.setdefault("MESCAMS_DEMO", "1")
    configure()
    settings.LOCALE_PATHS = []  # write to mescams/locale, not to the compiled copy in the data directory
    os.chdir(PACKAGE)
    call_command("makemessages", locale=["fr_CA"], no_wrap=True, no_location=True, no_obsolete=False,
                 ignore_patterns=["static/*"])
    with FRENCH_PO.open("rb") as handle:
        catalogue = read_po(handle, locale="fr_CA")
    add_domain_messages(catalogue)
    with FRENCH_PO.open("wb") as handle:
        write_po(handle, catalogue, width=0, omit_header=False, include_previous=False)


if __name__ == "__main__":
    main()
