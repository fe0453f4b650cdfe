"""Builders for the safety tests: a stand-in for the coding app (invented PT codes, not MedDRA) and a serious,
related adverse event on a randomised, infused participant."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from mescams.edc.crfs.services import save_form
from tests.factories.edc import RANDOMISATION, infuse, randomised

D = dt.timedelta
UNLISTED_PT = (90009999, "Anaphylactic reaction")  # invented code, not in the protocol's RSI
LISTED_PT = (90000003, "Headache")  # invented code listed in the protocol's RSI (the synthetic dictionary's)


class FakeCoding:
    """What the coding app's ``lookup`` module answers: a PT per AE record (invented codes, labelled not MedDRA)."""

    def __init__(self) -> None:
        self.terms: dict[int, tuple[int, str]] = {}

    def preferred_term(self, form: str, record_pk: int) -> Any:
        found = self.terms.get(record_pk) if form == "adverse_event" else None
        if found is None:
            return None
        return SimpleNamespace(pt_code=found[0], pt_name=found[1], llt_code=found[0], llt_name=found[1],
                               soc_code=90100000, soc_name="Invented SOC (not MedDRA)", version="26.0")


@pytest.fixture()
def coding(monkeypatch: pytest.MonkeyPatch) -> FakeCoding:
    """The coding app is built on another branch: stand in for its lookup module at the seam."""
    from mescams.edc.safety import coded_terms

    fake = FakeCoding()
    monkeypatch.setattr(coded_terms, "_coding_lookup", lambda: fake)
    return fake


SERIOUS_AE = {"term": "Anaphylaxis", "onset_date": RANDOMISATION + D(days=1), "severity_grade": 4,
              "severity": "severe", "serious": True, "serious_criteria": ["life_threatening", "hospitalisation"],
              "action": "infusion_stopped", "outcome": "recovered", "end_date": RANDOMISATION + D(days=4),
              "awareness_date": RANDOMISATION + D(days=2)}


def serious_case(users: dict[str, Any], *, causality: str = "probable", pid: str | None = None,
                 **changes: Any) -> Any:
    """A serious event one day after the W0 infusion, assessed by the investigator."""
    coord = users["coord"]
    if pid is None:
        pid = randomised(coord)
        infuse(coord, pid)
    ae = save_form(user=coord, participant_id=pid, form="adverse_event", values={**SERIOUS_AE, **changes})
    if causality:
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"causality": causality}, reason="judged on the timing after the infusion")
    ae.refresh_from_db()
    return ae
