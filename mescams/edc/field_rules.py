"""Field rules: validation that names the field and the rule it breaks, one at a time or all of a submit at once.

Every audited model of participant data states its rules with these (the eCRFs of :mod:`mescams.edc.crfs` and the
pre-screening log of :mod:`mescams.edc.trial`), so they sit under both apps.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext

from mescams.errors import InputValidationError

__all__ = ["broken_rules", "in_range", "not_future", "rule", "today", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


_collected: contextvars.ContextVar[list[InputValidationError] | None] = contextvars.ContextVar(
    "mescams_collected_rules", default=None)


def rule(ok: bool, field: str, text: str) -> None:
    """Raise InputValidationError(field, text) unless ``ok`` (inside :func:`broken_rules`: note it and go on)."""
    if not ok:
        found = _collected.get()
        if found is None:
            raise InputValidationError(field, text)
        found.append(InputValidationError(field, text))


def broken_rules(validate: Callable[[], None]) -> list[InputValidationError]:
    """Every field rule ``validate`` breaks, in order, instead of only the first: a submit shows them all.

    Once a rule is broken, later code of ``validate`` may meet values it cannot handle (a derivation on an
    out-of-range score); what it raises then adds nothing to the rules already found, so it is dropped.
    """
    found: list[InputValidationError] = []
    token = _collected.set(found)
    try:
        validate()
    except InputValidationError as exc:
        if not any(f.field == exc.field for f in found):
            found.append(exc)
    except (TypeError, ValueError, KeyError):
        if not found:
            raise
    finally:
        _collected.reset(token)
    return found


def in_range(value: Any, field: str, low: float, high: float, *, required: bool = True) -> None:
    if value is None:
        rule(not required, field, gettext("is required"))
        return
    rule(low <= value <= high, field, gettext("must be between %(low)s and %(high)s, got %(value)s") % {
        "low": format(low, 'g'), "high": format(high, 'g'), "value": value})


def not_future(value: dt.date | None, field: str, *, required: bool = True) -> None:
    if value is None:
        rule(not required, field, gettext("is required"))
        return
    rule(value <= today(), field, gettext("must not be in the future, got %(isoformat)s") % {
        "isoformat": value.isoformat()})
