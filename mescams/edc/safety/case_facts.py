"""The facts of one SUSAR case that its forms (CIOMS I, E2B) carry, read once from the EDC.

The suspect product is named only for a revealed case (the per-case reveal is recorded); otherwise the forms say it
is blinded and give the blinded product code, which reveals nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mescams.core.protocol import Protocol
from mescams.edc.crfs.models import ConcomitantMedication, Infusion
from mescams.edc.export.analysis_data import _Sources  # the protocol's data_sources, read as the exports read them
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.safety.cases import SafetyCase
from mescams.protocols import default_protocol

__all__ = ["CaseFacts", "Medication", "case_facts"]


@dataclass(frozen=True)
class Medication:
    name: str
    start: dt.date | None
    end: dt.date | None
    indication: str


@dataclass(frozen=True)
class CaseFacts:
    case: SafetyCase
    report_id: str  # the sender's safety report unique identifier (E2B C.1.1)
    country: str  # ISO 3166-1 alpha-2 of the participant's site
    sex: str | None  # F or M
    birth_date: dt.date | None
    age_years: int | None  # at onset
    suspect_name: str  # the product if revealed, otherwise the blinded description
    suspect_code: str  # the blinded product code
    suspect_revealed: bool
    infusions: tuple[tuple[dt.date, float], ...]  # date and volume (mL)
    concomitant: tuple[Medication, ...]
    sponsor: str
    study: str  # the registry identifier and title
    dose: str  # the protocol's dose of the active product, in words
    route: str
    indication: str  # the trial's condition


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


COUNTRY_CODES = {"Canada": "CA", "United States": "US"}
"""ISO 3166-1 alpha-2 codes of the countries the protocol's sites name (E2B and CIOMS want the code)."""


def _country_code(name: str) -> str:
    return COUNTRY_CODES.get(name, name)


def case_facts(case: SafetyCase) -> CaseFacts:
    protocol = default_protocol()
    ae = case.ae
    sources = _Sources(ae.participant, protocol.data_sources)
    sex, birth = sources.value("sex"), sources.birth_date()
    slot = AllocationSlot.objects.filter(participant_id=ae.participant_id).first()
    code = slot.product_code if slot is not None else ""
    if case.revealed and case.product is not None:
        name = protocol.product(case.product).name
    elif case.revealed:
        name = "no product received before onset"
    else:
        names = " or ".join(p.name for p in protocol.products)
        name = f"blinded: {names}"
    infusions = tuple((i.infusion_date, i.volume_ml) for i in
                      Infusion.objects.filter(participant_id=ae.participant_id).order_by("infusion_date"))
    meds = tuple(Medication(m.drug, m.start_date, m.end_date, m.indication) for m in
                 ConcomitantMedication.objects.filter(participant_id=ae.participant_id).order_by("start_date", "pk"))
    ident = protocol.identification
    return CaseFacts(
        case=case, report_id=f"CA-{ident.nct_id}-{case.participant_id}-AE{ae.ae_number}",
        country=_country_code(next(s.country for s in ident.sites if s.code == case.site)),
        sex=sex if sex in ("F", "M") else None, birth_date=birth,
        age_years=_age(birth, ae.onset_date), suspect_name=name, suspect_code=code,
        suspect_revealed=case.revealed, infusions=infusions, concomitant=meds,
        sponsor=ident.sponsor,
        study=f"{ident.nct_id} {ident.brief_title}", dose=_dose_words(protocol), route=_route(protocol),
        indication=ident.conditions[0])


def _dose_words(protocol: Protocol) -> str:
    active = protocol.product(protocol.active_products[0])
    if active.dose is None:
        return "as the protocol states"
    return (f"{active.dose.min_cells_per_kg:.1e} to {active.dose.max_cells_per_kg:.1e} cells/kg "
            f"(or matching placebo), single infusion per period")


def _route(protocol: Protocol) -> str:
    return " or ".join(sorted({p.route for p in protocol.products}))
