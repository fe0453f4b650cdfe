"""Per-subject reference facts every subject domain needs: USUBJID, reference start (first infusion), infusion
dates, and the --SEQ numbering rule.

Why: RFSTDTC (day 1) decides every --DY, and the infusion dates decide every EPOCH of an event; computing them
once keeps DM, AE, EX and the findings consistent with each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from mescams.core.protocol import Protocol
from mescams.interop.dataset import Cell
from mescams.interop.sdtm.mapping import (
    epoch_of_visit,
    epoch_on,
    iso,
    study_day_or_none,
    usubjid,
    visit_name,
    visitnum,
)
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["SubjectContext", "number_seq"]


@dataclass(frozen=True)
class SubjectContext:
    """The protocol, the snapshot and each participant's infusion dates, with the SDTM helpers bound to them."""

    protocol: Protocol
    snapshot: TrialSnapshot
    infusion_dates: dict[str, list[dt.date]]

    @classmethod
    def of(cls, protocol: Protocol, snapshot: TrialSnapshot) -> SubjectContext:
        dates: dict[str, list[dt.date]] = {}
        for inf in snapshot.infusions:
            dates.setdefault(inf.participant_id, []).append(inf.date)
        return cls(protocol, snapshot, {k: sorted(v) for k, v in dates.items()})

    @property
    def study_id(self) -> str:
        return self.snapshot.study_id

    def usubjid(self, participant_id: str) -> str:
        return usubjid(self.study_id, participant_id)

    def rfstdtc(self, participant_id: str) -> dt.date | None:
        dates = self.infusion_dates.get(participant_id)
        return dates[0] if dates else None

    def dy(self, participant_id: str, on: dt.date | None) -> int | None:
        return study_day_or_none(on, self.rfstdtc(participant_id))

    def epoch(self, participant_id: str, on: dt.date | None) -> str | None:
        return epoch_on(on, self.infusion_dates.get(participant_id, []))

    def visit_fields(self, prefix: str, participant_id: str, visit_code: str, on: dt.date) -> dict[str, Cell]:
        """VISITNUM, VISIT, EPOCH (of the planned visit), --DTC and --DY of a scheduled assessment."""
        return {
            "VISITNUM": visitnum(self.protocol, visit_code),
            "VISIT": visit_name(self.protocol, visit_code),
            "EPOCH": epoch_of_visit(self.protocol, self.protocol.visit(visit_code)),
            f"{prefix}DTC": iso(on),
            f"{prefix}DY": self.dy(participant_id, on),
        }

    def base(self, domain: str, participant_id: str) -> dict[str, Cell]:
        return {"STUDYID": self.study_id, "DOMAIN": domain, "USUBJID": self.usubjid(participant_id)}


def number_seq(domain: str, rows: Iterable[dict[str, Cell]], *order: str) -> list[dict[str, Cell]]:
    """Sort rows by USUBJID then the given variables (missing last) and number --SEQ 1..n within each subject."""

    def key(r: dict[str, Cell]) -> tuple[object, ...]:
        return (str(r["USUBJID"]), *((r.get(o) is None, str(r.get(o) or "")) for o in order))

    out: list[dict[str, Cell]] = []
    counter: dict[str, int] = {}
    for r in sorted(rows, key=key):
        subject = str(r["USUBJID"])
        counter[subject] = counter.get(subject, 0) + 1
        out.append({**r, f"{domain}SEQ": counter[subject]})
    return out
