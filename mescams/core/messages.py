"""Message ids of the domain's user-facing messages: the core names a message and its English text, the EDC
translates it.

The core imports no framework, so it cannot call Django's gettext. Instead each message a person reads is a
:class:`MessageTemplate` with a stable id (the catalogue's ``msgctxt``) and its English text (the ``msgid``, with
``str.format`` placeholders); an error or result carries a :class:`DomainMessage` (the template plus its values).
The EDC renders it in the reader's language (:func:`mescams.edc.i18n.messages.render`); anything else reads
:meth:`DomainMessage.english`. Every template registers itself in :data:`MESSAGE_TEMPLATES`, which the catalogue
test checks against the French catalogue, so a new message cannot ship untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter

__all__ = ["MESSAGE_TEMPLATES", "DomainMessage", "MessageTemplate"]

MESSAGE_TEMPLATES: dict[str, MessageTemplate] = {}


@dataclass(frozen=True)
class MessageTemplate:
    """A message's stable id and its English text with ``{named}`` placeholders."""

    id: str
    english: str

    def __post_init__(self) -> None:
        if self.id in MESSAGE_TEMPLATES and MESSAGE_TEMPLATES[self.id] != self:
            raise ValueError(f"message id {self.id!r} is defined twice with different texts")
        MESSAGE_TEMPLATES[self.id] = self

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in Formatter().parse(self.english) if name)

    def __call__(self, **params: object) -> DomainMessage:
        missing = self.placeholders - params.keys()
        if missing:
            raise KeyError(f"message {self.id} needs {sorted(missing)}")
        return DomainMessage(self, params)


@dataclass(frozen=True)
class DomainMessage:
    """One message to show: its template and the values to put in it."""

    template: MessageTemplate
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.template.id

    def english(self) -> str:
        return self.template.english.format(**self.params)

    def __str__(self) -> str:
        return self.english()
