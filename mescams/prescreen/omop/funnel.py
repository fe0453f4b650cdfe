"""The attrition funnel of a feasibility run: per criterion and per care site, with small counts suppressed.

Counts from 1 to ``min_count - 1`` are shown as ``"<min_count"`` (``"<5"`` by default), everywhere: totals, each
criterion's met / not met / unknown, the persons still possible after it, and each site's figures. Zero is shown
(it discloses no one). The funnel never holds a person id; candidates are a separate, site-bound list.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.errors import InputValidationError
from mescams.prescreen.omop.engine import OmopRun

__all__ = ["CANDIDATE_ROLES", "candidate_ids", "check_candidate_role", "funnel", "suppress"]

CANDIDATE_ROLES = frozenset({Role.SITE_COORDINATOR, Role.INVESTIGATOR})
"""Roles that recruit at their own site; the blinding policy must also bind them to their sites."""


def suppress(count: int, min_count: int) -> int | str:
    return f"<{min_count}" if 0 < count < min_count else int(count)


def _steps(run: OmopRun, mask: np.ndarray[Any, Any], min_count: int) -> dict[str, Any]:
    v = run.verdicts
    alive = mask.copy()
    rows = []
    for cid, codes in v.status.items():
        part = codes[mask]
        blocking = 0 if v.kinds[cid] == "inclusion" else 1
        alive &= codes != blocking
        rows.append({"id": cid, "kind": v.kinds[cid],
                     "met": suppress(int((part == 1).sum()), min_count),
                     "not_met": suppress(int((part == 0).sum()), min_count),
                     "unknown": suppress(int((part == -1).sum()), min_count),
                     "still_possible": suppress(int(alive.sum()), min_count)})
    eligible = v.eligible[mask]
    return {"persons": suppress(int(mask.sum()), min_count),
            "eligible": suppress(int((eligible == 1).sum()), min_count),
            "undetermined": suppress(int((eligible == -1).sum()), min_count),
            "ineligible": suppress(int((eligible == 0).sum()), min_count),
            "criteria": rows}


def funnel(run: OmopRun, *, on: str, source: str, min_count: int = 5, site: str | None = None) -> dict[str, Any]:
    """The ``--json`` object: overall steps (or one site's with ``site``), per-site steps, what OMOP lacks."""
    everyone = np.ones(len(run.verdicts.patient_ids), dtype=bool)
    scope = everyone if site is None else run.sites == site
    sites = sorted({s for s in run.sites[scope] if s is not None})
    missing = run.prepared.restriction.inputs()
    return {
        "source": source, "on": on, "site": site, "suppression": f"counts 1-{min_count - 1} shown as <{min_count}",
        "concepts_version": run.prepared.concepts.version,
        "unavailable": [{"input": name, "reason": reason, "criteria": ids}
                        for name, (reason, ids) in sorted(missing.items())],
        "unknown_for_everyone": [cid for cid, codes in run.verdicts.status.items() if (codes == -1).all()],
        **_steps(run, scope, min_count),
        "sites": {s: _steps(run, scope & (run.sites == s), min_count) for s in sites},
    }


def check_candidate_role(role: str | None, site: str | None) -> None:
    """Refuse person ids to anyone but a site-bound recruiting role naming its own site."""
    if role is None:
        raise InputValidationError("--role", "person ids need your role (site_coordinator or investigator)")
    try:
        parsed = Role(role)
    except ValueError:
        raise InputValidationError("--role", f"unknown role {role!r}") from None
    if parsed not in CANDIDATE_ROLES or not BLINDING_POLICY.view(parsed).site_bound:
        raise InputValidationError("--role", f"the role {parsed.value} may not see candidates' person ids; only "
                                             "a site coordinator or investigator, for their own site")
    if site is None:
        raise InputValidationError("--site", "person ids are given for one care site only: name yours")


def candidate_ids(run: OmopRun, site: str) -> list[str]:
    """Person ids of one care site who may qualify (eligible or undetermined), for that site's own staff."""
    keep = (run.sites == site) & (run.verdicts.eligible != 0)
    return [str(pid) for pid in run.verdicts.patient_ids[keep]]
