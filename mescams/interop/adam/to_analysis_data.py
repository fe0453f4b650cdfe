"""Turn ADaM datasets (objects, or a folder of .xpt / Dataset-JSON files) into the analysis-data folder.

Why: ``mescams analyze`` reads the contract's folder (shared/contracts/analysis-data.md); a sponsor who holds the
trial as ADaM can run the same analysis through this converter and must get the same results. Each contract
column is read from one ADaM variable: participants from ADSL, scans from ADLES scan records, adverse events from
ADAE, relapses from ADREL, EDSS from ADEDSS. The rows go to the folder's one writer,
:func:`mescams.stats.analysis_folder.write_analysis_folder`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from mescams.core.analysis_contract import COLUMNS
from mescams.interop.adam.subject import from_sas
from mescams.interop.analysis_folder import Table
from mescams.interop.dataset import Cell, Dataset
from mescams.interop.dataset_json import read_dataset_json
from mescams.interop.errors import ImportFormatError

__all__ = ["analysis_tables_from_adam", "is_adam_folder", "read_adam_folder"]

REQUIRED = ("ADSL", "ADAE", "ADLES", "ADEDSS", "ADREL")
MRI_COLUMNS = {
    "GDLESNUM": "gel_count",
    "NT2LSNUM": "new_enlarging_t2_count",
    "CUALSNUM": "cua_count",
    "GDLESVOL": "gel_volume_mm3",
    "BHLESVOL": "black_hole_volume_mm3",
}
COUNTS = {"gel_count", "new_enlarging_t2_count", "cua_count"}


def is_adam_folder(folder: Path) -> bool:
    """True when the folder holds an ADSL transport or Dataset-JSON file (the hook ``mescams analyze`` can use)."""
    return (folder / "adsl.xpt").is_file() or (folder / "adsl.json").is_file()


def _clean(value: object) -> Cell:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value or None
    return value  # type: ignore[return-value]


def read_adam_folder(folder: Path) -> dict[str, list[dict[str, Cell]]]:
    """Rows of each ADaM dataset in the folder, from ``<name>.xpt`` (preferred) or ``<name>.json``."""
    import pyreadstat

    out: dict[str, list[dict[str, Cell]]] = {}
    for name in REQUIRED:
        xpt, js = folder / f"{name.lower()}.xpt", folder / f"{name.lower()}.json"
        if xpt.is_file():
            frame, _ = pyreadstat.read_xport(str(xpt), disable_datetime_conversion=True)  # DATE9. stays SAS days
            out[name] = [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]
        elif js.is_file():
            out[name] = [{k: _clean(v) for k, v in r.items()} for r in read_dataset_json(js)[1]]
        else:
            raise ImportFormatError(str(folder), f"no {name.lower()}.xpt or {name.lower()}.json: not an ADaM folder")
    return out


def _date(value: Cell) -> object:
    return from_sas(value)  # type: ignore[arg-type]


def _num(value: Cell, integer: bool = False) -> object:
    if value is None:
        return None
    return int(float(value)) if integer else float(value)  # type: ignore[arg-type]


def analysis_tables_from_adam(adam: dict[str, list[dict[str, Cell]]] | Iterable[Dataset]) -> dict[str, Table]:
    """Each contract file's rows from ADaM rows (``{name: rows}``) or Dataset objects; written by
    :func:`mescams.stats.analysis_folder.write_analysis_folder`."""
    if not isinstance(adam, dict):
        adam = {d.name: list(d.rows) for d in adam}
    missing = [n for n in REQUIRED if n not in adam]
    if missing:
        raise ImportFormatError("ADaM", f"missing datasets {missing}")
    scans: dict[tuple[str, int], dict[str, object]] = defaultdict(dict)
    for r in adam["ADLES"]:
        if r["DTYPE"] is None and r["PARAMCD"] in MRI_COLUMNS and r["AVISITN"] is not None:
            scan = scans[(str(r["SUBJID"]), int(float(r["AVISITN"])))]  # type: ignore[arg-type]
            column = MRI_COLUMNS[str(r["PARAMCD"])]
            scan[column] = _num(r["AVAL"], column in COUNTS)
            scan["scan_date"] = _date(r["ADT"])
    return {
        "participants.csv": [
            (r["SUBJID"], r["SITEID"], r["TRTSEQP"], r["SEX"], _num(r["AGE"], True), r["MSCOURSE"], _num(r["EDSSBL"]),
             _num(r["WEIGHTBL"]), _date(r["RANDDT"]), _date(r["TR01SDT"]), _date(r["TR02SDT"]))
            for r in sorted(adam["ADSL"], key=lambda r: str(r["SUBJID"]))
        ],
        "mri.csv": [
            (pid, week, s.get("scan_date"), *(s.get(c) for c in COLUMNS["mri.csv"][3:]))
            for (pid, week), s in sorted(scans.items())
        ],
        "adverse_events.csv": [
            (r["SUBJID"], r["AESPID"], r["AETERM"], _date(r["ASTDT"]), _date(r["AENDT"]), _num(r["ATOXGRN"], True),
             r["AESER"] == "Y", r["AEREL"] == "Y", r.get("AEBODSYS"),
             r.get("AEDECOD") if r.get("AEBODSYS") else None)  # AEDECOD is the verbatim while uncoded
            for r in sorted(adam["ADAE"], key=lambda r: (str(r["SUBJID"]), float(r["ASTDT"] or 0), str(r["AESPID"])))
        ],
        "relapses.csv": [
            (r["SUBJID"], _date(r["ASTDT"]), r["CONFFL"] == "Y")
            for r in sorted(adam["ADREL"], key=lambda r: (str(r["SUBJID"]), float(r["ASTDT"] or 0)))
        ],
        "edss.csv": [
            (r["SUBJID"], _num(r["AVISITN"], True), _date(r["ADT"]), _num(r["AVAL"]))
            for r in sorted(adam["ADEDSS"], key=lambda r: (str(r["SUBJID"]), float(r["ADT"] or 0)))
            if r["AVISITN"] is not None
        ],
    }
