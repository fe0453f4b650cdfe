"""Numbers as people write them on a page: 1.07 × 10⁸ cells, not 1.065e+08."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, as a mantissa times a power of ten with a superscript exponent
    when it is 10,000 or more in size (1.07 × 10⁸), plainly otherwise (950, 0.95). Rounding may carry into the
    next power (9.996 × 10⁷ -> 1.00 × 10⁸); halves round up (1.065 × 10⁸ -> 1.07 × 10⁸)."""
    if not math.isfinite(value):
        return str(value)
    if value == 0 or abs(value) < 1e4:
        return f"{value:.{digits}g}"
    exact = Decimal(repr(value))  # the number as typed (1.065e8), so a half rounds up as on paper: 1.07, not 1.06
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(1 - digits), rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:
        mantissa = (mantissa / 10).quantize(Decimal(1).scaleb(1 - digits), rounding=ROUND_HALF_UP)
        exponent += 1
    return f"{mantissa} × 10{str(exponent).translate(SUPERSCRIPT)}"
