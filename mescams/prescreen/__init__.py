"""Registry pre-screening: run the eligibility rules over a whole MS registry, in DuckDB or in plain Python.

Why a top-level package and not part of ``mescams.core.eligibility``: the core is pure (no files, no database),
while pre-screening is an adapter around it that reads Parquet files and drives an SQL engine. It holds no
eligibility logic of its own: the DuckDB engine executes the SQL that the core's rule objects compile to
(:func:`mescams.core.eligibility.compile_sql`), and the Python engine turns registry rows into the core's
:class:`~mescams.core.eligibility.PatientRecord` and calls :func:`~mescams.core.eligibility.assess`. Both return
the same :class:`Verdicts`, so their results can be compared patient by patient.

Registry layout: ``docs/registry.md`` (one Parquet file per table of the patient record).
"""

from mescams.prescreen.engines import ENGINES, run_duckdb, run_python
from mescams.prescreen.registry import REGISTRY_COLUMNS, load_tables, validate_registry
from mescams.prescreen.verdicts import Verdicts

__all__ = ["ENGINES", "REGISTRY_COLUMNS", "Verdicts", "load_tables", "run_duckdb", "run_python",
           "validate_registry"]
