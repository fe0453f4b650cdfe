"""SAS transport version 5 files (the FDA's .xpt) written with pyreadstat, after checking the v5 limits.

Why check first: version 5 silently truncates or refuses names over 8 characters, labels over 40, character
values over 200 bytes and non-ASCII text; we refuse such a dataset with an error naming the variable and the
rule instead of shipping a damaged file.
"""

from __future__ import annotations

import re
from pathlib import Path

from mescams.interop.dataset import Dataset
from mescams.interop.errors import ExportError

__all__ = ["check_xpt_limits", "read_xpt", "read_xpt_formats", "write_xpt"]

NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
MAX_LABEL = 40
MAX_CHAR = 200


def check_xpt_limits(ds: Dataset) -> None:
    """Raise :class:`ExportError` for the first variable or value that version 5 cannot hold."""
    if not NAME.match(ds.name):
        raise ExportError(f"{ds.name}", "dataset name must be 1-8 upper-case letters, digits or _")
    if len(ds.label) > MAX_LABEL or not ds.label.isascii():
        raise ExportError(f"{ds.name}", f"dataset label must be ASCII and at most {MAX_LABEL} characters")
    for v in ds.variables:
        where = f"{ds.name}.{v.name}"
        if not NAME.match(v.name):
            raise ExportError(
                where, "variable name must be 1-8 upper-case letters, digits or _, starting with a letter"
            )
        if len(v.label) > MAX_LABEL or not v.label.isascii():
            raise ExportError(where, f"label {v.label!r} must be ASCII and at most {MAX_LABEL} characters")
        if v.type == "Char":
            for i, value in enumerate(ds.column(v.name), start=1):
                if value is None:
                    continue
                text = str(value)
                if not text.isascii():
                    raise ExportError(f"{where} row {i}", f"value {text[:30]!r} is not ASCII")
                if len(text) > MAX_CHAR:
                    raise ExportError(f"{where} row {i}", f"value is {len(text)} characters, over {MAX_CHAR}")


def write_xpt(ds: Dataset, out_dir: Path) -> Path:
    """Write ``<name>.xpt`` (lower-case file name, as submissions expect) and return its path."""
    import pyreadstat

    check_xpt_limits(ds)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{ds.name.lower()}.xpt"
    frame = ds.to_frame()
    pyreadstat.write_xport(
        frame,
        str(path),
        file_label=ds.label,
        table_name=ds.name,
        column_labels=[v.label for v in ds.variables],
        file_format_version=5,
        variable_format={v.name: v.display_format for v in ds.variables if v.display_format} or None,
    )
    return path


def read_xpt(path: Path) -> tuple[object, dict[str, str | None], str | None]:
    """Read a transport file back: (frame, {variable: label}, dataset label). Dates stay SAS day numbers."""
    import pyreadstat

    frame, meta = pyreadstat.read_xport(str(path), disable_datetime_conversion=True)
    return frame, dict(zip(meta.column_names, meta.column_labels, strict=True)), meta.file_label


def read_xpt_formats(path: Path) -> dict[str, str]:
    """The SAS display format of each variable that has one (e.g. ``{"TRTSDT": "DATE9"}``)."""
    import pyreadstat

    _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
    return {k: v for k, v in meta.original_variable_types.items() if v and not v.startswith("$") and v != "NULL"}
