"""The analysis-data folder's one definition and one writer: the contract's columns, all-or-nothing writing, and a
clear error for a row that does not fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mescams.core.analysis_contract import COLUMNS, FILES
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol
from mescams.stats.analysis_data import _columns, read_analysis_data
from mescams.stats.analysis_folder import write_analysis_folder
from tests.conftest import SHARED, require

CONTRACT = SHARED / "contracts" / "analysis-data.md"


def _contract_columns() -> dict[str, list[str]]:
    """Each file's columns as the contract document lists them (tables, or the inline list for the short ones)."""
    text = CONTRACT.read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for name in FILES:
        table = re.search(rf"`{re.escape(name)}`[^\n]*\n\| column \|[^\n]*\n\|[-|]+\|\n((?:\|[^\n]*\n)+)", text)
        if table:
            out[name] = [line.split("|")[1].strip() for line in table.group(1).splitlines()]
        else:
            inline = re.search(rf"`{re.escape(name)}`: ([^\n]*)", text)
            assert inline, name
            out[name] = [c.split("(")[0].strip() for c in inline.group(1).split(", ")]
    return out


def test_the_columns_are_the_contract_documents() -> None:
    require(CONTRACT.is_file(), f"contract not found at {CONTRACT}")
    assert {name: list(columns) for name, columns in COLUMNS.items()} == _contract_columns()


def test_the_reader_parses_every_contract_column_and_no_other() -> None:
    assert {name: tuple(parsers) for name, parsers in _columns(default_protocol()).items()} == COLUMNS


def _tables(participants: list[object]) -> dict[str, list[object]]:
    return {"participants.csv": participants, "mri.csv": [], "adverse_events.csv": [], "relapses.csv": [],
            "edss.csv": []}


def test_rows_as_tuples_or_mappings_write_the_same_file(tmp_path: Path) -> None:
    row = ("P1", "OTT", "MSC-PLACEBO", "F", 40, "RRMS", 3.0, 70.5, "2016-01-04", "2016-01-04", None)
    write_analysis_folder(_tables([row]), tmp_path / "a")
    write_analysis_folder(_tables([dict(zip(COLUMNS["participants.csv"], row, strict=True))]), tmp_path / "b")
    assert (tmp_path / "a" / "participants.csv").read_bytes() == (tmp_path / "b" / "participants.csv").read_bytes()
    assert (tmp_path / "a" / "participants.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "P1,OTT,MSC-PLACEBO,F,40,RRMS,3,70.5,2016-01-04,2016-01-04,")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(FILES)


def test_a_row_that_does_not_fit_names_the_file_and_row_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputValidationError, match=r"participants.csv row 2: has 2 cells, the file has 11"):
        write_analysis_folder(_tables([tuple(range(11)), ("P1", "OTT")]), tmp_path / "out")
    with pytest.raises(InputValidationError, match=r"participants.csv row 1: has no value for .*infusion2_date"):
        write_analysis_folder(_tables([{"participant_id": "P1"}]), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_extra_columns_follow_the_contracts_and_none_is_dropped(tmp_path: Path) -> None:
    columns = {**COLUMNS, "adverse_events.csv": (*COLUMNS["adverse_events.csv"], "causality")}
    tables = {name: [] for name in COLUMNS}
    write_analysis_folder(tables, tmp_path / "extra", columns=columns)
    header = (tmp_path / "extra" / "adverse_events.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",related,causality")
    dropped = {**COLUMNS, "edss.csv": ("participant_id", "week", "score")}
    with pytest.raises(InputValidationError, match="columns of edss.csv"):
        write_analysis_folder(tables, tmp_path / "dropped", columns=dropped)


def test_a_non_empty_folder_is_refused_unless_overwrite(tmp_path: Path) -> None:
    protocol = default_protocol()
    row = ("P1", "OTT", "MSC-PLACEBO", "F", 40, "RRMS", 3.0, 70.5, "2016-01-04", "2016-01-04", None)
    write_analysis_folder(_tables([row]), tmp_path)
    with pytest.raises(InputValidationError, match="OUT_DIR"):
        write_analysis_folder(_tables([]), tmp_path)
    assert len(read_analysis_data(tmp_path, protocol).participants) == 1
    write_analysis_folder(_tables([]), tmp_path, overwrite=True)
    assert len(read_analysis_data(tmp_path, protocol).participants) == 0
