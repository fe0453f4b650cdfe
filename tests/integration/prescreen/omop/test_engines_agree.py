"""The compiled SQL and the Python reference engine give the same status to every person on every criterion.

The SQL sees only the query compiled from the (restricted) rule objects over the SQL mapping; the reference engine
never sees SQL: it maps plain OMOP rows in Python and runs the rules' Python form. Agreement on Eunomia plus
synthetic MS patients, on several dates and with and without the local concepts, checks both mappings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mescams.core.eligibility import Criterion
from mescams.prescreen.omop.engine import open_source, run_reference, run_sql
from mescams.prescreen.omop.funnel import funnel
from tests.integration.prescreen.omop.same_verdicts import assert_same_verdicts

from .conftest import ON


@pytest.mark.parametrize("on", [ON, dt.date(2015, 2, 28), dt.date(2016, 12, 31)])
@pytest.mark.parametrize("local", [False, True])
def test_sql_equals_reference_per_person_and_criterion(cdm: Path, criteria: tuple[Criterion, ...], on: dt.date,
                                                       local: bool) -> None:
    source = open_source(str(cdm))
    try:
        sql = run_sql(source, on, criteria, allow_local=local)
        ref = run_reference(source, on, criteria, allow_local=local)
    finally:
        source.close()
    assert_same_verdicts(sql, ref)
    assert (sql.sites == ref.sites).all()
    assert funnel(sql, on=str(on), source="x") == funnel(ref, on=str(on), source="x")


def test_every_criterion_has_every_status_its_inputs_allow(cdm: Path, criteria: tuple[Criterion, ...]) -> None:
    """With the local concepts: a criterion whose inputs OMOP supplies has met, not met and unknown people; one
    with no input at all is unknown for everyone; a partial one is never not met only through a missing part."""
    source = open_source(str(cdm))
    try:
        run = run_sql(source, ON, criteria, allow_local=True)
    finally:
        source.close()
    missing = run.prepared.restriction.missing
    # E14's MRI ability comes from MRI procedures (true after a recent one), so E14 has all three statuses
    assert set(missing) == {"I5", "E4", "E7", "E11", "E12", "E13", "E15", "E16", "E17", "E18"}
    for cid, codes in run.verdicts.status.items():
        seen = {int(c) for c in set(codes)}
        if cid not in missing:
            assert seen == {1, 0, -1}, f"{cid} has only {seen}"
    everyone_unknown = {cid for cid, codes in run.verdicts.status.items() if (codes == -1).all()}
    assert everyone_unknown == {"I5", "E11", "E15", "E16", "E17", "E18"}
    for cid in ("E4", "E12"):  # exclusions with an unavailable alternative: met or unknown, never "not met"
        assert set(run.verdicts.status[cid]) == {1, -1}
    assert set(run.verdicts.status["E13"]) == {1, 0, -1}  # males are known not pregnant
    assert (run.verdicts.eligible != 1).all()  # I5 (consent) is never known in hospital data


def test_without_local_concepts_relapse_gel_and_bands_are_unknown(cdm: Path,
                                                                  criteria: tuple[Criterion, ...]) -> None:
    """Relapses and CSF bands are then missing; GEL counts too, but MRI procedures still say who had a scan (count
    unknown) and who had none, so the GEL rules stay in, never met."""
    source = open_source(str(cdm))
    try:
        run = run_sql(source, ON, criteria)
    finally:
        source.close()
    inputs = run.prepared.restriction.inputs()
    for key in ("fact:relapse", "fact:csf_oligoclonal_bands"):
        assert "local concept" in inputs[key][0]
    assert "fact:gel_count" not in inputs and run.prepared.resolved.available("fact:mri_scan")
    assert "E9" in inputs["fact:relapse"][1]
    assert (run.verdicts.status["E9"] == -1).all()
    assert (run.verdicts.status["I1"] != 1).all()  # every course needs relapses or GEL, which are unknown
