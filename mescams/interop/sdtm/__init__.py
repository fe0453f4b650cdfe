"""SDTM (SDTMIG 3.4) datasets of the trial: trial design from the protocol, subject domains from a snapshot."""

from __future__ import annotations

import datetime as dt

from mescams.core.protocol import Protocol
from mescams.interop.cutoff import apply_cutoff
from mescams.interop.dataset import Dataset
from mescams.interop.sdtm.context import SubjectContext
from mescams.interop.sdtm.events import build_ae, build_ce, build_cm, build_ex, build_mh
from mescams.interop.sdtm.findings import build_ie, build_lb, build_nv, build_qs, build_vs
from mescams.interop.sdtm.special_purpose import build_dm, build_ds, build_se, build_sv
from mescams.interop.sdtm.trial_design import trial_design_domains
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["SUBJECT_DOMAINS", "build_sdtm", "subject_domains"]

SUBJECT_DOMAINS = (
    build_dm,
    build_se,
    build_sv,
    build_ds,
    build_ex,
    build_ae,
    build_ce,
    build_mh,
    build_cm,
    build_ie,
    build_vs,
    build_lb,
    build_qs,
    build_nv,
)


def subject_domains(protocol: Protocol, snapshot: TrialSnapshot) -> list[Dataset]:
    ctx = SubjectContext.of(protocol, snapshot)
    return [build(ctx) for build in SUBJECT_DOMAINS]


def build_sdtm(protocol: Protocol, snapshot: TrialSnapshot, cutoff: dt.date | None = None) -> list[Dataset]:
    """Every SDTM dataset: TA, TE, TV, TI, TS, then the subject domains; with ``cutoff`` the data as of the end
    of that day (:func:`mescams.interop.cutoff.apply_cutoff`), the cut-off written to TS (DCUTDTC)."""
    if cutoff is not None:
        snapshot = apply_cutoff(snapshot, cutoff)
    return [*trial_design_domains(protocol, cutoff), *subject_domains(protocol, snapshot)]
