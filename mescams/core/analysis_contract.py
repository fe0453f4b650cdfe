"""The analysis-data folder's files and columns (contract: shared/contracts/analysis-data.md), defined once.

Why in core: every writer of the folder (the EDC's export, the ADaM converter and the snapshot exports in
:mod:`mescams.interop`, the simulator, the statistics' synthetic generator) and its one reader
(:mod:`mescams.stats.analysis_data`) sit in packages that must not import each other; they all read the names
here. The contract is binding: extra columns may follow these, none is renamed or removed (so
``randomization_date`` keeps the contract's spelling).
"""

from __future__ import annotations

__all__ = ["CODED_AE_COLUMNS", "COLUMNS", "EXPORT_COLUMNS", "FILES"]

COLUMNS: dict[str, tuple[str, ...]] = {
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
"""Each file of the folder and its columns, in the contract's order (the files in the order they are listed)."""

FILES: tuple[str, ...] = tuple(COLUMNS)
"""The folder's files, in a fixed order (the reader's and the fingerprint's)."""

CODED_AE_COLUMNS: tuple[str, ...] = ("soc", "pt")
"""Columns after the contract's in adverse_events.csv (the contract allows extra columns): each AE's MedDRA
primary SOC and PT once coded, empty before. The statistics read them when present (AE tables by SOC and PT)."""

EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    name: (*columns, *(CODED_AE_COLUMNS if name == "adverse_events.csv" else ())) for name, columns in COLUMNS.items()
}
"""The columns a trial's exports write (the snapshot and ADaM converters): the contract's, then the coding's."""
