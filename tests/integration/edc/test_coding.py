"""Medical coding on both databases: releases loaded side by side, AEs and medications coded as they are saved
(exact, normalised, synonym), the coder's decisions and queries, a version upgrade's report, all audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mescams.core.blinding import Role
from mescams.interop.dictionaries import DictionaryFileError
from mescams.interop.dictionaries.synthetic import write_synthetic_meddra, write_synthetic_whodrug
from tests.factories.edc import RANDOMISATION, screened

ONSET = RANDOMISATION + dt.timedelta(days=3)


@pytest.fixture()
def coder(users: dict[str, Any]) -> Any:
    assert users["coder"].role == Role.MEDICAL_CODER
    return users["coder"]


@pytest.fixture()
def meddra(users: dict[str, Any], tmp_path: Path) -> Any:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra

    return load_meddra(write_synthetic_meddra(tmp_path / "meddra"), actor=Actor.system("test"))


@pytest.fixture()
def whodrug(users: dict[str, Any], tmp_path: Path) -> Any:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_whodrug

    return load_whodrug(write_synthetic_whodrug(tmp_path / "whodrug"), actor=Actor.system("test"))


def _ae(users: dict[str, Any], pid: str, term: str) -> Any:
    from mescams.edc.crfs.services import save_form

    return save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                     values={"term": term, "onset_date": ONSET, "severity_grade": 1})


def _coded(record: Any) -> Any:
    from mescams.edc.coding.models import CodedTerm

    return CodedTerm.objects.get(form=record.form, record_pk=record.pk)


def test_a_release_loads_whole_or_not_at_all(meddra: Any, tmp_path: Path) -> None:
    from mescams.edc.audit.context import Actor
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.coding.loading import load_meddra
    from mescams.edc.coding.models import DictionaryRelease, MeddraLlt, MeddraPath

    assert meddra.active and meddra.synthetic and meddra.label == "MedDRA SYNTHETIC 1.0"
    llts, pts = (len((tmp_path / "meddra" / name).read_bytes().splitlines()) for name in ("llt.asc", "pt.asc"))
    assert llts > pts > 10  # the synthetic release is not empty
    assert MeddraLlt.objects.filter(release=meddra).count() == llts  # every line of the files, no more
    assert MeddraPath.objects.filter(release=meddra, primary=True).count() == pts  # one primary path per PT
    assert AuditEntry.objects.filter(table="coding_dictionaryrelease", field="version").exists()
    with pytest.raises(Exception, match="already loaded"):
        load_meddra(tmp_path / "meddra", actor=Actor.system("test"))
    broken = write_synthetic_meddra(tmp_path / "v2", version="SYNTHETIC 2.0")
    (broken / "pt.asc").write_bytes((broken / "pt.asc").read_bytes() + b"90000099$Orphan$$99999999$$$$$$$$\r\n")
    with pytest.raises(DictionaryFileError, match=rf"pt.asc, line {pts + 1}, field pt_soc_code"):
        load_meddra(broken, actor=Actor.system("test"))
    assert DictionaryRelease.objects.count() == 1  # nothing of the bad release was written


def test_an_ae_is_coded_as_it_is_saved_to_its_primary_soc(users: dict[str, Any], meddra: Any) -> None:
    pid = screened(users["coord"])
    exact, normalised = _ae(users, pid, "Urinary tract infection"), _ae(users, pid, "  urinary tract INFECTION ")
    for record, method in ((exact, "exact"), (normalised, "normalised")):
        term = _coded(record)
        assert (term.status, term.method, term.pt_name, term.llt_code) == ("coded", method,
                                                                         "Urinary tract infection", 90000002)
        assert term.soc_name == "Infections and infestations"  # the primary path, not the renal one
        assert (term.hlt_name, term.hlgt_name) == ("Urinary tract infections", "Infections - pathogen unspecified")


def test_british_and_american_spellings_and_a_non_current_llt(users: dict[str, Any], meddra: Any) -> None:
    pid = screened(users["coord"])
    assert _coded(_ae(users, pid, "Diarrhea")).pt_name == "Diarrhoea"
    queer = _coded(_ae(users, pid, "feeling queer"))  # an LLT, but no longer current: never coded to
    assert queer.status == "uncoded" and queer.pt_code is None


def test_ambiguous_verbatim_goes_to_the_coder(users: dict[str, Any], tmp_path: Path) -> None:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra

    release = write_synthetic_meddra(tmp_path / "amb")
    llt = release / "llt.asc"  # a second LLT spelt like 'Malaise' but under the PT Nausea
    llt.write_bytes(llt.read_bytes() + b"90009001$MALAISE$90000011$$$$$$$Y$$\r\n")
    load_meddra(release, actor=Actor.system("test"))
    pid = screened(users["coord"])
    assert _coded(_ae(users, pid, "Malaise")).status == "coded"  # exact wins
    term = _coded(_ae(users, pid, "malaise"))
    assert term.status == "ambiguous" and "2 PTs" in term.note


def test_the_coder_decides_remembers_a_synonym_and_queries(users: dict[str, Any], meddra: Any, coder: Any) -> None:
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.coding import services
    from mescams.edc.queries.services import visible_queries

    pid = screened(users["coord"])
    rough = _coded(_ae(users, pid, "feeling rough"))
    assert [t.pk for t in services.coding_queue(coder, dictionary="meddra")] == [rough.pk]
    hits = services.search(coder, dictionary="meddra", text="malaise")
    assert {h.name for h in hits} >= {"Malaise", "Feeling unwell"}
    assert all(h.group == "General disorders and administration site conditions" for h in hits)
    with pytest.raises(Exception, match="reason"):
        services.decide(user=coder, term_id=rough.pk, code="90000015", reason=" ")
    with pytest.raises(Exception, match="not a current LLT"):
        services.decide(user=coder, term_id=rough.pk, code="90010015", reason="feeling queer")
    decided = services.decide(user=coder, term_id=rough.pk, code="90005015", reason="unwell", remember=True)
    assert (decided.status, decided.method, decided.pt_name, decided.coded_by) == ("coded", "coder", "Malaise",
                                                                                   "coder")
    entry = AuditEntry.objects.filter(table="coding_codedterm", record_id=str(rough.pk), field="llt_code").last()
    assert (entry.username, entry.role, entry.new, entry.reason) == ("coder", "medical_coder", "90005015", "unwell")
    again = _coded(_ae(users, pid, "Feeling  Rough"))  # the trial's synonym list codes it now
    assert (again.status, again.method, again.llt_code) == ("coded", "synonym", 90005015)
    vague = _coded(_ae(users, pid, "pain"))
    query = services.query_site(user=coder, term_id=vague.pk, text="Where is the pain?")
    vague.refresh_from_db()  # a coded term, not a record: read again by its own key
    assert vague.status == "queried"
    assert query in visible_queries(users["coord"]) and query.field == "term"
    from mescams.edc.crfs.models import AdverseEvent
    from mescams.edc.crfs.services import save_form

    record = AdverseEvent.objects.get(pk=vague.record_pk)
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", record_pk=record.pk,
              values={"term": "Back pain"}, reason="query answered: back pain")
    assert (_coded(record).status, _coded(record).pt_name) == ("coded", "Back pain")


def test_the_coder_is_refused_to_others(users: dict[str, Any], meddra: Any) -> None:
    from mescams.edc.coding import services
    from mescams.edc.trial.services import Forbidden

    for name in ("coord", "dm", "dsmb"):
        with pytest.raises(Forbidden):
            services.coding_queue(users[name])


def test_terms_saved_before_the_dictionary_are_autocoded_later(users: dict[str, Any], tmp_path: Path) -> None:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.autocode import autocode_all
    from mescams.edc.coding.loading import load_meddra

    pid = screened(users["coord"])
    record = _ae(users, pid, "Headache")
    assert _coded(record).status == "uncoded" and "no meddra release" in _coded(record).note
    load_meddra(write_synthetic_meddra(tmp_path / "m"), actor=Actor.system("test"))
    report = autocode_all()
    # the AE and the screening record's primary diagnosis (multiple sclerosis); the prior therapy waits for WHODrug
    assert report.counts["meddra coded"] == 2 and _coded(record).pt_name == "Headache"
    assert report.counts["whodrug uncoded"] == 1


def test_a_medication_is_coded_to_its_preferred_name_and_atc(users: dict[str, Any], whodrug: Any) -> None:
    from mescams.edc.crfs.services import save_form

    pid = screened(users["coord"])
    for drug in ("methylprednisolone", "Synthomedrol"):
        record = save_form(user=users["coord"], participant_id=pid, form="conmed",
                           values={"drug": drug, "indication": "MS relapse", "start_date": ONSET})
        term = _coded(record)
        assert (term.status, term.preferred_name, term.atc_code, term.atc_text) == (
            "coded", "METHYLPREDNISOLONE", "H02AB", "GLUCOCORTICOIDS")


def test_lookup_gives_the_pt_for_expectedness(users: dict[str, Any], meddra: Any) -> None:
    from mescams.edc.coding.lookup import CodedPreferredTerm, preferred_term

    pid = screened(users["coord"])
    record, vague = _ae(users, pid, "nausea"), _ae(users, pid, "funny turn")
    assert preferred_term("adverse_event", record.pk) == CodedPreferredTerm(
        90000011, "Nausea", 90000011, "Nausea", 90100003, "Gastrointestinal disorders", "SYNTHETIC 1.0")
    assert preferred_term("adverse_event", vague.pk) is None


def test_an_upgrade_recodes_and_reports_non_current_llts(users: dict[str, Any], meddra: Any, tmp_path: Path) -> None:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import active_release, load_meddra
    from mescams.edc.coding.recoding import non_current_terms, upgrade

    pid = screened(users["coord"])
    tired, head = _ae(users, pid, "tiredness"), _ae(users, pid, "Headache")
    v2 = load_meddra(write_synthetic_meddra(tmp_path / "v2", version="SYNTHETIC 2.0",
                                            retired=frozenset({"Tiredness"})), actor=Actor.system("test"))
    assert not v2.active and active_release("meddra") == meddra  # loaded beside v1, not yet in use
    report = upgrade(dictionary="meddra", version="SYNTHETIC 2.0", actor=Actor.system("test"))
    assert active_release("meddra").version == "SYNTHETIC 2.0"
    assert report.unchanged == 2 and len(report.non_current) == 1  # Headache and the primary diagnosis
    assert "'tiredness'" in report.non_current[0] and "kept for the coder's review" in report.non_current[0]
    assert [t.record_pk for t in non_current_terms()] == [tired.pk]
    assert _coded(tired).release.version == _coded(head).release.version == "SYNTHETIC 2.0"
    assert _coded(tired).pt_name == "Fatigue"  # still counted under its PT while the coder reviews it


def test_search_falls_back_to_the_verbatim_s_words(users: dict[str, Any], meddra: Any, coder: Any) -> None:
    from mescams.edc.coding import services

    assert {h.name for h in services.search(coder, dictionary="meddra", text="sore head")} == {"Headache",
                                                                                              "Head ache"}
    assert [h.current for h in services.search(coder, dictionary="meddra", text="head ache")] == [False]
    assert services.search(coder, dictionary="meddra", text="xyzzy plugh") == []


def test_history_and_prior_therapies_are_coded_by_entry_as_the_screening_record_is_saved(
        users: dict[str, Any], meddra: Any, whodrug: Any, coder: Any) -> None:
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.coding import services
    from mescams.edc.coding.models import CodedTerm
    from mescams.edc.queries.services import visible_queries
    from mescams.edc.trial.services import update_screening_record
    from tests.factories.edc import eligible_record

    migraine = {"code": "migraine", "start_date": "2015-03-01", "active": True}
    typo = {"code": "migrane", "start_date": "2012-05-01", "active": False}
    carcinoma = {"code": "basal_cell_carcinoma", "start_date": "2020-01-01", "active": False}
    record = eligible_record(conditions=[migraine, typo, carcinoma])
    pid = screened(users["coord"], record=record)

    def terms() -> dict[str, Any]:
        return {t.item: t for t in CodedTerm.objects.filter(form__in=("medical_history", "prior_therapy"))}

    coded = terms()
    assert (coded["primary_diagnosis"].pt_name, coded["primary_diagnosis"].soc_name) == (
        "Multiple sclerosis", "Nervous system disorders")
    assert (coded["condition:migraine"].pt_code, coded["condition:migraine"].method) == (90000019, "normalised")
    beta = next(t for t in coded.values() if t.form == "prior_therapy")
    assert (beta.verbatim, beta.preferred_name, beta.atc_code) == ("interferon beta", "INTERFERON BETA", "L03AB")
    queue = {(t.form, t.verbatim) for t in services.coding_queue(coder)}
    assert queue == {("medical_history", "migrane"), ("medical_history", "basal cell carcinoma")}
    # the coder codes the misspelling, with a reason (audited), and queries the site about the carcinoma
    decided = services.decide(user=coder, term_id=coded["condition:migrane"].pk, code="90000019", reason="typo")
    entry = AuditEntry.objects.filter(table="coding_codedterm", record_id=str(decided.pk), field="llt_code").last()
    assert (entry.username, entry.new, entry.reason) == ("coder", "90000019", "typo")
    query = services.query_site(user=coder, term_id=coded["condition:basal_cell_carcinoma"].pk, text="Which site?")
    assert (query.form, query.field) == ("screening", "record.conditions") and query in visible_queries(users["coord"])
    # the site reorders the history and answers by rewording the carcinoma: the decisions stay with their entries,
    # the old words' term goes (audited, with why) and the new words are coded from the start
    answered = {**carcinoma, "code": "skin_carcinoma_basal_cell"}
    update_screening_record(user=users["coord"], participant_id=pid, reason="query answered",
                            record={**record, "conditions": [answered, typo, migraine]})
    after = terms()
    assert after["condition:migrane"].pk == decided.pk and after["condition:migrane"].method == "coder"
    assert after["condition:migraine"].pk == coded["condition:migraine"].pk
    assert "condition:basal_cell_carcinoma" not in after
    assert after["condition:skin_carcinoma_basal_cell"].status == "uncoded"
    gone = AuditEntry.objects.filter(table="coding_codedterm", action="delete",
                                     record_id=str(coded["condition:basal_cell_carcinoma"].pk)).first()
    assert gone is not None and "left the screening record" in gone.reason
