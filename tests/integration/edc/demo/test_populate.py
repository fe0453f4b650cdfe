"""``mescams sim populate`` on SQLite and PostgreSQL: a small virtual trial entered through the EDC services.

Checked against the system's own authorities, not against the simulation: the eligibility engine re-run on the
stored screening records, the allocation list re-derived from its seed, the audit chain, the protocol's visit
windows, and the statistics reader of the analysis-data contract. The same seed on both databases must give the
same trial (scan IDs, primary keys and timestamps aside).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.edc.testing import configure_for_tests, use_database
from tests.conftest import require

HAS_PG = configure_for_tests()
ALIASES = ["default", "postgres"] if HAS_PG else ["default"]
SCREEN, PARTICIPANTS, SEED, RATE_RATIO = 12, 8, 7, 0.6
VOLATILE = {"id", "created_at", "scan_id", "read_at", "at", "signed_at", "answered_at", "closed_at", "audit_seq",
            "participant", "participant_id", "allocation_list", "assigned_at"}
_FINGERPRINTS: dict[str, list[Any]] = {}

runner = CliRunner()


def _fingerprint() -> list[Any]:
    """Everything entered, per participant, without the values that differ run to run (keys, times, scan IDs)."""
    from django.forms.models import model_to_dict

    from mescams.edc.crfs.models import FORMS
    from mescams.edc.queries.models import Query
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.edc.trial.models import Participant, ProtocolDeviation

    out: list[Any] = []
    for p in Participant.objects.order_by("participant_id"):
        out.append(("participant", p.participant_id, p.status, p.screening_date, p.week0_date, p.failed_criteria,
                    p.withdrawal_date, p.withdrawal_reason))
        slot = AllocationSlot.objects.filter(participant=p).first()
        out.append(("slot", slot and (slot.site_code, slot.number, slot.sequence, slot.product_code)))
        for name, model in sorted(FORMS.items()):
            rows = [{k: v for k, v in _by_username(r, model_to_dict(r)).items() if k not in VOLATILE}
                    for r in model.objects.filter(participant=p)]
            out.append((name, sorted(rows, key=repr)))
        out.append(("deviations", sorted(repr((d.kind, d.visit_code, d.form, d.actual_date, d.description))
                                         for d in ProtocolDeviation.objects.filter(participant=p))))
        out.append(("queries", sorted(repr((q.form, q.field, q.edit_check, q.text, q.status, q.answer))
                                      for q in Query.objects.filter(participant=p))))
    return out


def _by_username(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """User references by username: primary keys differ between databases (sequences outlive rolled-back tests)."""
    from django.contrib.auth import get_user_model

    for field in record._meta.fields:
        if field.is_relation and field.related_model is get_user_model() and values.get(field.name) is not None:
            values[field.name] = getattr(record, field.name).username
    return values


def _check_screening(summary: Any) -> None:
    """Every verdict is the engine's on the stored record; failures counted by criterion as the engine says."""
    from mescams.edc.crfs.models import ScreeningRecord
    from mescams.edc.trial.eligibility import evaluate

    failures: Counter[str] = Counter()
    for screening in ScreeningRecord.objects.select_related("participant"):
        p = screening.participant
        outcome = evaluate(screening.record, screening.evaluated_on)
        assert outcome.eligible is not None, p.participant_id
        assert p.failed_criteria == (outcome.failed if outcome.eligible is False else [])
        assert (p.status == "screen_failed") == (outcome.eligible is False)
        assert (p.week0_date is not None) == outcome.eligible
        failures.update(outcome.failed)
    assert summary.screen_failures == failures and sum(failures.values()) >= SCREEN - PARTICIPANTS


def _check_allocation() -> None:
    """Slots go out in list order per site, the list re-derives from its seed, products follow the sequence."""
    from mescams.edc.crfs.clinical import treatment_at_infusion
    from mescams.edc.crfs.models import Infusion
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.edc.randomisation.services import verify_list

    assert verify_list() > 0
    taken = list(AllocationSlot.objects.filter(participant__isnull=False).select_related("participant"))
    assert len(taken) == PARTICIPANTS
    for site in {s.site_code for s in taken}:
        ordered = sorted((s for s in taken if s.site_code == site), key=lambda s: s.participant.participant_id)
        assert [s.number for s in ordered] == list(range(1, len(ordered) + 1))
    for infusion in Infusion.objects.select_related("participant"):
        slot = next(s for s in taken if s.participant_id == infusion.participant_id)
        assert infusion.product_code == slot.product_code
        msc = treatment_at_infusion(slot.sequence, infusion.visit_code) == "MSC"
        assert (infusion.cells_infused or 0) > 0 if msc else infusion.cells_infused == 0
        if msc:
            assert 1.0e6 <= infusion.cells_per_kg <= 2.0e6


def _check_dates(protocol: Any) -> None:
    """Dates are dates, in the past, after consent; visits on their window or a recorded deviation."""
    from mescams.core.schedule import visit_plan_for
    from mescams.edc.crfs.models import FORMS, Consent, Infusion
    from mescams.edc.trial.models import Participant, ProtocolDeviation

    today = dt.date.today()
    for p in Participant.objects.all():
        consent = Consent.objects.get(participant=p).consent_date  # the first study act: screening comes after
        assert consent <= p.screening_date and (p.week0_date is None or consent < p.week0_date)
        for name, model in FORMS.items():
            for record in model.objects.filter(participant=p):
                for field in model._meta.concrete_fields:
                    value = getattr(record, field.attname)
                    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                        assert value <= today, (name, field.name)
                        if field.name != "birth_date" and not field.name.startswith("ms_"):
                            assert value >= p.screening_date, (p.participant_id, name, field.name, value)
                if record.date_field and p.week0_date and protocol.visit(record.visit_code).week is not None:
                    actual = getattr(record, record.date_field)
                    inside = visit_plan_for(protocol.visit(record.visit_code), p.week0_date).contains(actual)
                    deviation = ProtocolDeviation.objects.filter(participant=p, form=name,
                                                                 record_id=str(record.pk)).exists()
                    assert inside != deviation, (p.participant_id, name, record.visit_code, actual)
        if p.week0_date:
            assert Infusion.objects.get(participant=p, visit_code="W0").infusion_date == p.week0_date


def _check_roles() -> None:
    """Each step was done by its role: reads by the MRI reader, cells by the lab, EDSS by the rater."""
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.crfs.models import EdssAssessment, Infusion, MriScan, ScreeningRecord
    from mescams.edc.randomisation.models import AllocationList

    def roles(model: Any, **where: Any) -> set[str]:
        return set(AuditEntry.objects.filter(table=model._meta.db_table, **where).values_list("role", flat=True))

    assert roles(MriScan, field="gel_count", action="update") == {"mri_reader"}
    assert roles(MriScan, action="create") == {"site_coordinator"}
    assert roles(Infusion, field="cells_infused", action="update") == {"cell_lab"}
    assert roles(EdssAssessment, action="create") == {"edss_rater"}
    assert roles(ScreeningRecord, action="create") == {"site_coordinator"}
    assert roles(AllocationList) == {"unblinded_statistician"}


@pytest.mark.heavy_sim
@pytest.mark.django_db(databases=ALIASES)
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_populated_trial_follows_the_engine_the_list_the_schedule_and_the_audit(
        database: str, protocol: Any, tmp_path: Path) -> None:
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.demo.populate import populate
    from mescams.edc.export.analysis_data import write_analysis_data
    from mescams.stats.analysis_data import read_analysis_data

    if database == "postgresql":
        require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable")
    with use_database("postgres" if database == "postgresql" else "default"):
        summary = populate(screen=SCREEN, participants=PARTICIPANTS, rate_ratio=RATE_RATIO, seed=SEED)
        assert (summary.screened, summary.randomised, summary.screen_failed) == (SCREEN, PARTICIPANTS, 4)
        assert summary.completed + summary.withdrawn == PARTICIPANTS
        _check_screening(summary)
        _check_allocation()
        _check_dates(protocol)
        _check_roles()
        assert verify_audit_trail().entries == summary.audit_entries
        audit = runner.invoke(app, ["audit", "verify"])
        assert audit.exit_code == 0 and "audit trail intact" in audit.output, audit.output
        write_analysis_data(tmp_path / "analysis")
        data = read_analysis_data(tmp_path / "analysis", protocol)  # raises on any breach of the contract
        assert len(data.participants) == PARTICIPANTS and len(data.mri) > 0
        _FINGERPRINTS[database] = _fingerprint()
    if len(_FINGERPRINTS) == 2:  # the second database of the run: the same seed entered the same trial
        assert _FINGERPRINTS["sqlite"] == _FINGERPRINTS["postgresql"]


@pytest.mark.heavy_sim
@pytest.mark.django_db(databases=["default"])
def test_cli_enters_a_trial_and_refuses_a_database_with_participants() -> None:
    first = runner.invoke(app, ["sim", "populate", "--screen", "3", "--participants", "2", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "screened 3: 1 failed screening, 2 randomised" in first.output
    assert "screen failures by criterion" in first.output and "forms: " in first.output
    again = runner.invoke(app, ["sim", "populate", "--screen", "3", "--participants", "2"])
    assert again.exit_code == 2
    assert "already holds 3 participants" in again.output and "empty trial only" in again.output


def test_cli_names_the_option_it_refuses() -> None:
    few = runner.invoke(app, ["sim", "populate", "--screen", "5", "--participants", "8"])
    assert few.exit_code == 2 and "--screen: must be at least --participants (8)" in few.output
    bad = runner.invoke(app, ["sim", "populate", "--rate-ratio", "0"])
    assert bad.exit_code == 2 and "--rate-ratio: must be a positive number" in bad.output


def test_a_weight_questioned_by_a_soft_check_is_confirmed_against_the_source(users: dict[str, Any],
                                                                             allocation: object) -> None:
    """A virtual patient's weight can drift below the plausible range (a soft check): the coordinator of the
    virtual trial confirms it with a reason, as at a real site, instead of stopping the whole trial."""
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.crfs.models import VitalSigns
    from mescams.edc.demo.entry import Cast, TrialEntry
    from mescams.sim.virtual_patients import load_params
    from tests.factories.edc import randomised

    coord = users["coord"]
    pid = randomised(coord)
    cast = Cast(coordinators={"OTT": coord}, investigator=users["inv"], rater=users["rater"], mri=users["mri"],
                lab=users["lab"], statistician=users["statistician"], datamanager=users["dm"])
    TrialEntry(cast, load_params(), rate_ratio=0.6, seed=1).vital_signs(coord, pid, "W4", dt.date(2016, 2, 29), 39.9)
    record = VitalSigns.objects.get(participant__participant_id=pid, visit_code="W4")
    assert float(record.weight_kg) == 39.9
    assert AuditEntry.objects.filter(reason__startswith="Checked against the source document").exists()
