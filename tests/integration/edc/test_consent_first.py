"""Consent first (ICH E6): the recorded consent registers a participant; screening and eligibility come after it;
the pre-screening log before it counts in CONSORT; a newer ICF version lists who must re-consent. Each test runs
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import Consent, ScreeningRecord
from mescams.edc.trial import consent as consents
from mescams.edc.trial import services
from mescams.edc.trial.models import Participant, PreScreening, Site
from mescams.edc.web.summaries import screening_flow
from mescams.errors import ConsentRequired, InputValidationError, TrialStateError
from mescams.protocols import DEFAULT_PROTOCOL_PATH, default_protocol
from tests.factories.edc import (
    CONSENT,
    RANDOMISATION,
    SCREENING,
    consented,
    eligible_record,
    icf_version,
    screened,
)

D = dt.timedelta
NEW_ICF = "v4.0 2016-03-01"


def test_consent_registers_the_participant_with_version_date_time_and_taker(users) -> None:
    p = consents.record_consent(user=users["coord"], site_code="OTT", consent_date=CONSENT,
                                consent_time=dt.time(9, 15), form_version=icf_version(), obtained_by="inv")
    assert (p.participant_id, p.status, p.screening_date) == ("OTT-001", "consented", CONSENT)
    c = Consent.objects.get(participant=p)
    assert (c.form_version, c.consent_date, c.consent_time, c.obtained_by.username, c.visit_code) == \
        (icf_version(), CONSENT, dt.time(9, 15), "inv", "SCR")
    trail = AuditEntry.objects.filter(table="crfs_consent", record_id=str(c.pk))
    assert {e.field for e in trail} >= {"consent_date", "consent_time", "form_version", "obtained_by_id"}
    assert {e.username for e in trail} == {"coord"} and {e.reason for e in trail} == {"informed consent"}


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"form_version": "v0.9"}, "form_version", "not an ICF version of the protocol"),
    ({"consent_date": dt.date(2015, 5, 1)}, "consent_date", "before ICF"),
    ({"consent_date": dt.date.today() + D(days=1)}, "consent_date", "future"),
    ({"obtained_by": "rater"}, "obtained_by", "not a coordinator or investigator of OTT"),
    ({"obtained_by": "coord_wpg"}, "obtained_by", "not a coordinator or investigator of OTT"),
    ({"site_code": "WPG"}, "site", "not one of your sites"),
])
def test_a_bad_consent_is_refused_naming_the_field_and_stores_nothing(users, changes, field, rule) -> None:
    values = {"site_code": "OTT", "consent_date": CONSENT, "consent_time": dt.time(9), "form_version": icf_version(),
              **changes}
    with pytest.raises(InputValidationError, match=rule) as caught:
        consents.record_consent(user=users["coord"], **values)
    assert caught.value.field == field
    assert (Participant.objects.count(), Consent.objects.count()) == (0, 0)


def test_eligibility_is_refused_before_the_consent_and_before_the_screening_record(users) -> None:
    coord = users["coord"]
    # a person registered the old way, without a consent (data from before this rule): refused, clearly
    with acting(coord, reason="legacy registration"):
        Participant(participant_id="OTT-900", site=Site.objects.get(code="OTT"), screening_date=SCREENING,
                    status="screened").save()
    with pytest.raises(ConsentRequired, match="OTT-900 has no informed consent recorded"):
        services.run_eligibility(user=coord, participant_id="OTT-900", on=RANDOMISATION)
    with pytest.raises(ConsentRequired, match="no informed consent"):
        services.screen(user=coord, participant_id="OTT-900", screening_date=SCREENING, record=eligible_record())
    pid = consented(coord)
    with pytest.raises(ConsentRequired, match="no screening record"):
        services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    assert Participant.objects.get(participant_id=pid).status == "consented"
    assert not ScreeningRecord.objects.exists()


def test_the_screening_record_takes_i5_from_the_recorded_consent(users) -> None:
    coord = users["coord"]
    pid = screened(coord, record=eligible_record(able_to_consent=None, consent_date="1999-01-01"))
    stored = ScreeningRecord.objects.get(participant__participant_id=pid).record
    assert (stored["consent_date"], stored["able_to_consent"]) == (CONSENT.isoformat(), True)
    _, outcome = services.run_eligibility(user=coord, participant_id=pid, on=RANDOMISATION)
    i5 = next(c for c in outcome.criteria if c["id"] == "I5")
    assert i5["status"] == "met" and outcome.eligible is True
    with pytest.raises(InputValidationError, match="before the informed consent"):
        services.screen(user=coord, participant_id=consented(coord), screening_date=CONSENT - D(days=1),
                        record=eligible_record())
    with pytest.raises(TrialStateError):
        services.screen(user=coord, participant_id=pid, screening_date=SCREENING, record=eligible_record())


def test_the_prescreening_log_counts_as_assessed_for_eligibility(users) -> None:
    coord = users["coord"]
    first = consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-001", logged_on=SCREENING,
                                      age_band="30-39", ms_course="RRMS")
    declined = consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-002", logged_on=SCREENING,
                                         age_band="40-50", ms_course="SPMS")
    consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-003", logged_on=SCREENING,
                              age_band="over 50", ms_course="PPMS", reason_not_screened="not_meeting_criteria")
    consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-004", logged_on=SCREENING,
                              age_band="18-29", ms_course="unknown")  # still pending
    consents.mark_not_screened(user=coord, entry_id=declined.pk, reason_not_screened="declined")
    logged = consented(coord, prescreening_id=first.pk)
    consented(coord)  # consented without a log entry: assessed all the same
    with pytest.raises(InputValidationError, match="already consented"):
        consented(coord, prescreening_id=first.pk)
    with pytest.raises(InputValidationError, match="already in the OTT pre-screening log"):
        consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-001", logged_on=SCREENING,
                                  age_band="30-39", ms_course="RRMS")
    with pytest.raises(InputValidationError, match="age_band"):
        consents.log_prescreening(user=coord, site_code="OTT", local_number="PS-9", logged_on=SCREENING,
                                  age_band="37", ms_course="RRMS")
    with pytest.raises(services.NotFound):  # another site's log is not visible
        consents.mark_not_screened(user=users["coord_wpg"], entry_id=first.pk, reason_not_screened="other")
    assert PreScreening.objects.get(pk=first.pk).participant.participant_id == logged
    flow = screening_flow()
    assert (flow["assessed"], flow["not_screened"], flow["prescreen_pending"], flow["consented"]) == (5, 2, 1, 2)
    assert flow["not_screened_by_reason"] == [("not meeting the eligibility criteria on pre-screening", 1),
                                              ("declined to participate", 1)]
    assert AuditEntry.objects.filter(table="trial_prescreening", field="reason_not_screened", username="coord",
                                     new='"declined"').exists()


@pytest.fixture()
def amend_icf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], str]]:
    """Switches the EDC to an amended protocol file whose new ICF version asks everyone consented before to
    consent again (as a protocol amendment is deployed); the shipped protocol comes back afterwards."""
    def amend() -> str:
        document = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))
        document["informed_consent"]["versions"].append(
            {"version": NEW_ICF, "approved_on": dt.date(2016, 3, 1), "reconsent": True, "summary": "new risk"})
        amended = tmp_path / "amended.yaml"
        amended.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("MESCAMS_PROTOCOL", str(amended))
        default_protocol.cache_clear()
        return NEW_ICF

    yield amend
    monkeypatch.delenv("MESCAMS_PROTOCOL", raising=False)
    default_protocol.cache_clear()


def test_a_new_icf_version_lists_who_must_reconsent(users, amend_icf) -> None:
    coord = users["coord"]
    old = icf_version()
    active = screened(coord)
    gone = consented(coord)
    services.withdraw(user=coord, participant_id=gone, reason="moved away", on=SCREENING)
    wpg = consented(users["coord_wpg"], site="WPG")
    assert consents.reconsent_due(user=users["dm"]) == []
    amend_icf()
    due = consents.reconsent_due(user=coord)
    assert [(d.participant.participant_id, d.consented_on, d.needed.version) for d in due] == \
        [(active, old, NEW_ICF)]
    assert [d.participant.participant_id for d in consents.reconsent_due(user=users["dm"])] == [active, wpg]
    with pytest.raises(ConsentRequired, match=f"must re-consent on ICF {NEW_ICF}"):
        services.run_eligibility(user=coord, participant_id=active, on=RANDOMISATION)
    with pytest.raises(InputValidationError, match="superseded"):  # nobody new signs the old form after approval
        consents.record_consent(user=coord, site_code="OTT", consent_date=dt.date(2016, 3, 2),
                                consent_time=dt.time(9), form_version=old)
    with pytest.raises(InputValidationError, match="before ICF"):
        consents.record_reconsent(user=coord, participant_id=active, consent_date=dt.date(2016, 2, 1),
                                  consent_time=dt.time(9), form_version=NEW_ICF)
    again = consents.record_reconsent(user=coord, participant_id=active, consent_date=dt.date(2016, 3, 3),
                                      consent_time=dt.time(14, 30), form_version=NEW_ICF, obtained_by="inv")
    assert (again.form_version, again.consent_time, again.obtained_by.username) == (NEW_ICF, dt.time(14, 30), "inv")
    with pytest.raises(InputValidationError, match="already consented on ICF"):
        consents.record_reconsent(user=coord, participant_id=active, consent_date=dt.date(2016, 3, 3),
                                  consent_time=dt.time(15), form_version=NEW_ICF)
    assert consents.reconsent_due(user=coord) == []
    # I5 still reads the first consent; eligibility goes ahead once re-consented
    _, outcome = services.run_eligibility(user=coord, participant_id=active, on=RANDOMISATION)
    assert outcome.eligible is True
    assert ScreeningRecord.objects.get(participant__participant_id=active).record["consent_date"] == \
        CONSENT.isoformat()
