"""Every element of the trial record is present in the loaded protocol, checked against the record's figures.

Expected values are written from the record (shared seed NCT02239393-record.txt); where the record is at hand,
verbatim texts are also looked up in it, so a typo in the YAML fails.
"""

from __future__ import annotations

import datetime as dt
import re

from mescams.core.protocol import Protocol


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_identification(protocol: Protocol) -> None:
    ident = protocol.identification
    assert ident.nct_id == "NCT02239393"
    assert ident.other_ids == ["20140368"]
    assert ident.official_title == "MEsenchymal Stem Cell Therapy for CAnadian MS Patients"
    assert ident.brief_title.endswith("(MESCAMS)")
    assert ident.sponsor == "Ottawa Hospital Research Institute"
    assert ident.principal_investigator.name.startswith("Mark S. Freedman")
    assert ident.phase == "PHASE2"
    assert ident.conditions == ["Multiple Sclerosis"]
    assert ident.actual_enrolment == 31
    assert ident.dates.first_posted == dt.date(2014, 9, 12)
    assert ident.dates.last_update_posted == dt.date(2020, 3, 4)
    assert ident.dates.study_start == "2015-06"
    assert ident.dates.primary_completion == ident.dates.study_completion == "2019-12"
    assert ident.ipd_sharing == "No"


def test_sites(protocol: Protocol) -> None:
    sites = {s.code: s for s in protocol.identification.sites}
    assert set(sites) == {"OTT", "WPG"}
    assert sites["OTT"].name == "Ottawa Hospital - General Campus"
    assert (sites["OTT"].city, sites["OTT"].region, sites["OTT"].postal_code) == ("Ottawa", "Ontario", "K1H 8L6")
    assert sites["WPG"].name == "Health Sciences Centre"
    assert (sites["WPG"].city, sites["WPG"].region, sites["WPG"].postal_code) == ("Winnipeg", "Manitoba", "R3A 1R9")


def test_design(protocol: Protocol) -> None:
    d = protocol.design
    assert d.allocation == "Randomized"
    assert d.intervention_model == "Crossover Assignment"
    assert d.primary_purpose == "Treatment"
    assert d.masking_label == "Quadruple"
    assert set(d.masking) == {"participant", "care_provider", "investigator", "outcomes_assessor"}
    assert d.target_enrolment == 31
    assert d.allocation_ratio == {"MSC-PLACEBO": 1, "PLACEBO-MSC": 1}
    assert d.is_crossover
    assert {s.code: s.treatments for s in d.sequences} == {
        "MSC-PLACEBO": ["MSC", "PLACEBO"],
        "PLACEBO-MSC": ["PLACEBO", "MSC"],
    }
    assert (d.population.min_age_years, d.population.max_age_years) == (18, 50)
    assert d.population.sexes == "All" and d.population.healthy_volunteers is False


def test_periods_reverse_treatment_at_week_24(protocol: Protocol) -> None:
    p1, p2 = protocol.design.periods
    assert (p1.start_week, p1.end_week, p1.infusion_week, p1.assessment_weeks) == (0, 24, 0, [4, 12, 24])
    assert (p2.start_week, p2.end_week, p2.infusion_week, p2.assessment_weeks) == (24, 48, 24, [28, 36, 48])
    for seq in protocol.design.sequences:
        assert protocol.treatment_in_period(seq.code, 1) != protocol.treatment_in_period(seq.code, 2)


def test_visit_schedule(protocol: Protocol) -> None:
    assert [v.week for v in protocol.scheduled_visits] == [0, 4, 12, 24, 28, 36, 48]
    assert protocol.visits[0].code == "SCR" and protocol.visits[0].week is None
    infusion_weeks = [v.week for v in protocol.scheduled_visits if "infusion" in v.activities]
    assert infusion_weeks == [0, 24]
    for v in protocol.scheduled_visits:
        assert "mri_gadolinium" in v.activities and "edss" in v.activities and "safety_labs" in v.activities
        if v.week:
            assert "ae_review" in v.activities


def test_products(protocol: Protocol) -> None:
    msc = protocol.product("MSC")
    assert msc.dose is not None
    assert (msc.dose.min_cells_per_kg, msc.dose.max_cells_per_kg) == (1e6, 2e6)
    assert msc.route == "intravenous"
    placebo = protocol.product("PLACEBO")
    assert placebo.matches == "MSC" and placebo.dose is None
    for product in (msc, placebo):
        v = product.vehicle
        assert v.base == "Plasma-Lyte A (Baxter)"
        assert (v.human_albumin_percent, v.dmso_percent, v.dmso_volume_ml) == (5, 10, 5)
        assert v.final_volume_ml == 50.0


def test_outcomes_as_recorded(protocol: Protocol) -> None:
    frames = [(o.type, o.title, o.time_frame) for o in protocol.outcomes]
    assert frames == [
        ("primary", "Safety", "24 weeks from first infusion"),
        ("primary", "Efficacy", "24 weeks from first infusion"),
        ("secondary", "Efficacy", "48 weeks from first infusion"),
        ("secondary", "Efficacy", "24 weeks from first infusion"),
        ("secondary", "Efficacy", "48 weeks from first infusion"),
        ("secondary", "Efficacy", "48 weeks from first infusion"),
        ("secondary", "Efficacy", "48 weeks from first infusion"),
    ]
    assert [o.time_frame_weeks for o in protocol.outcomes] == [24, 24, 48, 24, 48, 48, 48]


def test_outcome_texts_are_verbatim(protocol: Protocol, seed_record_text: str) -> None:
    record = _squash(seed_record_text)
    for o in protocol.outcomes:
        line = f"{o.title} [ Time Frame: {o.time_frame} ]{o.description}"
        assert _squash(line) in record, o.id


def test_eligibility_criteria_ids_and_parameters(protocol: Protocol) -> None:
    e = protocol.eligibility
    assert [c.id for c in e.criteria] == [f"I{n}" for n in range(1, 6)] + [f"E{n}" for n in range(1, 19)]
    assert e.criterion("I2").params == {"min_age_years": 18, "max_age_years": 50}
    assert e.criterion("I3").params == {"min_duration_years": 2, "max_duration_years": 15}
    assert e.criterion("I4").params == {"min_edss": 2.5, "max_edss": 6.5}
    assert e.criterion("E5").params["window_months"] == 3
    assert e.criterion("E7").params["window_days"] == 30
    assert e.criterion("E8").params["window_days"] == 30
    assert e.criterion("E9").params["window_days"] == 60
    assert e.criterion("E14").params["min_egfr"] == 60
    assert e.criterion("E14").params["unit"] == "mL/min/1.73m2"
    i1 = e.criterion("I1").params
    assert i1["min_approved_therapy_days"] == 365
    assert i1["RRMS"]["min_relapses_in_long_window"] == 2 and i1["RRMS"]["long_relapse_window_months"] == 24
    assert i1["SPMS"]["edss_increase_low"] == 1.0 and i1["SPMS"]["edss_increase_high"] == 0.5
    assert i1["PPMS"]["requires_csf_oligoclonal_bands"] is True
    classes = protocol.drug_classes
    assert classes["approved_ms_therapies"] == [
        "interferon_beta", "glatiramer_acetate", "natalizumab", "mitoxantrone", "fingolimod",
        "dimethyl_fumarate", "teriflunomide", "alemtuzumab",
    ]
    assert classes["never_allowed"] == ["cladribine", "alemtuzumab"]


def test_criterion_texts_come_from_the_record(protocol: Protocol, seed_record_text: str) -> None:
    record = _squash(seed_record_text)
    for c in protocol.eligibility.criteria:
        if c.id == "I1":  # assembled from several lines of the record: check its parts
            for part in ("≥1 clinically documented relapse in past 12 months", "positive cerebrospinal fluid"):
                assert part.replace("≥", ">=") in c.text
            continue
        assert _squash(c.text) in record, c.id
