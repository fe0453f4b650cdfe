"""Tables, listings and figures (TLFs) of the clinical study report, built from a snapshot and the statistics
results file, written as numbered RTF and PDF files with titles and footnotes.

Every output here is by arm: an unblinded output for the roles the blinding policy allows
``Reveal.ARM_SUMMARIES``; the command line is a server tool like the other exports, and the DSMB report shows the
same outputs from their ``tlf.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import TrialSnapshot
from mescams.interop.tlf.efficacy import forest_figure, primary_efficacy_table, secondary_efficacy_table
from mescams.interop.tlf.model import Output
from mescams.interop.tlf.pdf import write_pdf
from mescams.interop.tlf.rtf import rtf_document
from mescams.interop.tlf.safety import ae_overview_table, ae_severity_table, ae_soc_pt_table, sae_listing
from mescams.interop.tlf.subjects import demographics_table, disposition_table, exposure_table

__all__ = ["Output", "build_tlfs", "write_tlfs"]


def build_tlfs(protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any]) -> list[Output]:
    """Every output, in the order of their numbers."""
    return [
        disposition_table(protocol, snapshot),
        demographics_table(protocol, snapshot),
        exposure_table(protocol, snapshot),
        primary_efficacy_table(protocol, snapshot, results),
        secondary_efficacy_table(protocol, snapshot, results),
        forest_figure(protocol, results),
        ae_overview_table(protocol, snapshot),
        ae_soc_pt_table(protocol, snapshot),
        ae_severity_table(protocol, snapshot),
        sae_listing(protocol, snapshot),
    ]


def write_tlfs(outputs: list[Output], out_dir: Path, *, pdf: bool = True) -> list[Path]:
    """Write ``<stem>.rtf`` (and ``<stem>.pdf``) per output, ``tlf.pdf`` with all of them, and ``tlf.json``
    (the outputs as data: what the DSMB report reads); return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for o in outputs:
        path = out_dir / f"{o.file_stem}.rtf"
        path.write_text(rtf_document(o), encoding="ascii")
        written.append(path)
        if pdf:
            written.append(write_pdf([o], out_dir / f"{o.file_stem}.pdf"))
    if pdf:
        written.append(write_pdf(outputs, out_dir / "tlf.pdf"))
    index = out_dir / "tlf.json"
    index.write_text(json.dumps({"outputs": [o.to_dict() for o in outputs]}, indent=1) + "\n", encoding="utf-8")
    written.append(index)
    return written
