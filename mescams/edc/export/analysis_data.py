"""``mescams export analysis-data DIR``: the folder of contracts/analysis-data.md, exactly.

One CSV per table (UTF-8, header row, comma-separated, ISO 8601 dates, empty cell = missing). Only randomised
participants appear; sex, birth date (for age) and MS course come from their declared sources (the protocol's
``data_sources``: Demographics, else the screening record), so a missing form does not empty them; scans appear
once read (a scan not done, or not yet read, has no row); EDSS rows are the scheduled visits (week 0 onwards).
An adverse event's ``related`` is derived from the investigator's causality (possible, probable, definite: true),
which follows as an extra column (empty: not yet assessed); ``weight_kg`` is the dose basis, the weight at
randomisation. The export carries allocation, so callers check the blinding policy first; each export is itself
recorded in the audit trail.

``deidentified=True`` (what the DSMB and the oversight reports get) moves every date of a participant by the
participant's offset of :func:`mescams.edc.security.privacy.participant_offset`, the same as the other
de-identified exports, and passes AE terms through the free-text rule; the folder still reads as the contract
says (intervals, study days and periods are unchanged).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from mescams.core.analysis_contract import CODED_AE_COLUMNS
from mescams.core.analysis_contract import COLUMNS as CONTRACT_COLUMNS
from mescams.edc.audit import chain
from mescams.edc.audit.context import Actor, acting
from mescams.edc.coding.lookup import preferred_term
from mescams.edc.crfs.dose_basis import weight_at_randomisation
from mescams.edc.crfs.models import FORMS, AdverseEvent, Consent, EdssAssessment, Infusion, MriScan, Relapse
from mescams.edc.queries.casebook import casebook_state
from mescams.edc.queries.models import Signature
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.security.free_text import scrub
from mescams.edc.security.privacy import participant_offset
from mescams.edc.trial.models import Participant
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol
from mescams.stats.analysis_folder import write_analysis_folder

__all__ = ["COLUMNS", "write_analysis_data"]

EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "participants.csv": ("status", "emergency_unblinded", "casebook_signature"),
    "adverse_events.csv": ("causality", *CODED_AE_COLUMNS),
}
"""Columns the EDC adds after the contract's (the contract allows extra columns; none is renamed or removed)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    name: (*columns, *EXTRA_COLUMNS.get(name, ())) for name, columns in CONTRACT_COLUMNS.items()
}

DEFAULT_SOURCES = {"sex": ["demographics.sex"], "birth_date": ["demographics.birth_date"],
                   "ms_course": ["demographics.ms_course"]}
"""Where a characteristic is read when the protocol file declares no ``data_sources`` for it."""


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Sources:
    """One participant's characteristics read from their declared sources (protocol ``data_sources``), in order:
    the first source holding a value wins, so a missing Demographics form falls back to the screening record."""

    def __init__(self, participant: Any, declared: dict[str, list[str]]) -> None:
        self.participant, self.declared = participant, declared
        self._records: dict[str, Any] = {}

    def _record(self, form: str) -> Any:
        if form not in self._records:
            if form not in FORMS:
                raise InputValidationError("data_sources", gettext("unknown form %(form)s (forms: %(forms)s)") % {
                    "form": repr(form), "forms": ', '.join(FORMS)})
            record = FORMS[form].objects.filter(participant=self.participant).order_by("-pk").first()
            self._records[form] = (record.record if form == "screening" else record) if record is not None else None
        return self._records[form]

    def value(self, name: str) -> Any:
        for source in self.declared.get(name) or DEFAULT_SOURCES[name]:
            form, *path = source.split(".")
            value = self._record(form)
            for step in path:
                value = value.get(step) if isinstance(value, dict) else getattr(value, step, None)
            if value not in (None, ""):
                return value
        return None

    def birth_date(self) -> dt.date | None:
        value = self.value("birth_date")
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
        return value if isinstance(value, dt.date) else None


def casebook_signature(participant: Any) -> str:
    """The casebook's signature as every export shows it: ``unsigned``, ``signed``, or ``needs re-signing (signature
    invalidated by change, audit entry N)``."""
    state = casebook_state(participant)
    if state != "needs re-signing":
        return state
    last = Signature.objects.filter(participant=participant).order_by("-signed_at", "-pk").first()
    return f"needs re-signing (signature {last.state})" if last else state


def _rows() -> dict[str, list[list[Any]]]:
    protocol = default_protocol()
    week_of = {v.code: v.week for v in protocol.visits}
    infusion_codes = [protocol.visit_at_week(p.infusion_week).code for p in protocol.design.periods]
    out: dict[str, list[list[Any]]] = {name: [] for name in COLUMNS}
    slots = (AllocationSlot.objects.filter(participant__isnull=False).select_related("participant__site")
             .order_by("participant__participant_id"))
    for slot in slots:
        p = slot.participant
        sources = _Sources(p, protocol.data_sources)
        birth = sources.birth_date()
        consent = Consent.objects.filter(participant=p).order_by("consent_date").first()
        week0 = p.week0_date
        edss_rows = list(EdssAssessment.objects.filter(participant=p).order_by("assessment_date", "pk"))
        baseline = [e for e in edss_rows if week0 and e.assessment_date <= week0 and e.edss is not None]
        weight = weight_at_randomisation(p) if week0 else None  # the dose basis: one definition
        infusions = {i.visit_code: i.infusion_date for i in Infusion.objects.filter(participant=p)}
        out["participants.csv"].append([
            p.participant_id, p.site.code, slot.sequence, sources.value("sex"),
            _age(birth, consent.consent_date) if birth and consent else None,
            sources.value("ms_course"), baseline[-1].edss if baseline else None,
            weight, week0,
            infusions.get(infusion_codes[0]), infusions.get(infusion_codes[1]) if len(infusion_codes) > 1 else None,
            p.status, p.emergency_unblinded, casebook_signature(p),
        ])
        for scan in MriScan.objects.filter(participant=p, read_at__isnull=False).order_by("scan_date", "pk"):
            if week_of.get(scan.visit_code) is None:
                continue
            out["mri.csv"].append([p.participant_id, week_of[scan.visit_code], scan.scan_date, scan.gel_count,
                                   scan.new_enlarging_t2_count, scan.cua_count, scan.gel_volume_mm3,
                                   scan.black_hole_volume_mm3])
        for ae in AdverseEvent.objects.filter(participant=p).order_by("ae_number"):
            coded = preferred_term("adverse_event", ae.pk)
            out["adverse_events.csv"].append([p.participant_id, ae.ae_number, ae.term, ae.onset_date, ae.end_date,
                                              ae.severity_grade, ae.serious, ae.related, ae.causality or None,
                                              coded.soc_name if coded else None, coded.pt_name if coded else None])
        for relapse in Relapse.objects.filter(participant=p).order_by("onset_date", "pk"):
            out["relapses.csv"].append([p.participant_id, relapse.onset_date, relapse.confirmed])
        for e in edss_rows:
            if week_of.get(e.visit_code) is not None and e.edss is not None:
                out["edss.csv"].append([p.participant_id, week_of[e.visit_code], e.assessment_date, e.edss])
    return out


def _deidentify(tables: dict[str, list[list[Any]]]) -> None:
    """Move every date of each participant's rows by the participant's offset; scrub AE terms (in place)."""
    columns = COLUMNS["participants.csv"]
    screening = dict(Participant.objects.values_list("participant_id", "screening_date"))
    offsets = {row[0]: participant_offset(row[columns.index("infusion1_date")],
                                          row[columns.index("randomization_date")], screening[row[0]])
               for row in tables["participants.csv"]}
    term = COLUMNS["adverse_events.csv"].index("term")
    for name, rows in tables.items():
        for row in rows:
            delta = offsets[row[0]]
            row[:] = [v + delta if isinstance(v, dt.date) else v for v in row]
            if name == "adverse_events.csv":
                row[term] = scrub(row[term])


def write_analysis_data(out_dir: Path, *, actor: Actor | Any | None = None, deidentified: bool = False,
                        reason: str = "") -> dict[str, int]:
    """Write the five CSV files into ``out_dir`` (created if needed); return the row count of each. ``reason``
    (an identifiable export's) goes into the export's audit entry."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = _rows()
    if deidentified:
        _deidentify(tables)
    write_analysis_folder(tables, out_dir, columns=COLUMNS, overwrite=True)
    who = actor if isinstance(actor, Actor) else Actor.of(actor) if actor is not None else Actor.system("cli")
    with acting(who, reason="analysis-data export"):
        chain.append(actor=who, table="export", record_id="analysis-data", action="export",
                     changes=[("files", None, ",".join(f"{k}:{len(v)}" for k, v in tables.items())),
                              ("identifiable", None, json.dumps(not deidentified))],
                     reason=reason.strip() or "analysis-data export (carries allocation)")
    return {name: len(rows) for name, rows in tables.items()}
