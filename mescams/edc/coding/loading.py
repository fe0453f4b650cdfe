"""Loading a dictionary release into the versioned tables: parse and check the whole release first (nothing is
written when any file is bad), then write it in one transaction, audited as who loaded which version from where.

A release loads beside the ones already there. The first release of a dictionary becomes the active one (the
release new coding uses); a later one is made active by an upgrade (:func:`mescams.edc.coding.recoding.upgrade`),
which recodes every term and reports what changed, so a trial never codes to two versions at once by accident.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from mescams.edc.audit.context import Actor, acting
from mescams.edc.coding.models import (
    MEDDRA,
    WHODRUG,
    DictionaryRelease,
    MeddraLlt,
    MeddraPath,
    MeddraTerm,
    WhodrugAtc,
    WhodrugName,
)
from mescams.errors import InputValidationError
from mescams.interop.dictionaries import read_meddra, read_whodrug
from mescams.interop.dictionaries.normalise import normalise

__all__ = ["active_release", "load_meddra", "load_whodrug"]

_BATCH = 2000


def active_release(dictionary: str) -> DictionaryRelease | None:
    found: DictionaryRelease | None = DictionaryRelease.objects.filter(dictionary=dictionary, active=True).first()
    return found


def _new_release(dictionary: str, version: str, language: str, directory: Path, actor: Actor) -> DictionaryRelease:
    if DictionaryRelease.objects.filter(dictionary=dictionary, version=version).exists():
        raise InputValidationError("version", gettext("%(dictionary)s %(version)s is already loaded") % {
            "dictionary": dictionary, "version": version})
    synthetic = any(p.name.upper().startswith("README-NOT-") for p in directory.iterdir())
    release = DictionaryRelease(dictionary=dictionary, version=version, language=language,
                                source=str(directory.resolve())[:500], synthetic=synthetic,
                                active=active_release(dictionary) is None, loaded_by=actor.username)
    release.save()
    return release


def load_meddra(directory: Path | str, *, actor: Actor, reason: str = "") -> DictionaryRelease:
    """Read the MSSO ASCII release in ``directory`` and store it (DictionaryFileError names a bad file's line)."""
    directory = Path(directory)
    meddra = read_meddra(directory)
    with transaction.atomic(), acting(actor, reason=reason or f"MedDRA {meddra.version} loaded"):
        release = _new_release(MEDDRA, meddra.version, meddra.language, directory, actor)
        terms = [MeddraTerm(release=release, level=level, code=t.code, name=t.name, key=normalise(t.name),
                            abbrev=t.abbrev)
                 for level, table in (("soc", meddra.socs), ("hlgt", meddra.hlgts), ("hlt", meddra.hlts))
                 for t in table.values()]
        terms += [MeddraTerm(release=release, level="pt", code=p.code, name=p.name, key=normalise(p.name),
                             primary_soc_code=p.primary_soc_code) for p in meddra.pts.values()]
        MeddraTerm.objects.bulk_create(terms, batch_size=_BATCH)
        MeddraLlt.objects.bulk_create(
            [MeddraLlt(release=release, code=t.code, name=t.name, key=normalise(t.name), pt_code=t.pt_code,
                       current=t.current) for t in meddra.llts.values()], batch_size=_BATCH)
        MeddraPath.objects.bulk_create(
            [MeddraPath(release=release, pt_code=p.pt_code, hlt_code=p.hlt_code, hlgt_code=p.hlgt_code,
                        soc_code=p.soc_code, primary=p.primary) for p in meddra.paths], batch_size=_BATCH)
    return release


def load_whodrug(directory: Path | str, *, actor: Actor, reason: str = "") -> DictionaryRelease:
    """Read the WHODrug B3 release in ``directory`` (DD, DDA, INA, version.txt) and store it."""
    directory = Path(directory)
    drugs = read_whodrug(directory)
    with transaction.atomic(), acting(actor, reason=reason or f"WHODrug {drugs.version} loaded"):
        release = _new_release(WHODRUG, drugs.version, "", directory, actor)
        WhodrugAtc.objects.bulk_create(
            [WhodrugAtc(release=release, code=a.code, level=a.level, text=a.text) for a in drugs.atc.values()],
            batch_size=_BATCH)
        names = []
        for drug in drugs.drugs.values():
            preferred = drugs.preferred(drug.drug_code)
            names.append(WhodrugName(release=release, drug_code=drug.drug_code, name=drug.name,
                                     key=normalise(drug.name)[:1500], designation=drug.designation,
                                     preferred_code=preferred.drug_code, preferred_name=preferred.name,
                                     atc_codes=list(drugs.atc_codes(drug.drug_code))))
        WhodrugName.objects.bulk_create(names, batch_size=_BATCH)
    return release
