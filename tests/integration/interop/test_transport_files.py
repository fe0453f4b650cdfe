"""SAS transport v5 and Dataset-JSON 1.1 files of every SDTM dataset of the demo trial.

XPT files are read back with pyreadstat and with R's haven (``haven::read_xpt``) and must equal the source,
variable labels and dataset label included. Dataset-JSON documents must validate against the CDISC schema.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.dataset import Dataset
from mescams.interop.dataset_json import dataset_json, read_dataset_json, validate_dataset_json
from mescams.interop.errors import ExportError
from mescams.interop.export import write_datasets
from mescams.interop.sdtm import build_sdtm
from mescams.interop.snapshot import TrialSnapshot
from mescams.interop.xpt import check_xpt_limits, read_xpt

CREATED = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

R_DUMP = r"""
library(haven); library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
out <- list()
for (f in list.files(args[1], pattern = "\\.xpt$", full.names = TRUE)) {
  d <- read_xpt(f)
  cols <- lapply(names(d), function(n) list(name = n, label = attr(d[[n]], "label"), values = as.list(d[[n]])))
  out[[basename(f)]] <- list(label = attr(d, "label"), columns = cols)
}
writeLines(toJSON(out, auto_unbox = TRUE, null = "null", na = "null", digits = NA), args[2])
"""


@pytest.fixture(scope="module")
def sdtm(protocol: Protocol, snapshot: TrialSnapshot) -> list[Dataset]:
    return build_sdtm(protocol, snapshot)


@pytest.fixture(scope="module")
def xpt_dir(sdtm: list[Dataset], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xpt")
    write_datasets(sdtm, out, "xpt", study_oid="NCT02239393", created=CREATED)
    return out


def _same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or b == "" or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, int | float) and not isinstance(a, bool):
        return isinstance(b, int | float) and math.isclose(float(a), float(b), rel_tol=1e-12)
    return a == b


def test_every_domain_is_written(sdtm: list[Dataset], xpt_dir: Path) -> None:
    names = {d.name for d in sdtm}
    assert names == {
        "TA",
        "TE",
        "TV",
        "TI",
        "TS",
        "DM",
        "SE",
        "SV",
        "DS",
        "EX",
        "AE",
        "CE",
        "MH",
        "CM",
        "IE",
        "VS",
        "LB",
        "QS",
        "NV",
    }
    assert {p.name for p in xpt_dir.iterdir()} == {f"{n.lower()}.xpt" for n in names}


def test_xpt_round_trip_with_pyreadstat(sdtm: list[Dataset], xpt_dir: Path) -> None:
    for ds in sdtm:
        frame, labels, file_label = read_xpt(xpt_dir / f"{ds.name.lower()}.xpt")
        assert list(frame.columns) == ds.names, ds.name
        assert labels == {v.name: v.label for v in ds.variables}, ds.name
        assert file_label == ds.label
        assert len(frame) == len(ds.rows)
        for v in ds.variables:
            got = frame[v.name].tolist()
            bad = [(i, a, b) for i, (a, b) in enumerate(zip(ds.column(v.name), got, strict=True)) if not _same(a, b)]
            assert not bad, f"{ds.name}.{v.name}: {bad[:3]}"


def test_xpt_round_trip_with_r_haven(sdtm: list[Dataset], xpt_dir: Path, rscript: str, tmp_path: Path) -> None:
    """R: haven::read_xpt(f) for each file; values, variable labels and dataset label equal the source."""
    script = tmp_path / "dump.R"
    script.write_text(R_DUMP, encoding="utf-8")
    out = tmp_path / "haven.json"
    subprocess.run([rscript, str(script), str(xpt_dir), str(out)], check=True, capture_output=True, timeout=120)
    dumped = json.loads(out.read_text(encoding="utf-8"))
    for ds in sdtm:
        got = dumped[f"{ds.name.lower()}.xpt"]
        assert got["label"] == ds.label
        assert [c["name"] for c in got["columns"]] == ds.names
        for col in got["columns"]:
            v = ds.variable(col["name"])
            assert col["label"] == v.label, f"{ds.name}.{v.name}"
            values = col["values"] if isinstance(col["values"], list) else [col["values"]]
            bad = [(i, a, b) for i, (a, b) in enumerate(zip(ds.column(v.name), values, strict=True)) if not _same(a, b)]
            assert not bad, f"{ds.name}.{v.name}: {bad[:3]}"


def test_dataset_json_validates_and_round_trips(
    sdtm: list[Dataset], dataset_json_schema: dict[str, Any], tmp_path: Path
) -> None:
    write_datasets(sdtm, tmp_path, "json", study_oid="NCT02239393", created=CREATED, json_schema=dataset_json_schema)
    for ds in sdtm:
        doc, rows = read_dataset_json(tmp_path / f"{ds.name.lower()}.json")
        assert doc["records"] == len(ds.rows) and doc["itemGroupOID"] == f"IG.{ds.name}"
        assert [c["label"] for c in doc["columns"]] == [v.label for v in ds.variables]
        for src, back in zip(ds.rows, rows, strict=True):
            assert all(_same(src[n], back[n]) for n in ds.names), ds.name
        integer_cols = [c["name"] for c in doc["columns"] if c["dataType"] == "integer"]
        assert all(isinstance(r[n], int) for r in rows for n in integer_cols if r[n] is not None)


def test_schema_rejects_a_broken_document(sdtm: list[Dataset], dataset_json_schema: dict[str, Any]) -> None:
    doc = dataset_json(sdtm[0], study_oid="S", created=CREATED)
    del doc["itemGroupOID"]
    with pytest.raises(ExportError, match="itemGroupOID"):
        validate_dataset_json(doc, dataset_json_schema)
    doc = dataset_json(sdtm[0], study_oid="S", created=CREATED)
    doc["records"] += 1
    with pytest.raises(ExportError, match="records"):
        validate_dataset_json(doc, dataset_json_schema)


def test_xpt_limits_are_enforced(sdtm: list[Dataset]) -> None:
    import dataclasses

    dm = next(d for d in sdtm if d.name == "DM")
    long_name = dataclasses.replace(
        dm, variables=(dataclasses.replace(dm.variables[0], name="STUDYIDENT"), *dm.variables[1:])
    )
    with pytest.raises(ExportError, match=r"DM.STUDYIDENT: variable name"):
        check_xpt_limits(long_name)
    long_label = dataclasses.replace(
        dm, variables=(dataclasses.replace(dm.variables[0], label="x" * 41), *dm.variables[1:])
    )
    with pytest.raises(ExportError, match="at most 40"):
        check_xpt_limits(long_label)
    accented = dataclasses.replace(dm, rows=({**dm.rows[0], "SUBJID": "Montr\u00e9al"}, *dm.rows[1:]))
    with pytest.raises(ExportError, match=r"DM.SUBJID row 1: value .* not ASCII"):
        check_xpt_limits(accented)
