"""ADaM datasets derived from the SDTM datasets (never from the database directly), and back to analysis data."""

from __future__ import annotations

from collections.abc import Iterable

from mescams.core.protocol import Protocol
from mescams.interop.adam.analysis import build_adae, build_adedss, build_adles, build_adrel, build_adtte
from mescams.interop.adam.spec import ADAM_SPECS
from mescams.interop.adam.subject import build_adsl, subjects
from mescams.interop.dataset import Dataset

__all__ = ["ADAM_SPECS", "build_adam"]


def build_adam(protocol: Protocol, sdtm: Iterable[Dataset]) -> list[Dataset]:
    """ADSL, ADAE, ADLES, ADEDSS, ADREL and ADTTE from a set of SDTM datasets."""
    by_name = {d.name: d for d in sdtm}
    subj = subjects(protocol, by_name)
    adsl = build_adsl(protocol, by_name, subj)
    adedss = build_adedss(protocol, by_name, subj, adsl)
    rows = {
        "ADSL": adsl,
        "ADAE": build_adae(by_name, subj),
        "ADLES": build_adles(protocol, by_name, subj),
        "ADEDSS": adedss,
        "ADREL": build_adrel(by_name, subj),
        "ADTTE": build_adtte(protocol, subj, adsl, adedss),
    }
    return [Dataset.build(ADAM_SPECS[name], r) for name, r in rows.items()]
