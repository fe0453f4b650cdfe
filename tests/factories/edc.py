"""Builders of test data, entered through the services (never by writing rows directly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mescams.core.blinding import Role

D = dt.timedelta
PASSWORD = "correct horse battery staple"
LIST_SEED = "5eed" * 16
SCREENING = dt.date(2016, 1, 4)
CONSENT, CONSENT_TIME = SCREENING, dt.time(9, 15)  # consent signed that morning, before the screening visit
RANDOMISATION = dt.date(2016, 2, 1)

USERS = [
    ("coord", Role.SITE_COORDINATOR, ["OTT"]),
    ("coord_wpg", Role.SITE_COORDINATOR, ["WPG"]),
    ("inv", Role.INVESTIGATOR, ["OTT", "WPG"]),
    ("rater", Role.EDSS_RATER, ["OTT"]),
    ("mri", Role.MRI_READER, []),
    ("lab", Role.CELL_LAB, []),
    ("statistician", Role.UNBLINDED_STATISTICIAN, []),
    ("dm", Role.DATA_MANAGER, []),
    ("dsmb", Role.DSMB, []),
    ("admin", Role.ADMINISTRATOR, []),
    ("coder", Role.MEDICAL_CODER, []),
    ("safety", Role.SAFETY_OFFICER, []),
    ("monitor", Role.MONITOR, ["OTT"]),
    ("participant", Role.PARTICIPANT, []),  # a portal account; linked to a participant by tests that need one
]


def make_users() -> dict[str, Any]:
    from mescams.edc.accounts.services import create_user

    return {name: create_user(username=name, password=PASSWORD, role=role, site_codes=sites)
            for name, role, sites in USERS}


def eligible_record(on: dt.date = RANDOMISATION, **changes: Any) -> dict[str, Any]:
    """A screening record (patient.schema.json) that meets every criterion on ``on``."""
    iso = dt.date.isoformat
    record: dict[str, Any] = {
        "sex": "F", "birth_date": iso(on - D(days=int(35 * 365.25))), "able_to_consent": True,
        "ms": {"course": "RRMS", "onset_date": iso(on - D(days=int(8 * 365.25))),
               "diagnosis_date": iso(on - D(days=int(7 * 365.25))), "csf_oligoclonal_bands": True},
        "relapses": [{"onset_date": iso(on - D(days=150)), "clinically_documented": True}],
        "mri": [{"date": iso(on - D(days=90)), "gel_count": 2}],
        "edss": [{"date": iso(on - D(days=20)), "score": 4.0}, {"date": iso(on - D(days=300)), "score": 3.0}],
        "therapies": [{"drug": "interferon_beta", "start_date": iso(on - D(days=1500)),
                       "end_date": iso(on - D(days=60))}],
        "conditions": [], "allergies": [],
        "labs": [{"date": iso(on - D(days=20)), "test": "egfr", "value": 95, "unit": "mL/min/1.73m2",
                  "clinically_significant": False},
                 {"date": iso(on - D(days=20)), "test": "wbc", "value": 6.1, "unit": "10^9/L",
                  "clinically_significant": False}],
        "pregnant": False, "childbearing_potential": False, "willing_to_use_contraception": True,
        "can_undergo_mri": True, "in_other_trial": False, "able_to_adhere": True,
    }
    record.update(changes)
    return record


def icf_version() -> str:
    """The ICF version in use, as the protocol declares it."""
    from mescams.protocols import default_protocol

    declared = default_protocol().informed_consent
    assert declared is not None
    return declared.current.version


def consent_body(site: str = "OTT", **changes: Any) -> dict[str, Any]:
    """The JSON of ``POST /api/participants``: a signed consent, which registers the person."""
    return {"site": site, "consent_date": CONSENT.isoformat(), "consent_time": CONSENT_TIME.isoformat("minutes"),
            "form_version": icf_version(), **changes}


def consented(user: Any, *, site: str = "OTT", on: dt.date = CONSENT, at: dt.time = CONSENT_TIME,
              prescreening_id: int | None = None) -> str:
    """A person whose informed consent is recorded: the first study act, which registers them."""
    from mescams.edc.trial.consent import record_consent

    participant = record_consent(user=user, site_code=site, consent_date=on, consent_time=at,
                                 form_version=icf_version(), prescreening_id=prescreening_id)
    return participant.participant_id


def screened(user: Any, *, site: str = "OTT", record: dict[str, Any] | None = None) -> str:
    """A consented participant with their screening record entered (eligibility not yet assessed)."""
    from mescams.edc.trial.services import screen

    pid = consented(user, site=site)
    screen(user=user, participant_id=pid, screening_date=SCREENING, record=record or eligible_record())
    return pid


def eligible(user: Any, *, site: str = "OTT", record: dict[str, Any] | None = None) -> str:
    from mescams.edc.trial.services import run_eligibility

    pid = screened(user, site=site, record=record)
    _, outcome = run_eligibility(user=user, participant_id=pid, on=RANDOMISATION)
    assert outcome.eligible is True, outcome.criteria
    return pid


def randomised(user: Any, *, site: str = "OTT") -> str:
    from mescams.edc.crfs.services import save_form
    from mescams.edc.randomisation.services import randomise

    pid = eligible(user, site=site)
    save_form(user=user, participant_id=pid, form="vital_signs",
              values={"visit_code": "SCR", "assessment_date": SCREENING, "weight_kg": 70.0})
    randomise(user=user, participant_id=pid, on=RANDOMISATION)
    return pid


def infuse(user: Any, pid: str, visit_code: str = "W0") -> Any:
    from mescams.edc.crfs.services import save_form
    from mescams.edc.randomisation.models import AllocationSlot

    slot = AllocationSlot.objects.get(participant__participant_id=pid)
    week = {"W0": 0, "W24": 24}[visit_code]
    return save_form(user=user, participant_id=pid, form="infusion",
                     values={"visit_code": visit_code, "infusion_date": RANDOMISATION + D(weeks=week),
                             "product_code": slot.product_code, "volume_ml": 50.0, "start_time": dt.time(9, 0),
                             "stop_time": dt.time(9, 40)})


def enable_participant_portal(folder: Any, monkeypatch: Any) -> None:
    """Switch the participant portal on for one test (it is off in the protocol file): a copy of the protocol
    file with ``participant_portal.enabled`` under ``folder``, named by ``MESCAMS_PROTOCOL`` until the test ends
    (``monkeypatch`` undoes it; the cached protocol is dropped now and must be dropped again afterwards)."""
    import yaml

    from mescams.protocols import DEFAULT_PROTOCOL_PATH, default_protocol

    document = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))
    document["participant_portal"]["enabled"] = True
    path = folder / "portal.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("MESCAMS_PROTOCOL", str(path))
    default_protocol.cache_clear()
