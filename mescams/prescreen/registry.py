"""Reading and checking a registry folder: ``<table>.parquet`` per table, columns as ``docs/registry.md`` says.

Both engines read the registry through :func:`validate_registry` first, so a bad file fails the same way whichever
engine runs: an :class:`~mescams.errors.InputValidationError` naming the table, column and first bad row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mescams.core.eligibility.parsing import ELIMINATION_METHODS, LAB_UNITS
from mescams.core.eligibility.record import COURSES, PatientRecord
from mescams.errors import InputValidationError

__all__ = ["REGISTRY_COLUMNS", "load_tables", "table_path", "tables_from_records", "validate_registry", "write_tables"]

_DATE, _BOOL, _STR, _NUM, _INT = "date", "bool", "string", "number", "integer"
REGISTRY_COLUMNS: dict[str, dict[str, str]] = {
    "patients": {
        "patient_key": _INT, "patient_id": _STR, "site": _STR, "sex": _STR, "birth_date": _DATE, "consent_date": _DATE,
        "able_to_consent": _BOOL, "ms_course": _STR, "ms_onset_date": _DATE, "ms_diagnosis_date": _DATE,
        "ms_csf_oligoclonal_bands": _BOOL, "pregnant": _BOOL, "childbearing_potential": _BOOL,
        "willing_to_use_contraception": _BOOL, "can_undergo_mri": _BOOL, "in_other_trial": _BOOL,
        "able_to_adhere": _BOOL, "relapses_recorded": _BOOL, "mri_recorded": _BOOL, "edss_recorded": _BOOL,
        "therapies_recorded": _BOOL, "conditions_recorded": _BOOL, "allergies_recorded": _BOOL,
        "labs_recorded": _BOOL,
    },
    "relapses": {"patient_key": _INT, "onset_date": _DATE, "clinically_documented": _BOOL},
    "mri": {"patient_key": _INT, "scan_date": _DATE, "gel_count": _INT},
    "edss": {"patient_key": _INT, "assessment_date": _DATE, "score": _NUM},
    "therapies": {"patient_key": _INT, "drug": _STR, "start_date": _DATE, "end_date": _DATE,
                  "accelerated_elimination": _STR},
    "conditions": {"patient_key": _INT, "code": _STR, "start_date": _DATE, "remission_date": _DATE, "active": _BOOL},
    "allergies": {"patient_key": _INT, "substance": _STR},
    "labs": {"patient_key": _INT, "sample_date": _DATE, "test": _STR, "value": _NUM, "unit": _STR,
             "clinically_significant": _BOOL},
}
REQUIRED = {  # columns that may not be null, per table
    "patients": {"patient_key", "patient_id"},
    "relapses": {"patient_key", "onset_date"},
    "mri": {"patient_key", "scan_date"},
    "edss": {"patient_key", "assessment_date", "score"},
    "therapies": {"patient_key", "drug", "start_date"},
    "conditions": {"patient_key", "code"},
    "allergies": {"patient_key", "substance"},
    "labs": {"patient_key", "sample_date", "test", "value"},
}
_TYPES = {_DATE: pa.types.is_date32, _BOOL: pa.types.is_boolean, _INT: pa.types.is_integer,
          _STR: lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
          _NUM: lambda t: pa.types.is_floating(t) or pa.types.is_integer(t)}


def table_path(registry: Path, table: str) -> Path:
    return registry / f"{table}.parquet"


def _first_bad(table: str, column: str, bad: pa.Array, rule: str) -> None:
    mask = np.asarray(bad.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    if mask.any():
        raise InputValidationError(f"{table}.{column} (row {int(np.argmax(mask)) + 1})", rule)


def _not_in(values: pa.ChunkedArray, allowed: Sequence[str]) -> pa.Array:
    """True where a non-null value is outside ``allowed``."""
    outside = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, pa.array(list(allowed)))))
    return outside.combine_chunks()


def validate_registry(registry: Path) -> None:
    """Check every file's presence, columns and types, and the values the contract restricts."""
    if not registry.is_dir():
        raise InputValidationError(str(registry), "expected a registry folder of Parquet files")
    for table, columns in REGISTRY_COLUMNS.items():
        path = table_path(registry, table)
        if not path.is_file():
            raise InputValidationError(str(path), f"missing: the registry needs a {table}.parquet file")
        schema = pq.read_schema(path)
        for column, kind in columns.items():
            if column not in schema.names:
                raise InputValidationError(f"{table}.{column}", f"missing column ({kind})")
            if not _TYPES[kind](schema.field(column).type):
                raise InputValidationError(f"{table}.{column}", f"expected {kind}, got {schema.field(column).type}")
    _check_values(registry)


def _null_free(path: Path, column: str) -> bool | None:
    """From the Parquet statistics: True when no row group holds a null, None when statistics are missing."""
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.names.index(column)
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_null_count:
            return None
        if stats.null_count:
            return False
    return True


def _pairs(first: pa.ChunkedArray, second: pa.ChunkedArray) -> set[tuple[str | None, str | None]]:
    """The distinct (first, second) value pairs of two dictionary-encoded columns, from their integer codes."""
    out: set[tuple[str | None, str | None]] = set()
    for a, b in zip(first.chunks, second.chunks, strict=True):
        names_a, names_b = [None, *a.dictionary.to_pylist()], [None, *b.dictionary.to_pylist()]
        code_a = pc.fill_null(a.indices, -1).to_numpy().astype("int64") + 1
        code_b = pc.fill_null(b.indices, -1).to_numpy().astype("int64") + 1
        for code in np.unique(code_a * len(names_b) + code_b):
            out.add((names_a[code // len(names_b)], names_b[code % len(names_b)]))
    return out


def _check_values(registry: Path) -> None:
    """The contract's value rules, read cheaply: null counts from statistics, enumerations from dictionaries."""

    def read(table: str, *columns: str, dictionary: bool = False) -> pa.Table:
        return pq.read_table(table_path(registry, table), columns=list(columns),
                             read_dictionary=list(columns) if dictionary else None)

    def enumeration(table: str, column: str, allowed: Sequence[str]) -> None:
        values = read(table, column, dictionary=True).column(0)
        seen = {v for chunk in values.chunks for v in chunk.dictionary.to_pylist()}
        if seen - set(allowed) - {None}:
            _first_bad(table, column, _not_in(read(table, column).column(0), allowed),
                       f"expected one of {list(allowed)}")

    for table, columns in REGISTRY_COLUMNS.items():
        path = table_path(registry, table)
        for column in (c for c in columns if c in REQUIRED[table]):
            if _null_free(path, column) is not True:
                _first_bad(table, column, pc.is_null(read(table, column).column(0)).combine_chunks(), "is required")
    keys = read("patients", "patient_key").column(0)
    if pc.count_distinct(keys).as_py() != len(keys):
        raise InputValidationError("patients.patient_key", "must be unique")
    enumeration("patients", "ms_course", COURSES)
    enumeration("therapies", "accelerated_elimination", ELIMINATION_METHODS)
    enumeration("labs", "test", sorted(LAB_UNITS))
    score = read("edss", "score").column(0)
    steps = pc.multiply(score, 2.0)
    bad = pc.or_(pc.or_(pc.less(score, 0.0), pc.greater(score, 10.0)), pc.not_equal(steps, pc.floor(steps)))
    _first_bad("edss", "score", bad.combine_chunks(), "EDSS must be 0 to 10 in steps of 0.5")
    therapies = read("therapies", "start_date", "end_date")
    _first_bad("therapies", "end_date", pc.less(therapies["end_date"], therapies["start_date"]).combine_chunks(),
               "is before start_date")
    labs = read("labs", "test", "unit", dictionary=True)
    for test, unit in _pairs(labs["test"], labs["unit"]):
        if test in LAB_UNITS and unit is not None and unit != LAB_UNITS[test]:
            wrong = pc.and_(pc.equal(labs["test"], test), pc.equal(labs["unit"], unit))
            _first_bad("labs", "unit", wrong.combine_chunks(), f"{test} must be in {LAB_UNITS[test]}")
    gel = read("mri", "gel_count").column(0)
    _first_bad("mri", "gel_count", pc.less(gel, 0).combine_chunks(), "expected a whole number >= 0")


def load_tables(registry: Path, limit: int | None = None) -> dict[str, pa.Table]:
    """Every table, sorted by patient; with ``limit``, only the first ``limit`` patients (and their rows)."""
    patients = pq.read_table(table_path(registry, "patients"))
    if limit is not None:
        patients = patients.slice(0, limit)
    patients = patients.sort_by("patient_key")
    keep = patients.column("patient_key")
    tables = {"patients": patients}
    for table in REGISTRY_COLUMNS:
        if table == "patients":
            continue
        data = pq.read_table(table_path(registry, table))
        if limit is not None:
            data = data.filter(pc.is_in(data.column("patient_key"), keep))
        tables[table] = data.sort_by("patient_key")
    return tables


_ARROW_TYPES = {_DATE: pa.date32(), _BOOL: pa.bool_(), _STR: pa.string(), _NUM: pa.float64(), _INT: pa.int64()}
_CHILD_FIELDS = {  # registry column -> record attribute, per child table
    "relapses": {"onset_date": "onset_date", "clinically_documented": "clinically_documented"},
    "mri": {"scan_date": "date", "gel_count": "gel_count"},
    "edss": {"assessment_date": "date", "score": "score"},
    "therapies": {"drug": "drug", "start_date": "start_date", "end_date": "end_date",
                  "accelerated_elimination": "accelerated_elimination"},
    "conditions": {"code": "code", "start_date": "start_date", "remission_date": "remission_date",
                   "active": "active"},
    "labs": {"sample_date": "date", "test": "test", "value": "value", "unit": "unit",
             "clinically_significant": "clinically_significant"},
}


def tables_from_records(records: Sequence[PatientRecord]) -> dict[str, pa.Table]:
    """The registry tables holding ``records`` (patient_key = position + 1): the inverse of the Python engine's
    reading, so screening records can be run through the SQL engine too."""
    schema = {t: pa.schema([(c, _ARROW_TYPES[k]) for c, k in cols.items()]) for t, cols in REGISTRY_COLUMNS.items()}
    patients: dict[str, list[Any]] = {c: [] for c in REGISTRY_COLUMNS["patients"]}
    children: dict[str, dict[str, list[Any]]] = {t: {c: [] for c in REGISTRY_COLUMNS[t]} for t in _CHILD_FIELDS}
    children["allergies"] = {"patient_key": [], "substance": []}
    for key, rec in enumerate(records, start=1):
        ms = rec.ms
        row = {"patient_key": key, "patient_id": rec.id, "ms_course": ms and ms.course,
               "ms_onset_date": ms and ms.onset_date, "ms_diagnosis_date": ms and ms.diagnosis_date,
               "ms_csf_oligoclonal_bands": ms and ms.csf_oligoclonal_bands}
        for column in patients:
            if column.endswith("_recorded"):
                row[column] = getattr(rec, column.removesuffix("_recorded")) is not None
            elif column not in row:
                row[column] = getattr(rec, column)
            patients[column].append(row[column])
        for table, fields in _CHILD_FIELDS.items():
            for item in getattr(rec, table) or ():
                children[table]["patient_key"].append(key)
                for column, attribute in fields.items():
                    children[table][column].append(getattr(item, attribute))
        for substance in rec.allergies or ():
            children["allergies"]["patient_key"].append(key)
            children["allergies"]["substance"].append(substance)
    out = {"patients": pa.table(patients, schema=schema["patients"])}
    out.update({t: pa.table(cols, schema=schema[t]) for t, cols in children.items()})
    return out


def write_tables(registry: Path, tables: dict[str, pa.Table]) -> None:
    """Write registry tables as ``<table>.parquet`` files."""
    registry.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, table_path(registry, name))
