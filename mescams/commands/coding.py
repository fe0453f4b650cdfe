"""``mescams coding ...``: load the sponsor's MedDRA and WHODrug releases, autocode, upgrade a version, report.

Django and the EDC are imported inside each command, so ``mescams --help`` stays fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: Django and the EDC load only when a coding command runs (after configure()), so
# `mescams --help` and the other commands start fast.

_DIR = typer.Argument(..., exists=True, file_okay=False, dir_okay=True, help="The release's directory.")
_REASON = typer.Option("", "--reason", help="Why (recorded in the audit trail).")


def _django() -> None:
    from mescams.edc.settings import configure

    configure()


def _loaded(release: object, counts: str) -> None:
    active = "active" if getattr(release, "active", False) else "loaded beside the active release; make it active " \
                                                                 "with `mescams coding upgrade`"
    note = " (SYNTHETIC: not a licensed release)" if getattr(release, "synthetic", False) else ""
    typer.echo(f"{getattr(release, 'label', '')}{note}: {counts}; {active}")


@reports_errors
def load_meddra(directory: Path = _DIR, reason: str = _REASON) -> None:
    """Load a MedDRA release from the MSSO ASCII files (llt.asc, pt.asc, ..., mdhier.asc, meddra_release.asc)."""
    _django()
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra as load
    from mescams.edc.coding.models import MeddraLlt, MeddraTerm

    release = load(directory, actor=Actor.system("cli"), reason=reason)
    _loaded(release, f"{MeddraLlt.objects.filter(release=release).count()} LLTs, "
                     f"{MeddraTerm.objects.filter(release=release, level='pt').count()} PTs")


@reports_errors
def load_whodrug(directory: Path = _DIR, reason: str = _REASON) -> None:
    """Load a WHODrug release from the B3 text files (DD.txt, DDA.txt, INA.txt, version.txt)."""
    _django()
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_whodrug as load
    from mescams.edc.coding.models import WhodrugName

    release = load(directory, actor=Actor.system("cli"), reason=reason)
    _loaded(release, f"{WhodrugName.objects.filter(release=release).count()} drug names")


@reports_errors
def autocode() -> None:
    """Code every AE term and medication not yet coded (exact, normalised, then the trial's synonyms)."""
    _django()
    from mescams.edc.coding.autocode import autocode_all

    for line in autocode_all().lines() or ["nothing to code"]:
        typer.echo(line)


@reports_errors
def upgrade(
    dictionary: str = typer.Argument(..., help="meddra or whodrug"),
    version: str = typer.Argument(..., help="The loaded release to make active, as its release file names it."),
) -> None:
    """Make a loaded release the active one and recode every term to it; reports LLTs no longer current."""
    _django()
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.recoding import upgrade as run

    for line in run(dictionary=dictionary, version=version, actor=Actor.system("cli")).lines():
        typer.echo(line)


@reports_errors
def report() -> None:
    """The releases loaded, the coded terms by status, and the terms on an LLT that is no longer current."""
    _django()
    from mescams.edc.coding.models import CodedTerm, DictionaryRelease
    from mescams.edc.coding.recoding import non_current_terms

    for release in DictionaryRelease.objects.all():
        typer.echo(f"{release.label}{' (active)' if release.active else ''}"
                   f"{' SYNTHETIC' if release.synthetic else ''}: loaded {release.loaded_at:%Y-%m-%d} "
                   f"by {release.loaded_by} from {release.source}")
    counts = Counter((t.dictionary, t.status) for t in CodedTerm.objects.all())
    for (dictionary, status), n in sorted(counts.items()):
        typer.echo(f"{dictionary} {status}: {n}")
    for term in non_current_terms():
        typer.echo(f"non-current LLT: {term.form} {term.record_pk} {term.verbatim!r} -> {term.llt_code} "
                   f"{term.llt_name} ({term.release.label if term.release else ''})")


@reports_errors
def write_synthetic(directory: Path = typer.Argument(..., file_okay=False, help="Where to write meddra/ and "
                                                                             "whodrug/.")) -> None:
    """Write the small SYNTHETIC dictionaries (MedDRA and WHODrug formats, invented codes; NOT MedDRA or WHODrug)
    that the demo and the tests use, to try the loading commands."""
    from mescams.interop.dictionaries.synthetic import write_synthetic_meddra, write_synthetic_whodrug

    meddra, whodrug = write_synthetic_meddra(directory / "meddra"), write_synthetic_whodrug(directory / "whodrug")
    typer.echo(f"wrote {meddra} and {whodrug} (synthetic, not MedDRA or WHODrug)")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    coding = group("coding", "Medical coding: MedDRA and WHODrug releases, autocoding, version upgrades.")
    coding.command("load-meddra")(load_meddra)
    coding.command("load-whodrug")(load_whodrug)
    coding.command("autocode")(autocode)
    coding.command("upgrade")(upgrade)
    coding.command("report")(report)
    coding.command("write-synthetic")(write_synthetic)
