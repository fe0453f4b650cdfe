"""Write the analysis-data folder of the contract (shared/contracts/analysis-data.md) from a trial snapshot.

Why here: the ADaM and ClinicalTrials.gov exports are checked against the statistics run on this folder, and the
ADaM -> analysis-data converter (:mod:`mescams.interop.adam.to_analysis_data`) must produce the same files.
The contract's columns (:data:`COLUMNS`) and cell format (:func:`write_csv`) live here once: the EDC's exporter
(database rows) and the simulator (virtual trials) write through them too, so every writer of the folder agrees.
Cells are made by :func:`mescams.core.spreadsheet.cell`: text that could start a spreadsheet formula is written
with a leading ``'`` (the reader, :mod:`mescams.stats.analysis_data`, removes it), numbers and dates as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from mescams.core.protocol import Protocol
from mescams.core.spreadsheet import csv_text
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["CODED_AE_COLUMNS", "COLUMNS", "write_analysis_folder", "write_csv"]

CODED_AE_COLUMNS = ("soc", "pt")
"""Columns after the contract's in adverse_events.csv (the contract allows extra columns): each AE's MedDRA
primary SOC and PT once coded, empty before. The statistics read them when present (AE tables by SOC and PT)."""

COLUMNS = {
    "participants.csv": (
        "participant_id",
        "site",
        "sequence",
        "sex",
        "age",
        "ms_course",
        "baseline_edss",
        "weight_kg",
        "randomization_date",
        "infusion1_date",
        "infusion2_date",
    ),
    "mri.csv": (
        "participant_id",
        "week",
        "scan_date",
        "gel_count",
        "new_enlarging_t2_count",
        "cua_count",
        "gel_volume_mm3",
        "black_hole_volume_mm3",
    ),
    "adverse_events.csv": (
        "participant_id",
        "ae_id",
        "term",
        "onset_date",
        "end_date",
        "severity_grade",
        "serious",
        "related",
    ),
    "relapses.csv": ("participant_id", "onset_date", "confirmed"),
    "edss.csv": ("participant_id", "week", "assessment_date", "score"),
}


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """One CSV file of the folder: header, formula-safe cells (:func:`mescams.core.spreadsheet.csv_text`)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write(csv_text(columns, rows))


def write_analysis_folder(protocol: Protocol, snapshot: TrialSnapshot, out_dir: Path) -> Path:
    """The five CSV files for the randomised participants of the snapshot."""
    out_dir.mkdir(parents=True, exist_ok=True)
    randomized = {p.participant_id: p for p in snapshot.randomized}
    infusions: dict[str, dict[int, object]] = {}
    for inf in snapshot.infusions:
        week = protocol.visit(inf.visit_code).week
        infusions.setdefault(inf.participant_id, {})[0 if week == 0 else 1] = inf.date
    write_csv(
        out_dir / "participants.csv",
        COLUMNS["participants.csv"],
        (
            (
                p.participant_id,
                p.site,
                p.sequence,
                p.sex,
                p.age_at_consent,
                p.ms_course,
                p.baseline_edss,
                p.weight_kg,
                p.randomization_date,
                infusions.get(p.participant_id, {}).get(0),
                infusions.get(p.participant_id, {}).get(1),
            )
            for p in randomized.values()
        ),
    )
    write_csv(
        out_dir / "mri.csv",
        COLUMNS["mri.csv"],
        (
            (
                m.participant_id,
                protocol.visit(m.visit_code).week,
                m.scan_date,
                m.gel_count,
                m.new_enlarging_t2_count,
                m.cua_count,
                m.gel_volume_mm3,
                m.black_hole_volume_mm3,
            )
            for m in snapshot.mri
            if m.participant_id in randomized and protocol.visit(m.visit_code).week is not None
        ),
    )
    write_csv(
        out_dir / "adverse_events.csv",
        (*COLUMNS["adverse_events.csv"], *CODED_AE_COLUMNS),
        (
            (a.participant_id, a.ae_id, a.term, a.onset_date, a.end_date, a.grade, a.serious, a.related,
             a.meddra.soc_name if a.meddra else None, a.meddra.pt_name if a.meddra else None)
            for a in snapshot.adverse_events
            if a.participant_id in randomized
        ),
    )
    write_csv(
        out_dir / "relapses.csv",
        COLUMNS["relapses.csv"],
        ((r.participant_id, r.onset_date, r.confirmed) for r in snapshot.relapses if r.participant_id in randomized),
    )
    write_csv(
        out_dir / "edss.csv",
        COLUMNS["edss.csv"],
        (
            (e.participant_id, protocol.visit(e.visit_code).week, e.date, e.score)
            for e in snapshot.edss
            if e.participant_id in randomized and protocol.visit(e.visit_code).week is not None
        ),
    )
    return out_dir
