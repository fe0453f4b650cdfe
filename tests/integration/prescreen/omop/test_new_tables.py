"""The observation, procedure_occurrence and visit_occurrence tables feed the same inputs: switching each path off
changes statuses in the synthetic CDM (so the generator exercises it), and both engines agree with it on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mescams.core.eligibility import Criterion
from mescams.prescreen.omop.concepts import ConceptFile, load_concepts
from mescams.prescreen.omop.engine import OmopRun, open_source, run_reference, run_sql
from tests.integration.prescreen.omop.same_verdicts import assert_same_verdicts

from .conftest import ON


def _without(concepts: ConceptFile, *, observation: bool = True, procedures: bool = True) -> ConceptFile:
    """The concept file with the observation table, or the MRI procedures, switched off (the procedure set gets a
    code no vocabulary holds: unresolved, as at a site without it)."""
    sets = dict(concepts.sets)
    if not observation:
        sets = {key: dataclasses.replace(cset, also_in_observation=False) for key, cset in sets.items()}
    if not procedures:
        mri = sets["fact:mri_scan"]
        sets["fact:mri_scan"] = dataclasses.replace(
            mri, concepts=(dataclasses.replace(mri.concepts[0], code="0-no-such-code"),))
    return dataclasses.replace(concepts, sets=sets)


def _run(cdm: Path, criteria: tuple[Criterion, ...], concepts: ConceptFile,
         engine: Callable[..., OmopRun] = run_sql) -> OmopRun:
    source = open_source(str(cdm))
    try:
        return engine(source, ON, criteria, concepts=concepts, allow_local=True)
    finally:
        source.close()


@pytest.fixture(scope="module")
def full(cdm: Path, criteria: tuple[Criterion, ...]) -> OmopRun:
    return _run(cdm, criteria, load_concepts())


def test_observation_rows_decide_edss_and_pregnancy(cdm: Path, criteria: tuple[Criterion, ...],
                                                    full: OmopRun) -> None:
    off = _run(cdm, criteria, _without(load_concepts(), observation=False))
    for cid in ("I4", "E13"):
        changed = full.verdicts.status[cid] != off.verdicts.status[cid]
        assert changed.sum() > 0, f"{cid}: the observation table changes no one"
    # a pregnancy only in the observation table: met with it, unknown (women) without it
    gained = (full.verdicts.status["E13"] == 1) & (off.verdicts.status["E13"] == -1)
    assert gained.sum() > 0


def test_mri_procedures_decide_mri_ability_and_uncounted_scans(cdm: Path, criteria: tuple[Criterion, ...],
                                                               full: OmopRun) -> None:
    off = _run(cdm, criteria, _without(load_concepts(), procedures=False))
    assert (off.verdicts.status["E14"] == 0).sum() == 0  # without procedures no one is known able to have an MRI
    assert (full.verdicts.status["E14"] == 0).sum() > 0
    assert "can_undergo_mri" in off.prepared.restriction.inputs()
    # a scan without a GEL count turns "no GEL in 12 months" into unknown for some RRMS patients
    assert ((off.verdicts.status["I1"] == 0) & (full.verdicts.status["I1"] == -1)).sum() > 0


def test_care_site_from_the_latest_visit(cdm: Path, full: OmopRun) -> None:
    source = open_source(str(cdm))
    try:
        no_site = {str(r[0]) for r in source.rows("SELECT person_id FROM person WHERE care_site_id IS NULL")}
    finally:
        source.close()
    without = np.isin(full.verdicts.patient_ids, sorted(no_site))
    assert (without & (full.sites != None)).sum() > 0  # noqa: E711 - numpy elementwise comparison
    assert (without & (full.sites == None)).sum() > 0  # noqa: E711


@pytest.mark.parametrize("switch", ["observation", "procedures"])
def test_engines_agree_with_each_path_off(cdm: Path, criteria: tuple[Criterion, ...], switch: str) -> None:
    concepts = _without(load_concepts(), **{switch: False})
    sql, ref = _run(cdm, criteria, concepts), _run(cdm, criteria, concepts, run_reference)
    assert_same_verdicts(sql, ref)
    assert (sql.sites == ref.sites).all()
