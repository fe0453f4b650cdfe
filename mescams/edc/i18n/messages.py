"""The domain's messages (:mod:`mescams.core.messages`) in the reader's language.

The catalogue holds each message with its id as context (``msgctxt``) and its English text as ``msgid``, so two
messages with the same English wording can still be translated differently; a message missing from the
catalogue falls back to English."""

from __future__ import annotations

from django.utils.translation import pgettext

from mescams.core.messages import DomainMessage
from mescams.errors import InputValidationError, MescamsError

__all__ = ["describe", "describe_rule", "render"]


def render(message: DomainMessage) -> str:
    return pgettext(message.id, message.template.english).format(**message.params)


def describe(error: MescamsError) -> str:
    """An error as its reader should see it: its domain message translated when it carries one."""
    message = getattr(error, "message", None)
    return render(message) if isinstance(message, DomainMessage) else str(error)


def describe_rule(error: InputValidationError) -> str:
    """A refusal's rule (without the field's name) in the reader's language when it carries a domain message."""
    message = getattr(error, "message", None)
    return render(message) if isinstance(message, DomainMessage) else error.rule
