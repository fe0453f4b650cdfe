"""``mescams demo load``: a demo trial entered through the same services the API uses.

Both sites, one user per role (plus a second coordinator for the second site), 45 people screened with realistic
screen failures, 31 randomised, their visits through week 48 with infusions, MRI reads, EDSS, adverse events and
relapses, withdrawals, a few out-of-window visits (protocol deviations) and open queries.

The people are the simulation's virtual patients (:mod:`mescams.sim.virtual_patients`), entered by
:func:`mescams.edc.demo.populate.populate` acting as the demo users, with a true MSC rate ratio of 0.6 on lesions and
relapses so the demo's analysis has something to find. (The first demo's own small seeded generator was retired
when the simulation could supply virtual patients; it is in the history before this change.)
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.accounts.services import create_user
from mescams.edc.audit.context import Actor
from mescams.edc.coding.loading import active_release, load_meddra, load_whodrug
from mescams.edc.coding.models import CodedTerm
from mescams.edc.demo.entry import Cast
from mescams.edc.demo.populate import populate
from mescams.edc.trial.models import Participant
from mescams.edc.trial.sites import sync_sites
from mescams.errors import MescamsError
from mescams.interop.dictionaries.synthetic import write_synthetic_meddra, write_synthetic_whodrug

__all__ = ["DEMO_USERS", "DemoAlreadyLoaded", "DemoSummary", "demo_password", "load_demo"]

DEMO_USERS: list[tuple[str, Role, list[str]]] = [
    ("coordinator", Role.SITE_COORDINATOR, ["OTT"]),
    ("coordinator.wpg", Role.SITE_COORDINATOR, ["WPG"]),
    ("investigator", Role.INVESTIGATOR, ["OTT", "WPG"]),
    ("rater", Role.EDSS_RATER, ["OTT", "WPG"]),
    ("mri", Role.MRI_READER, []),
    ("lab", Role.CELL_LAB, []),
    ("statistician", Role.UNBLINDED_STATISTICIAN, []),
    ("datamanager", Role.DATA_MANAGER, []),
    ("dsmb", Role.DSMB, []),
    ("admin", Role.ADMINISTRATOR, []),
    ("coder", Role.MEDICAL_CODER, []),
    ("safety", Role.SAFETY_OFFICER, []),
    ("monitor", Role.MONITOR, ["OTT", "WPG"]),
]
DEMO_SCREENED, DEMO_RANDOMISED, DEMO_RATE_RATIO = 45, 31, 0.6


def demo_password(username: str) -> str:
    """The demo password of a demo user (demo mode only; printed by ``make run``)."""
    return f"demo-{username}-2015"


class DemoAlreadyLoaded(MescamsError):
    """The database already holds participants; the demo loads into an empty trial only."""


@dataclass
class DemoSummary:
    users: list[tuple[str, str, str]] = field(default_factory=list)
    screened: int = 0
    randomised: int = 0
    screen_failed: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"demo trial loaded: {self.screened} screened, {self.screen_failed} screen failures, "
               f"{self.randomised} randomised"]
        out += self.details
        out += [f"  {name}: {n}" for name, n in sorted(self.counts.items())]
        out.append("demo log-ins (demo mode only):")
        out += [f"  {u:<16} {pw:<28} {role}" for u, pw, role in self.users]
        return out


def _demo_users(summary: DemoSummary) -> dict[str, User]:
    sync_sites()
    users = {}
    for name, role, sites in DEMO_USERS:
        existing = User.objects.filter(username=name).first()
        users[name] = existing or create_user(username=name, password=demo_password(name), role=role,
                                              site_codes=sites)
        summary.users.append((name, demo_password(name), role.label))
    return users


def _demo_dictionaries() -> None:
    """Load the synthetic MedDRA- and WHODrug-format dictionaries (NOT MedDRA or WHODrug; invented codes) through
    the same loader a sponsor's release goes through, so the demo's AEs and medications are coded as entered."""
    with tempfile.TemporaryDirectory(prefix="mescams-demo-dictionaries-") as folder:
        loader = Actor.system("demo")
        if active_release("meddra") is None:
            load_meddra(write_synthetic_meddra(Path(folder) / "meddra"), actor=loader, reason="demo: synthetic")
        if active_release("whodrug") is None:
            load_whodrug(write_synthetic_whodrug(Path(folder) / "whodrug"), actor=loader, reason="demo: synthetic")


def load_demo(*, seed: int = 20150601, force: bool = False) -> DemoSummary:
    """Load the demo trial into an empty database (DemoAlreadyLoaded otherwise, unless ``force``)."""
    if Participant.objects.exists() and not force:
        raise DemoAlreadyLoaded("the database already holds participants; the demo loads into an empty trial")
    summary = DemoSummary()
    with transaction.atomic():
        users = _demo_users(summary)
        _demo_dictionaries()
        cast = Cast(coordinators={"OTT": users["coordinator"], "WPG": users["coordinator.wpg"]},
                    investigator=users["investigator"], rater=users["rater"], mri=users["mri"], lab=users["lab"],
                    statistician=users["statistician"], datamanager=users["datamanager"],
                    investigator_password=demo_password("investigator"))
        result = populate(screen=DEMO_SCREENED, participants=DEMO_RANDOMISED, rate_ratio=DEMO_RATE_RATIO,
                          seed=seed, cast=cast, require_empty=not force)
    summary.screened, summary.randomised = result.screened, result.randomised
    summary.screen_failed = result.screen_failed
    summary.details = result.lines()[1:4]  # assessed (pre-screening log), screened, failures by criterion
    summary.counts = {f"{name} records": n for name, n in result.forms.items()}
    summary.counts.update({"open queries": result.open_queries, "protocol deviations": result.deviations,
                           "audit entries": result.audit_entries})
    summary.counts.update({f"{d} terms {status}": n for (d, status), n in Counter(
        CodedTerm.objects.values_list("dictionary", "status")).items()})
    return summary
