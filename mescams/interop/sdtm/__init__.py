"""SDTM (SDTMIG 3.4) datasets of the trial: trial design from the protocol, subject domains from a snapshot."""

from __future__ import annotations

from mescams.core.protocol import Protocol
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


def build_sdtm(protocol: Protocol, snapshot: TrialSnapshot) -> list[Dataset]:
    """Every SDTM dataset: TA, TE, TV, TI, TS, then the subject domains."""
    return [*trial_design_domains(protocol), *subject_domains(protocol, snapshot)]
