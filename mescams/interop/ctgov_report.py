"""The report of a ClinicalTrials.gov import: what was copied, guessed and could not be filled.

Its own module because every part of the import (:mod:`~mescams.interop.ctgov_import`, ``ctgov_design``,
``ctgov_products``) writes to it: the parts then import it, not the module that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    """What the import copied, guessed and could not fill: each entry is (protocol path, note)."""

    guessed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    loads: bool = False

    def text(self) -> str:
        lines = ["draft loads in mescams.core.protocol: " + ("yes" if self.loads else "NO")]
        lines += [f"CHECK   {p}: {n}" for p, n in self.guessed]
        lines += [f"MISSING {p}: {n}" for p, n in self.missing]
        return "\n".join(lines)
