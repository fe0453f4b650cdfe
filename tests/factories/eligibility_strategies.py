"""Hypothesis strategies for screening records around an evaluation date (dates within a few years of it)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from mescams.core.eligibility.record import (
    Condition,
    EdssAssessment,
    LabResult,
    MriScan,
    MsHistory,
    PatientRecord,
    Relapse,
    Therapy,
)

ON = dt.date(2016, 3, 1)
DRUGS = ["interferon_beta", "glatiramer_acetate", "natalizumab", "fingolimod", "teriflunomide", "cladribine",
         "alemtuzumab", "rituximab", "prednisone", "dimethyl_fumarate"]
CODES = ["hiv", "malignancy", "basal_cell_carcinoma", "carcinoma_in_situ", "renal_failure", "myelodysplasia",
         "limited_life_expectancy"]


def near(on: dt.date = ON, before: int = 900, after: int = 30) -> st.SearchStrategy[dt.date]:
    return st.integers(-before, after).map(lambda d: on + dt.timedelta(days=d))


maybe_bool = st.sampled_from([True, False, None])
scores = st.integers(0, 20).map(lambda n: n / 2)


@st.composite
def therapies(draw: st.DrawFn) -> Therapy:
    start = draw(near(before=1500))
    length = draw(st.one_of(st.none(), st.integers(0, 800)))
    end = None if length is None else start + dt.timedelta(days=length)
    return Therapy(draw(st.sampled_from(DRUGS)), start, end,
                   draw(st.sampled_from([None, "cholestyramine", "activated_charcoal"])))


def lists(items: st.SearchStrategy[object], size: int = 4) -> st.SearchStrategy[tuple[object, ...] | None]:
    return st.one_of(st.none(), st.lists(items, max_size=size).map(tuple))


@st.composite
def records(draw: st.DrawFn) -> PatientRecord:
    ms = draw(st.one_of(st.none(), st.builds(
        MsHistory, st.sampled_from(["RRMS", "SPMS", "PPMS", "CIS", None]),
        st.one_of(st.none(), near(before=8000, after=0)), st.none(), maybe_bool)))
    return PatientRecord(
        id="H",
        birth_date=draw(st.one_of(st.none(), near(before=20000, after=-5000))),
        consent_date=draw(st.one_of(st.none(), near(before=60, after=5))),
        able_to_consent=draw(maybe_bool),
        ms=ms,
        relapses=draw(lists(st.builds(Relapse, near(), maybe_bool))),  # type: ignore[arg-type]
        mri=draw(lists(st.builds(MriScan, near(), st.one_of(st.none(), st.integers(0, 3))))),  # type: ignore[arg-type]
        edss=draw(lists(st.builds(EdssAssessment, near(before=500), scores), 5)),  # type: ignore[arg-type]
        therapies=draw(lists(therapies())),  # type: ignore[arg-type]
        conditions=draw(lists(st.builds(Condition, st.sampled_from(CODES), st.none(),  # type: ignore[arg-type]
                                        st.one_of(st.none(), near(before=1000)), maybe_bool), 2)),
        allergies=draw(lists(st.sampled_from(["penicillin", "gentamicin", "latex"]), 2)),  # type: ignore[arg-type]
        labs=draw(lists(st.builds(LabResult, near(before=400), st.sampled_from(["egfr", "wbc"]),  # type: ignore[arg-type]
                                  st.floats(20, 130, allow_nan=False), st.none(), maybe_bool), 3)),
        pregnant=draw(maybe_bool),
        childbearing_potential=draw(maybe_bool),
        willing_to_use_contraception=draw(maybe_bool),
        can_undergo_mri=draw(maybe_bool),
        in_other_trial=draw(maybe_bool),
        able_to_adhere=draw(maybe_bool),
    )
