"""Write an analysis-data folder (contract: shared/contracts/analysis-data.md): the one writer of the folder.

Why in stats: the statistics read the folder (:mod:`mescams.stats.analysis_data`), so its writer sits beside its
reader, and every producer of the folder - the EDC's export, the ADaM and snapshot converters of
:mod:`mescams.interop` (which hand over rows), the simulator and the synthetic generator - writes through it. The
files and columns are the contract's (:data:`mescams.core.analysis_contract.COLUMNS`); a producer may add columns
after them (the contract allows extra columns), never rename or drop one. Cells are made by
:func:`mescams.core.spreadsheet.csv_text`: text that could start a spreadsheet formula is written with a leading
``'`` (the reader removes it), numbers and dates as they are.

The folder is written whole or not at all: every file is rendered first (a bad row fails before anything is
written), then written aside in a temporary folder and moved in.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mescams.core.analysis_contract import COLUMNS
from mescams.core.spreadsheet import csv_text
from mescams.errors import InputValidationError

__all__ = ["Row", "write_analysis_folder"]

Row = Sequence[object] | Mapping[str, object]
"""One row of a file: its cells in the file's column order, or a mapping from column name to value."""


def _cells(name: str, columns: Sequence[str], row: Row, number: int) -> Sequence[object]:
    if isinstance(row, Mapping):
        missing = [c for c in columns if c not in row]
        if missing:
            raise InputValidationError(f"{name} row {number}", f"has no value for {', '.join(missing)}")
        return [row[c] for c in columns]
    if len(row) != len(columns):
        raise InputValidationError(f"{name} row {number}", f"has {len(row)} cells, the file has {len(columns)} columns")
    return row


def _rendered(tables: Mapping[str, Iterable[Row]], columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each file's CSV text, after checking the columns keep the contract's and every row fits them."""
    texts = {}
    for name, contract in COLUMNS.items():
        if name not in columns or tuple(columns[name][: len(contract)]) != contract:
            raise InputValidationError(f"columns of {name}", f"must begin with the contract's: {', '.join(contract)}")
    for name, header in columns.items():
        if name not in tables:
            raise InputValidationError("tables", f"no rows given for {name} (an empty list writes the header only)")
        texts[name] = csv_text(header, (_cells(name, header, row, n) for n, row in enumerate(tables[name], 1)))
    return texts


def write_analysis_folder(tables: Mapping[str, Iterable[Row]], out_dir: Path | str, *,
                          columns: Mapping[str, Sequence[str]] = COLUMNS, overwrite: bool = False) -> list[Path]:
    """Write one CSV file per table of ``columns`` into ``out_dir`` (created if needed); return the paths.

    ``tables`` maps each file name to its rows. A folder that exists and is not empty is refused unless
    ``overwrite``; with it, the files are replaced and anything else in the folder is left alone.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise InputValidationError("OUT_DIR", f"{out_dir} exists and is not empty (use --overwrite)")
    texts = _rendered(tables, columns)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=f".{out_dir.name}.") as tmp:
        for name, text in texts.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8", newline="")
        out_dir.mkdir(exist_ok=True)
        for name in texts:
            target = out_dir / name
            shutil.move(str(Path(tmp) / name), target)
            written.append(target)
    return written
