"""The EDC's languages: English (the source) and Canadian French (Ottawa and Winnipeg serve francophone
participants; the ethics board and Health Canada ask for both official languages)."""

from __future__ import annotations

__all__ = ["DEFAULT_LANGUAGE", "FRENCH", "LANGUAGES", "LANGUAGE_CODES", "language_name"]

DEFAULT_LANGUAGE = "en"
FRENCH = "fr-ca"
# Each language named in itself, as a switch shows it to someone who may not read the current one.
LANGUAGES: list[tuple[str, str]] = [(DEFAULT_LANGUAGE, "English"), (FRENCH, "Français canadien")]
LANGUAGE_CODES = frozenset(code for code, _ in LANGUAGES)


def language_name(code: str) -> str:
    """The language's own name (``fr-ca`` -> ``Français (Canada)``); KeyError for a language the EDC lacks."""
    return dict(LANGUAGES)[code]
