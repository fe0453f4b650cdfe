"""Write a set of datasets to a folder as SAS transport v5 and/or Dataset-JSON 1.1, checking each as it goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from mescams import __version__
from mescams.interop.dataset import Dataset
from mescams.interop.dataset_json import dataset_json, validate_dataset_json
from mescams.interop.errors import ExportError
from mescams.interop.xpt import write_xpt

__all__ = ["Format", "write_datasets"]

Format = Literal["xpt", "json", "both"]


def write_datasets(
    datasets: Iterable[Dataset],
    out_dir: Path,
    fmt: Format,
    *,
    study_oid: str,
    created: dt.datetime,
    json_schema: dict[str, Any] | None = None,
) -> list[Path]:
    """Write every dataset; with ``json_schema`` each Dataset-JSON document is validated before it is written."""
    import json

    if fmt not in ("xpt", "json", "both"):
        raise ExportError("--format", f"must be xpt, json or both, got {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for ds in datasets:
        if fmt in ("xpt", "both"):
            written.append(write_xpt(ds, out_dir))
        if fmt in ("json", "both"):
            doc = dataset_json(ds, study_oid=study_oid, created=created, software_version=__version__)
            if json_schema is not None:
                validate_dataset_json(doc, json_schema)
            path = out_dir / f"{ds.name.lower()}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            written.append(path)
    return written
