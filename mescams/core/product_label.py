"""The label of an investigational product, in English and French on one label (Food and Drug Regulations,
C.05.011, and Health Canada's guidance on clinical trial labelling: both official languages).

C.05.011 asks for: a statement that the drug is an investigational drug to be used only by qualified
investigators (for clinical trial use only); the name, number or identifying mark of the drug; the expiry date;
the recommended storage conditions; the lot number; the sponsor's name and address; the protocol code. MESCAMS is
blinded, so the identifying mark is the product code and the label reads the same for MSC and placebo: nothing
on it depends on the allocation (no product name, no cell dose, no volume that differs between arms).

Fixed wording of a controlled document is given in both languages in the protocol file (translations certified
once), so the label is built here, outside the EDC's translation catalogues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Bilingual", "LabelLine", "ProductLabel", "ProductLabelling", "build_label"]


class Bilingual(BaseModel):
    """One text in both official languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)


class ProductLabelling(BaseModel):
    """What the protocol file says for the labels: the sponsor's address, the storage conditions, the product's
    blinded description (the same for every arm) and its route."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sponsor_address: str = Field(min_length=1)
    storage: Bilingual
    blinded_description: Bilingual
    route: Bilingual


CLINICAL_TRIAL_USE = Bilingual(
    en="For clinical trial use only. Investigational drug to be used only by qualified investigators.",
    fr="Pour usage dans le cadre d'un essai clinique seulement. Drogue de recherche devant être utilisée "
       "uniquement par des chercheurs qualifiés.",
)


@dataclass(frozen=True)
class LabelLine:
    """A labelled value on the label: its caption in both languages and the value (language-neutral)."""

    caption: Bilingual
    value: str


@dataclass(frozen=True)
class ProductLabel:
    """Everything printed on one product's label; every field is allocation-blind."""

    statement: Bilingual
    description: Bilingual
    storage: Bilingual
    lines: tuple[LabelLine, ...]


def build_label(*, labelling: ProductLabelling, protocol_code: str, nct_id: str, sponsor: str, product_code: str,
                participant_id: str, infusion: str, lot: str, expiry: dt.date | None) -> ProductLabel:
    """The label of ``product_code`` for ``participant_id``'s infusion ``infusion`` (an autologous product belongs
    to one person). ``expiry`` None leaves a line to write the date by hand once the product is thawed."""
    if not product_code.strip():
        raise ValueError("product_code: a label needs the product code")

    def line(en: str, fr: str, value: str) -> LabelLine:
        return LabelLine(Bilingual(en=en, fr=fr), value)

    return ProductLabel(
        statement=CLINICAL_TRIAL_USE,
        description=labelling.blinded_description,
        storage=labelling.storage,
        lines=(
            line("Protocol", "Protocole", f"{protocol_code} ({nct_id})"),
            line("Product code", "Code du produit", product_code),
            line("Participant", "Participant", participant_id),
            line("Infusion", "Perfusion", infusion),
            line("Lot", "Lot", lot),
            line("Expiry date", "Date de péremption", expiry.isoformat() if expiry else "____-__-__"),
            line("Route", "Voie d'administration", f"{labelling.route.en} / {labelling.route.fr}"),
            line("Sponsor", "Promoteur", f"{sponsor}, {labelling.sponsor_address}"),
        ),
    )
