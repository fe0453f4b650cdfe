"""A tabulation dataset with its metadata: the one value every writer (XPT, Dataset-JSON, Define-XML) reads.

Why one shape: SDTM and ADaM datasets, their transport files and their Define-XML all describe the same
variables; keeping name, label, type, length, role, core status, codelist and origin next to the rows means the
writers cannot disagree with each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Cell", "Dataset", "Variable"]

Cell = str | int | float | None
VarType = Literal["Char", "Num"]
Core = Literal["Req", "Exp", "Perm", "Cond"]


@dataclass(frozen=True)
class Variable:
    """One variable's metadata (SDTMIG / ADaMIG: name <= 8 characters, label <= 40)."""

    name: str
    label: str
    type: VarType = "Char"
    core: Core = "Perm"
    codelist: str | None = None
    origin: str = "Derived"
    role: str | None = None
    #: a Num variable holding integers only (for Define-XML and Dataset-JSON data types)
    integer: bool = False
    #: ISO 8601 date/datetime text in a Char variable
    iso8601: bool = False
    #: SAS display format, e.g. ``DATE9.`` for an ADaM numeric date (days since 1960-01-01)
    display_format: str | None = None

    @property
    def is_sas_date(self) -> bool:
        """A numeric date: SAS days since 1960-01-01 shown with a DATE format (ADaM ``*DT`` variables)."""
        return self.type == "Num" and (self.display_format or "").startswith("DATE")


@dataclass(frozen=True)
class Dataset:
    """A dataset: name (domain), label, class, key variables, variables in order and the rows."""

    name: str
    label: str
    klass: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    rows: tuple[dict[str, Cell], ...] = field(default=())
    standard: Literal["SDTM", "ADaM"] = "SDTM"

    @classmethod
    def build(cls, spec: Mapping[str, object], rows: Iterable[Mapping[str, Cell]]) -> Dataset:
        """Assemble from a spec (see :mod:`mescams.interop.sdtm.spec`) keeping only the spec's variables."""
        variables: tuple[Variable, ...] = tuple(cast("Iterable[Variable]", spec["variables"]))
        names = [v.name for v in variables]
        cleaned = []
        for r in rows:
            unknown = set(r) - set(names)
            if unknown:
                raise KeyError(f"{spec['name']}: row has variables not in the spec: {sorted(unknown)}")
            cleaned.append({n: _clean(r.get(n)) for n in names})
        return cls(
            name=str(spec["name"]),
            label=str(spec["label"]),
            klass=str(spec["klass"]),
            structure=str(spec["structure"]),
            keys=tuple(cast("Iterable[str]", spec["keys"])),
            variables=variables,
            rows=tuple(cleaned),
            standard=spec.get("standard", "SDTM"),  # type: ignore[arg-type]
        )

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def column(self, name: str) -> list[Cell]:
        return [r[name] for r in self.rows]

    def length(self, name: str) -> int:
        """Storage length: the longest value's bytes for Char (at least 1), 8 for Num."""
        var = self.variable(name)
        if var.type == "Num":
            return 8
        return max([1, *(len(str(v).encode("ascii", "replace")) for v in self.column(name) if v is not None)])

    def to_frame(self) -> pd.DataFrame:
        """A pandas frame with Char as object (None for missing) and Num as float64 (NaN for missing)."""
        import pandas as pd

        data: dict[str, list[object]] = {}
        for v in self.variables:
            col = self.column(v.name)
            if v.type == "Num":
                data[v.name] = [float("nan") if x is None else float(x) for x in col]  # type: ignore[arg-type]
            else:
                data[v.name] = [None if x is None else str(x) for x in col]
        frame = pd.DataFrame(data, columns=self.names)
        for v in self.variables:
            if v.type == "Num":
                frame[v.name] = frame[v.name].astype("float64")
        return frame


def _clean(value: Cell) -> Cell:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        raise TypeError("booleans are not SDTM values: use 'Y'/'N'")
    return value
