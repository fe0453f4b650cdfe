"""The EDSS scale itself: the valid steps 0, 1.0, 1.5, ..., 9.5, 10.

Kurtzke's Expanded Disability Status Scale (Kurtzke 1983) has no step 0.5: after 0 (normal examination)
the scale runs from 1.0 to 10 (death due to MS) in half points. Every module that reads or writes an EDSS
value checks it against this list so a typing error such as 7.3 is refused, not analysed.
"""

from __future__ import annotations

import numbers

from mescams.errors import EdssInputError

__all__ = ["EDSS_STEPS", "is_edss_step", "require_edss_step"]

EDSS_STEPS: tuple[float, ...] = (0.0, *(1.0 + 0.5 * i for i in range(19)))


def is_edss_step(value: float) -> bool:
    """True when ``value`` is one of the 20 EDSS steps (0, 1.0, 1.5, ..., 10)."""
    return value in EDSS_STEPS


def require_edss_step(value: object, field: str) -> float:
    """Return ``value`` as a float EDSS step, or raise :class:`EdssInputError` naming ``field``.

    Any real number is accepted (numpy scalars from a data frame included) as long as it is one of the steps.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise EdssInputError(field, f"expected an EDSS step (0, 1.0, 1.5, ..., 10), got {value!r}")
    score = float(value)
    if not is_edss_step(score):
        raise EdssInputError(field, f"expected an EDSS step (0, 1.0, 1.5, ..., 10), got {value!r}")
    return score
