"""CDISC Dataset-JSON 1.1: one JSON document per dataset, with column metadata that points into Define-XML.

Item OIDs follow Define-XML (``IT.<DATASET>.<VARIABLE>``, ``IG.<DATASET>``) so a reader can join a column to its
definition. Char variables are ``string`` (SDTM dates stay text: partial dates are legal), integer-only Num
variables ``integer``, other Num ``double``. An ADaM numeric date (SAS days, DATE9.) is a ``date`` column holding
ISO 8601 text with ``targetDataType`` ``integer`` and ``displayFormat`` ``DATE9.``, as Dataset-JSON 1.1 types
dates; :func:`read_dataset_json` turns it back into SAS days so a round trip gives the dataset's values.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from mescams.interop.dataset import Cell, Dataset
from mescams.interop.errors import ExportError

__all__ = ["dataset_json", "read_dataset_json", "validate_dataset_json", "write_dataset_json"]

VERSION = "1.1.0"


SAS_EPOCH = dt.date(1960, 1, 1)


def _data_type(ds: Dataset, name: str) -> str:
    v = ds.variable(name)
    if v.type == "Char":
        return "string"
    if v.is_sas_date:
        return "date"
    return "integer" if v.integer else "double"


def _value(value: Cell, data_type: str) -> Cell:
    if value is None:
        return None
    if data_type == "date":
        return (SAS_EPOCH + dt.timedelta(days=int(value))).isoformat()  # type: ignore[arg-type]
    if data_type == "integer":
        return int(value)  # type: ignore[arg-type]
    if data_type == "double":
        return float(value)  # type: ignore[arg-type]
    return str(value)


def dataset_json(
    ds: Dataset,
    *,
    study_oid: str,
    created: dt.datetime,
    metadata_version: str = "MDV.1",
    db_modified: dt.datetime | None = None,
    software_version: str = "0",
) -> dict[str, Any]:
    """The Dataset-JSON 1.1 document of one dataset, as a JSON-ready dict."""
    types = {v.name: _data_type(ds, v.name) for v in ds.variables}
    columns: list[dict[str, Any]] = []
    for v in ds.variables:
        col: dict[str, Any] = {
            "itemOID": f"IT.{ds.name}.{v.name}",
            "name": v.name,
            "label": v.label,
            "dataType": types[v.name],
        }
        if v.type == "Char":
            col["length"] = ds.length(v.name)
        if v.is_sas_date:
            col["targetDataType"] = "integer"
        if v.display_format:
            col["displayFormat"] = v.display_format
        if v.name in ds.keys:
            col["keySequence"] = ds.keys.index(v.name) + 1
        columns.append(col)
    stamp = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    doc: dict[str, Any] = {
        "datasetJSONCreationDateTime": stamp,
        "datasetJSONVersion": VERSION,
        "fileOID": f"{study_oid}.{ds.standard}.{ds.name}",
        "originator": "mescams",
        "sourceSystem": {"name": "mescams", "version": software_version},
        "studyOID": study_oid,
        "metaDataVersionOID": metadata_version,
        "metaDataRef": "define.xml",
        "itemGroupOID": f"IG.{ds.name}",
        "records": len(ds.rows),
        "name": ds.name,
        "label": ds.label,
        "columns": columns,
        "rows": [[_value(r[v.name], types[v.name]) for v in ds.variables] for r in ds.rows],
    }
    if db_modified is not None:
        doc["dbLastModifiedDateTime"] = db_modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return doc


def validate_dataset_json(doc: dict[str, Any], schema: dict[str, Any]) -> None:
    """Check a document against the Dataset-JSON 1.1 JSON Schema and our own consistency rules."""
    import jsonschema

    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = "/".join(str(p) for p in first.absolute_path) or "(document)"
        raise ExportError(f"{doc.get('name', '?')}.json {path}", first.message)
    if doc["records"] != len(doc.get("rows", [])):
        raise ExportError(f"{doc['name']}.json records", "must equal the number of rows")
    width = len(doc["columns"])
    for i, row in enumerate(doc.get("rows", []), start=1):
        if len(row) != width:
            raise ExportError(f"{doc['name']}.json row {i}", f"has {len(row)} values for {width} columns")


def write_dataset_json(ds: Dataset, out_dir: Path, **kwargs: Any) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{ds.name.lower()}.json"
    path.write_text(json.dumps(dataset_json(ds, **kwargs), ensure_ascii=False), encoding="utf-8")
    return path


def read_dataset_json(path: Path) -> tuple[dict[str, Any], list[dict[str, Cell]]]:
    """Read a Dataset-JSON file: (document without rows, rows as {name: value}); a ``date`` column whose
    ``targetDataType`` is ``integer`` comes back as SAS days (the value the dataset holds)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["columns"]]
    sas_dates = {c["name"] for c in doc["columns"] if c["dataType"] == "date" and c.get("targetDataType") == "integer"}
    rows = [dict(zip(names, r, strict=True)) for r in doc.pop("rows", [])]
    for row in rows:
        for name in sas_dates:
            if row[name] is not None:
                row[name] = (dt.date.fromisoformat(str(row[name])) - SAS_EPOCH).days
    return doc, rows
