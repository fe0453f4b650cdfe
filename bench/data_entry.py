"""What the load benchmarks' clients enter: a site coordinator's eCRF work for one participant, as the API allows it.

A single form is entered once per visit (a second vital signs at the same visit is refused with 409, pointing at
the first), so a client does what a coordinator does: it enters vital signs once at each visit that expects them
(W0, W24, W48), then corrects them with ``PUT`` and a reason (a blood pressure re-measured), and it adds log forms
(adverse events, concomitant medications), of which a participant has any number. A coordinator's adverse event
carries no causality: that is the investigator's judgement, entered later.

Every answer is returned to the caller, which counts anything outside 2xx (a 409 or a 422 included) as an error:
a refused save is never taken for a saved one. Request kinds name what was asked (``create vital_signs``,
``change vital_signs``, ``create adverse_event``, ``create conmed``), so the database can be checked afterwards:
one row per acknowledged create, one audit ``update`` entry per acknowledged change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CHANGE_REASON", "VITALS_VISITS", "Casebook", "kind_counts"]

VITALS_VISITS = (("W0", 0), ("W24", 24 * 7), ("W48", 48 * 7))
"""The visits after randomisation that expect vital signs (protocol ``mescams.yaml``) and their study day."""
CHANGE_REASON = "blood pressure re-measured after five minutes' rest (bench)"


@dataclass
class Casebook:
    """One participant's eCRFs as one client enters them; the client alone writes this participant's single forms."""

    participant_id: str
    week0: dt.date
    vitals: dict[str, int] = field(default_factory=dict)
    """visit code -> the record ID of its vital signs, once a create was acknowledged"""
    systolic: dict[int, int] = field(default_factory=dict)
    """record ID -> the systolic pressure last acknowledged"""
    changes: int = 0

    def _path(self, form: str) -> str:
        return f"/api/participants/{self.participant_id}/forms/{form}"

    def vital_signs(self, http: Any, n: int) -> tuple[str, Any]:
        """The next visit's vital signs, or, once every visit has them, a correction of one of them."""
        pending = [(code, day) for code, day in VITALS_VISITS if code not in self.vitals]
        if pending:
            code, day = pending[0]
            body = {"visit_code": code, "assessment_date": (self.week0 + dt.timedelta(days=day)).isoformat(),
                    "weight_kg": 70.0, "systolic_mmhg": 120, "diastolic_mmhg": 80}
            response = http.post(self._path("vital_signs"), json=body)
            if response.status_code == 201:
                record = int(response.json()["id"])
                self.vitals[code] = record
                self.systolic[record] = 120
            return "create vital_signs", response
        record = self.vitals[VITALS_VISITS[n % len(VITALS_VISITS)][0]]
        systolic = 110 + (self.systolic[record] - 109) % 30  # always another value: one audited change
        response = http.put(f"{self._path('vital_signs')}/{record}",
                            json={"reason": CHANGE_REASON, "values": {"systolic_mmhg": systolic}})
        if response.status_code == 200:
            self.systolic[record] = systolic
            self.changes += 1
        return "change vital_signs", response

    def adverse_event(self, http: Any, n: int, label: str) -> tuple[str, Any]:
        body = {"term": f"Headache {label}", "onset_date": (self.week0 + dt.timedelta(days=3)).isoformat(),
                "severity_grade": 1, "severity": "mild", "serious": False, "serious_criteria": [], "action": "none",
                "outcome": "recovered"}
        return "create adverse_event", http.post(self._path("adverse_event"), json=body)

    def conmed(self, http: Any, n: int, label: str) -> tuple[str, Any]:
        body = {"drug": f"Paracetamol {label}", "indication": "headache",
                "start_date": (self.week0 + dt.timedelta(days=3)).isoformat()}
        return "create conmed", http.post(self._path("conmed"), json=body)

    def enter(self, http: Any, n: int, label: str, *, single_forms: bool = True) -> tuple[str, Any]:
        """The ``n``-th entry: vital signs (new or corrected) one in two, else an adverse event or a medication;
        without ``single_forms`` (a second client on the same participant) only the log forms."""
        if single_forms and n % 2:
            return self.vital_signs(http, n)
        return self.adverse_event(http, n, label) if (n // 2) % 2 else self.conmed(http, n, label)


def kind_counts(outcomes: list[Any]) -> dict[str, int]:
    """Acknowledged (2xx) requests by kind, summed over several :class:`bench.load_clients.Outcome`."""
    total: dict[str, int] = {}
    for out in outcomes:
        for kind, count in out.acked.items():
            total[kind] = total.get(kind, 0) + count
    return total
