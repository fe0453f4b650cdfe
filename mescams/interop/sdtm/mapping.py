"""How protocol concepts become SDTM codes: arm codes, epochs, visit numbers, USUBJID, study days, dates.

Why in one place: the trial design domains and every subject domain must agree on these (a VISITNUM in LB must be
a VISITNUM in TV, an ARMCD in DM must be an arm of TA), so each is computed by one function from the protocol.
"""

from __future__ import annotations

import datetime as dt
import re

from mescams.core.protocol import Product, Protocol, Sequence, Visit
from mescams.core.schedule import study_day

__all__ = [
    "armcd",
    "epoch_of_visit",
    "epoch_on",
    "iso",
    "sdtm_epoch",
    "study_day_or_none",
    "usubjid",
    "visit_name",
    "visitnum",
]

SCREENING_ETCD = "SCRN"


def usubjid(study_id: str, participant_id: str) -> str:
    return f"{study_id}-{participant_id}"


def armcd(sequence: Sequence) -> str:
    """Arm code from the sequence code: letters and digits only, at most 20 characters (MSC-PLACEBO -> MSCPLACEBO)."""
    return re.sub(r"[^A-Za-z0-9]", "", sequence.code).upper()[:20]


def etcd(treatment: str) -> str:
    """Element code of a treatment period: the treatment code, at most 8 characters."""
    return re.sub(r"[^A-Za-z0-9]", "", treatment).upper()[:8]


def sdtm_epoch(protocol: Protocol, epoch_code: str) -> str:
    """The EPOCH term for a protocol epoch: 'TREATMENT n' for the epoch of period n, else the epoch's name."""
    for v in protocol.visits:
        if v.epoch == epoch_code and v.period is not None:
            return f"TREATMENT {v.period}"
    name = next(e.name for e in protocol.design.epochs if e.code == epoch_code)
    return name.upper()


def epoch_of_visit(protocol: Protocol, visit: Visit) -> str:
    return sdtm_epoch(protocol, visit.epoch)


def epoch_on(on: dt.date | None, infusions: list[dt.date], screening_epoch: str = "SCREENING") -> str | None:
    """EPOCH of a date for one participant: screening before the first infusion, then 'TREATMENT n' from the
    n-th infusion (an event on an infusion day belongs to that infusion's period)."""
    if on is None:
        return None
    period = sum(1 for d in sorted(infusions) if d <= on)
    return screening_epoch if period == 0 else f"TREATMENT {period}"


def visitnum(protocol: Protocol, visit_code: str) -> int:
    """Visit number: the visit's position in the protocol schedule (screening = 1)."""
    for i, v in enumerate(protocol.visits, start=1):
        if v.code == visit_code:
            return i
    raise KeyError(visit_code)


def visit_name(protocol: Protocol, visit_code: str) -> str:
    v = protocol.visit(visit_code)
    return "SCREENING" if v.week is None else f"WEEK {v.week}"


def extrt(product: Product) -> str:
    """EXTRT of a product: 'PLACEBO' for a matching placebo, else the product's name in upper case."""
    return "PLACEBO" if product.matches else product.name.upper()


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """ISO 8601 text; datetimes to the minute in UTC (SDTM --DTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def study_day_or_none(on: dt.date | None, reference: dt.date | None) -> int | None:
    if on is None or reference is None:
        return None
    return study_day(on, reference)
