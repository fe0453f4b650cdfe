"""One numbered table, listing or figure of the clinical study report: what every TLF builder returns.

Why a plain value: the same output is written as RTF and PDF here, shown in the DSMB report by the statistics
area (which cannot import this package, so it receives :meth:`Output.to_dict`), and checked by tests, so it holds
only text cells, never formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Output", "n_pct"]

Kind = Literal["Table", "Listing", "Figure"]


@dataclass(frozen=True)
class Output:
    """A numbered output: ``Table 14.3.1.2``, its title, population, column headers, rows and footnotes.

    ``image_png`` holds a figure's picture (PNG bytes); ``rows`` are then the numbers it draws.
    """

    kind: Kind
    number: str
    title: str
    population: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footnotes: tuple[str, ...] = ()
    image_png: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        bad = [i for i, r in enumerate(self.rows) if len(r) != len(self.columns)]
        if bad:
            raise ValueError(f"{self.kind} {self.number}: rows {bad} do not have {len(self.columns)} cells")

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number}"

    @property
    def file_stem(self) -> str:
        """``t-14-3-1-2``: the numbered file name of the output (t, l or f for table, listing, figure)."""
        return f"{self.kind[0].lower()}-{self.number.replace('.', '-')}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "label": self.label,
            "title": self.title,
            "population": self.population,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "footnotes": list(self.footnotes),
            "file_stem": self.file_stem,
        }


def n_pct(n: int, denominator: int) -> str:
    """'n (x.x)' with the percentage of the denominator; '0' when n is 0 and '-' when nobody is at risk."""
    if denominator == 0:
        return "-"
    return "0" if n == 0 else f"{n} ({100 * n / denominator:.1f})"
