"""Read and check the analysis data folder (contract: shared/contracts/analysis-data.md).

Every cell of every file is checked against its column's type and range before any model sees it, so a bad
export fails here with :class:`~mescams.errors.AnalysisDataError` naming the file, the line (the header is line
1) and the column, rather than as a strange number in the report. Cross-file rules (every participant known,
one scan per participant and week, unique AE ids, dates in order) are checked too.

The result is an :class:`AnalysisData` of typed pandas frames; dates are ``datetime.date`` objects. Text cells
are read back as they were entered: the writers guard text that could start a spreadsheet formula with a leading
``'`` (:mod:`mescams.core.spreadsheet`), and the text parser removes that one guard (an AE term written as
``'=HYPERLINK(...)`` reads as ``=HYPERLINK(...)``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mescams.core.analysis_contract import COLUMNS, FILES
from mescams.core.protocol import Protocol
from mescams.core.spreadsheet import restore
from mescams.errors import AnalysisDataError

__all__ = ["FILES", "MISSING_HANDLED", "AnalysisData", "folder_hash", "missing_characteristics", "read_analysis_data"]

Parser = Callable[[str], Any]


class _Bad(ValueError):
    """A cell that breaks its column's rule; the message is the rule."""


def _text(value: str) -> str:
    """A non-empty text cell, its formula guard removed (see :func:`mescams.core.spreadsheet.neutralise`)."""
    text = restore(value.strip())
    if not text.strip():
        raise _Bad("a non-empty string is required")
    return text


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(f"expected an ISO 8601 date YYYY-MM-DD, got {value!r}") from None


def _optional(parse: Parser) -> Parser:
    def parse_or_none(value: str) -> Any:
        return None if value.strip() == "" else parse(value)

    return parse_or_none


def _integer(low: int, high: int | None = None) -> Parser:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise _Bad(f"expected a whole number, got {value!r}") from None
        if number < low or (high is not None and number > high):
            raise _Bad(f"must be between {low} and {high}" if high is not None else f"must be >= {low}")
        return number

    return parse


def _number(low: float, high: float | None = None, *, above_low: bool = False) -> Parser:
    def parse(value: str) -> float:
        try:
            number = float(value.strip())
        except ValueError:
            raise _Bad(f"expected a number, got {value!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise _Bad("must be a finite number")
        if (number <= low if above_low else number < low) or (high is not None and number > high):
            raise _Bad(f"must be {'>' if above_low else '>='} {low:g}" + (f" and <= {high:g}" if high else ""))
        return number

    return parse


def _edss(value: str) -> float:
    """An EDSS score: 0 to 10 in steps of 0.5, exactly as the analysis-data contract allows.

    Kurtzke's scale has no step 0.5, but the contract admits it and outside tools rely on the contract, so the
    reader accepts it (the EDC and the eCRF, which score from FS grades, never produce it).
    """
    score: float = _number(0.0, 10.0)(value)
    if abs(score * 2 - round(score * 2)) > 1e-9:
        raise _Bad(f"must be 0 to 10 in steps of 0.5, got {value!r}")
    return score


def _boolean(value: str) -> bool:
    cleaned = value.strip().lower()
    if cleaned not in {"true", "false"}:
        raise _Bad(f"expected 'true' or 'false', got {value!r}")
    return cleaned == "true"


def _one_of(*allowed: str | int) -> Parser:
    def parse(value: str) -> Any:
        for option in allowed:
            if value.strip() == str(option):
                return option
        raise _Bad(f"must be one of {', '.join(map(str, allowed))}, got {value!r}")

    return parse


def _parsers(protocol: Protocol) -> dict[str, dict[str, Parser]]:
    """Each contract column's parser, by file (ranges from the protocol); the columns themselves are
    :data:`mescams.core.analysis_contract.COLUMNS`."""
    mri_weeks = sorted({v.week for v in protocol.visits if v.week is not None and "mri_gadolinium" in v.activities})
    edss_weeks = sorted({v.week for v in protocol.visits if v.week is not None and "edss" in v.activities})
    sequences = [s.code for s in protocol.design.sequences]
    return {
        "participants.csv": {
            "participant_id": _text,
            "site": _one_of(*protocol.site_codes),
            "sequence": _one_of(*sequences),
            # Characteristics may be missing (empty cell): the analysis handles them (MISSING_HANDLED) and warns.
            "sex": _optional(_one_of("F", "M")),
            "age": _optional(_integer(0, 120)),
            "ms_course": _optional(_one_of("RRMS", "SPMS", "PPMS")),
            "baseline_edss": _optional(_edss),
            "weight_kg": _optional(_number(0.0, 400.0, above_low=True)),
            "randomization_date": _date,
            "infusion1_date": _optional(_date),
            "infusion2_date": _optional(_date),
        },
        "mri.csv": {
            "participant_id": _text,
            "week": _one_of(*mri_weeks),
            "scan_date": _date,
            "gel_count": _integer(0),
            "new_enlarging_t2_count": _integer(0),
            "cua_count": _integer(0),
            "gel_volume_mm3": _number(0.0),
            "black_hole_volume_mm3": _number(0.0),
        },
        "adverse_events.csv": {
            "participant_id": _text,
            "ae_id": _text,
            "term": _text,
            "onset_date": _date,
            "end_date": _optional(_date),
            "severity_grade": _integer(1, 5),
            "serious": _boolean,
            "related": _boolean,
        },
        "relapses.csv": {"participant_id": _text, "onset_date": _date, "confirmed": _boolean},
        "edss.csv": {"participant_id": _text, "week": _one_of(*edss_weeks), "assessment_date": _date,
                     "score": _edss},
    }


def _free_text(value: str) -> str:
    """Text that may be empty (formula-safe CSV text restored, as :func:`_text` does)."""
    return restore(value.strip()) if value.strip() else ""


OPTIONAL_COLUMNS: dict[str, dict[str, Callable[[str], Any]]] = {
    "adverse_events.csv": {"soc": _free_text, "pt": _free_text},
}
"""Extra columns read when a file has them (empty text when not): the MedDRA primary SOC and PT of each AE."""

# Explicit dtypes, so an empty file (no AE, no relapse) still gives bool/int columns that filter correctly.
DTYPES = {"_line": "int64", "age": "Int64", "week": "int64", "gel_count": "int64", "new_enlarging_t2_count": "int64",
          "cua_count": "int64", "severity_grade": "int64", "baseline_edss": "float64", "weight_kg": "float64",
          "gel_volume_mm3": "float64", "black_hole_volume_mm3": "float64", "score": "float64", "serious": "bool",
          "related": "bool", "confirmed": "bool"}

MISSING_HANDLED = {
    "sex": "reported as not recorded in the baseline table; no model adjusts for it",
    "age": "reported as not recorded in the baseline table; no model adjusts for it",
    "ms_course": "reported as not recorded in the baseline table; no model adjusts for it",
    "weight_kg": "reported as not recorded in the baseline table; no model adjusts for it",
    "baseline_edss": "progression analyses take the week-0 EDSS of edss.csv as baseline, and leave the participant "
                     "out of them when there is none",
}
"""What the analysis plan does with each participant characteristic that may be missing (empty cell)."""

def _columns(protocol: Protocol) -> dict[str, dict[str, Parser]]:
    """The contract's columns for every file, in the contract's order, each with its parser."""
    parsers = _parsers(protocol)
    return {name: {column: parsers[name][column] for column in columns} for name, columns in COLUMNS.items()}


@dataclass(frozen=True)
class AnalysisData:
    """The five tables of the folder, checked and typed; ``source_hash`` identifies the input exactly."""

    participants: pd.DataFrame
    mri: pd.DataFrame
    adverse_events: pd.DataFrame
    relapses: pd.DataFrame
    edss: pd.DataFrame
    source_hash: str
    folder: Path


def _read_file(path: Path, columns: dict[str, Parser]) -> pd.DataFrame:
    name = path.name
    if not path.is_file():
        raise AnalysisDataError(name, f"file missing from the analysis data folder {path.parent}")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise AnalysisDataError(name, "file is empty: a header row is required")
            header = [h.strip().lstrip("\ufeff") for h in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise AnalysisDataError(f"{name} line 1", f"missing column(s): {', '.join(missing)}")
            optional = {c: parse for c, parse in OPTIONAL_COLUMNS.get(name, {}).items() if c in header}
            columns = {**columns, **optional}
            index = {c: header.index(c) for c in columns}
            records: list[dict[str, Any]] = []
            for line_no, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise AnalysisDataError(f"{name} line {line_no}",
                                            f"has {len(row)} cells, the header has {len(header)}")
                record: dict[str, Any] = {"_line": line_no}
                for column, parse in columns.items():
                    try:
                        record[column] = parse(row[index[column]])
                    except _Bad as exc:
                        raise AnalysisDataError(f"{name} line {line_no}, column {column}", str(exc)) from None
                records.append(record)
    except UnicodeDecodeError as exc:
        raise AnalysisDataError(name, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise AnalysisDataError(name, f"not a readable CSV file: {exc}") from None
    for column in OPTIONAL_COLUMNS.get(name, {}):
        if column not in columns:
            columns = {**columns, column: _free_text}
            for record in records:
                record[column] = ""
    frame = pd.DataFrame.from_records(records, columns=["_line", *columns])
    return frame.astype({c: t for c, t in DTYPES.items() if c in frame.columns})


def _fail(name: str, frame: pd.DataFrame, row: int, column: str, rule: str) -> AnalysisDataError:
    return AnalysisDataError(f"{name} line {frame['_line'].iloc[row]}, column {column}", rule)


def _check_cross_file(data: dict[str, pd.DataFrame]) -> None:
    people = data["participants.csv"]
    dupes = people["participant_id"].duplicated()
    if dupes.any():
        row = int(dupes.to_numpy().argmax())
        raise _fail("participants.csv", people, row, "participant_id",
                    f"participant {people['participant_id'].iloc[row]!r} appears twice")
    for row, (first, second) in enumerate(zip(people["infusion1_date"], people["infusion2_date"], strict=True)):
        if second is not None and (first is None or second <= first):
            raise _fail("participants.csv", people, row, "infusion2_date",
                        "a second infusion needs a first infusion on an earlier date")
        if first is not None and first < people["randomization_date"].iloc[row]:
            raise _fail("participants.csv", people, row, "infusion1_date", "must not precede randomization_date")
    known = set(people["participant_id"])
    for name, frame in data.items():
        if name == "participants.csv":
            continue
        unknown = ~frame["participant_id"].isin(known)
        if unknown.any():
            row = int(unknown.to_numpy().argmax())
            raise _fail(name, frame, row, "participant_id",
                        f"participant {frame['participant_id'].iloc[row]!r} is not in participants.csv")
    for name, keys, column in (("mri.csv", ["participant_id", "week"], "week"),
                               ("edss.csv", ["participant_id", "week"], "week"),
                               ("adverse_events.csv", ["participant_id", "ae_id"], "ae_id")):
        frame = data[name]
        dupes = frame.duplicated(subset=keys)
        if dupes.any():
            row = int(dupes.to_numpy().argmax())
            raise _fail(name, frame, row, column, f"duplicate {' and '.join(keys)}")
    ae = data["adverse_events.csv"]
    for row, (onset, end) in enumerate(zip(ae["onset_date"], ae["end_date"], strict=True)):
        if end is not None and end < onset:
            raise _fail("adverse_events.csv", ae, row, "end_date", "must not precede onset_date")


def folder_hash(folder: Path) -> str:
    """SHA-256 over the contract's files (name and bytes, in a fixed order): the report's input fingerprint."""
    digest = hashlib.sha256()
    for name in FILES:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_analysis_data(folder: Path | str, protocol: Protocol) -> AnalysisData:
    """Read, check and type every file of the folder; raise AnalysisDataError at the first broken rule."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AnalysisDataError(str(folder), "not a directory (expected the analysis data folder)")
    specs = _columns(protocol)
    data = {name: _read_file(folder / name, specs[name]) for name in FILES}
    _check_cross_file(data)
    return AnalysisData(
        participants=data["participants.csv"],
        mri=data["mri.csv"],
        adverse_events=data["adverse_events.csv"],
        relapses=data["relapses.csv"],
        edss=data["edss.csv"],
        source_hash=folder_hash(folder),
        folder=folder,
    )


def missing_characteristics(data: AnalysisData) -> dict[str, list[str]]:
    """Per characteristic of participants.csv that may be missing, the participants whose cell is empty."""
    people = data.participants
    return {column: sorted(people.loc[people[column].isna(), "participant_id"])
            for column in MISSING_HANDLED if people[column].isna().any()}
