"""The rows of the analysis-data folder (contract: shared/contracts/analysis-data.md) from a trial snapshot.

Why here: the ADaM and ClinicalTrials.gov exports are checked against the statistics run on this folder, and the
ADaM -> analysis-data converter (:mod:`mescams.interop.adam.to_analysis_data`) must give the same rows. The
rows follow the export columns (:data:`mescams.core.analysis_contract.EXPORT_COLUMNS`: the contract's, then
the MedDRA SOC and PT); the folder is written by its one writer,
:func:`mescams.stats.analysis_folder.write_analysis_folder` (interop hands over rows: it does not import the
statistics)::

    write_analysis_folder(analysis_tables(protocol, snapshot), out_dir, columns=EXPORT_COLUMNS)
"""

from __future__ import annotations

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["Table", "analysis_tables"]

Table = list[tuple[object, ...]]
"""One file's rows, each a tuple of cells in the contract's column order."""


def analysis_tables(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Table]:
    """Each contract file's rows for the randomised participants of the snapshot."""
    randomised = {p.participant_id: p for p in snapshot.randomised}
    infusions: dict[str, dict[int, object]] = {}
    for inf in snapshot.infusions:
        week = protocol.visit(inf.visit_code).week
        infusions.setdefault(inf.participant_id, {})[0 if week == 0 else 1] = inf.date
    def week_of(visit_code: str) -> int | None:
        return protocol.visit(visit_code).week

    tables: dict[str, Table] = {
        "participants.csv": [
            (p.participant_id, p.site, p.sequence, p.sex, p.age_at_consent, p.ms_course, p.baseline_edss,
             p.weight_kg, p.randomization_date, infusions.get(p.participant_id, {}).get(0),
             infusions.get(p.participant_id, {}).get(1))
            for p in randomised.values()
        ],
        "mri.csv": [
            (m.participant_id, week_of(m.visit_code), m.scan_date, m.gel_count, m.new_enlarging_t2_count, m.cua_count,
             m.gel_volume_mm3, m.black_hole_volume_mm3)
            for m in snapshot.mri
            if m.participant_id in randomised and week_of(m.visit_code) is not None
        ],
        "adverse_events.csv": [
            (a.participant_id, a.ae_id, a.term, a.onset_date, a.end_date, a.grade, a.serious, a.related,
             a.meddra.soc_name if a.meddra else None, a.meddra.pt_name if a.meddra else None)
            for a in snapshot.adverse_events
            if a.participant_id in randomised
        ],
        "relapses.csv": [
            (r.participant_id, r.onset_date, r.confirmed) for r in snapshot.relapses if r.participant_id in randomised
        ],
        "edss.csv": [
            (e.participant_id, week_of(e.visit_code), e.date, e.score)
            for e in snapshot.edss
            if e.participant_id in randomised and week_of(e.visit_code) is not None
        ],
    }
    return tables
