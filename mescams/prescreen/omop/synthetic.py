"""Synthetic OMOP CDM v5.4 data with MS patients, for the feasibility tests and benchmark. Not real people.

:func:`generate` draws ``persons`` people (numpy, vectorised: a million take seconds) with observation periods,
MS diagnoses and courses, relapses, EDSS and MRI gadolinium-lesion measurements (some recorded as observations),
MRI procedures with and without a count, CSF band results, visits naming a care site, therapies from
every drug class of the criteria (half recorded as a descendant clinical drug, to exercise concept_ancestor),
infections, malignancies (some basal cell carcinomas, which the malignancy set excludes), pregnancies and eGFR.
Dates straddle the evaluation date, so each criterion gets met, not met and unknown cases. :func:`vocabulary`
writes the concept and concept_ancestor rows of the concept file (ids from the file, or from the local range
2,000,100,000 up where the file has none). :func:`add_to_duckdb` appends both to a CDM such as Eunomia's;
:func:`write_parquet` writes a whole CDM folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mescams.prescreen.omop.concepts import ConceptFile, load_concepts

__all__ = ["SyntheticShape", "add_to_duckdb", "generate", "vocabulary", "write_parquet"]

Array = np.ndarray[Any, Any]
_EPOCH = dt.date(1970, 1, 1)
_LOCAL_ID = 2_000_100_000
_DESCENDANT_ID = 2_000_200_000


@dataclass(frozen=True)
class SyntheticShape:
    persons: int
    seed: int = 0
    on: dt.date = dt.date(2016, 3, 1)
    first_person_id: int = 10_000_000
    ms_fraction: float = 0.6
    care_sites: int = 6


def _concept_ids(concepts: ConceptFile) -> dict[tuple[str, str], int]:
    ids: dict[tuple[str, str], int] = {}
    n = 0
    for cset in concepts.sets.values():
        for c in cset.concepts:
            key = (c.vocabulary, c.code)
            if key not in ids:
                ids[key] = c.id if c.id is not None else _LOCAL_ID + n
                n += 1
    return ids


def vocabulary(concepts: ConceptFile) -> tuple[pa.Table, pa.Table, dict[str, list[int]]]:
    """(concept, concept_ancestor, usable ids per set key) for the synthetic data.

    Each ingredient gets one descendant clinical drug; the MS courses descend from MS; basal cell carcinoma and
    carcinoma in situ descend from malignant neoplastic disease (so the malignancy set's exclusion is tested).
    """
    ids = _concept_ids(concepts)
    rows: dict[int, tuple[str, str, str, str, str]] = {}
    domains = {"drug": "Drug", "lab": "Measurement", "condition": "Condition", "course": "Condition",
               "ms": "Condition"}
    for key, cset in concepts.sets.items():
        domain = domains.get(key.split(":")[0], cset.domain.title())
        for c in cset.concepts:
            rows[ids[(c.vocabulary, c.code)]] = (c.name, domain, c.vocabulary, c.code, "S")
    ancestors = {(cid, cid) for cid in rows}
    usable: dict[str, list[int]] = {}
    n = 0
    for key, cset in concepts.sets.items():
        base = [ids[(c.vocabulary, c.code)] for c in cset.concepts if not c.exclude]
        usable[key] = list(base)
        if key.startswith("drug:"):
            for cid in base:
                child = _DESCENDANT_ID + n
                n += 1
                rows[child] = (f"{rows[cid][0]} (synthetic clinical drug)", "Drug", "RxNorm", f"SYN{child}", "S")
                ancestors |= {(cid, child), (child, child)}
                usable[key].append(child)
    ms = ids[("SNOMED", "24700007")]
    for key in concepts.course_names():
        for c in concepts.sets[f"course:{key}"].concepts:
            ancestors.add((ms, ids[(c.vocabulary, c.code)]))
    malignant = [ids[(c.vocabulary, c.code)] for c in concepts.sets["condition:malignancy"].concepts]
    for child in malignant[1:]:
        ancestors.add((malignant[0], child))
    concept = pa.table({
        "concept_id": pa.array(list(rows), pa.int64()),
        "concept_name": [r[0] for r in rows.values()], "domain_id": [r[1] for r in rows.values()],
        "vocabulary_id": [r[2] for r in rows.values()],
        "concept_class_id": ["Clinical Finding"] * len(rows),
        "standard_concept": [r[4] for r in rows.values()], "concept_code": [r[3] for r in rows.values()],
        "valid_start_date": pa.array([dt.date(1970, 1, 1)] * len(rows), pa.date32()),
        "valid_end_date": pa.array([dt.date(2099, 12, 31)] * len(rows), pa.date32()),
        "invalid_reason": pa.array([None] * len(rows), pa.string()),
    })
    pairs = sorted(ancestors)
    ancestor = pa.table({
        "ancestor_concept_id": pa.array([a for a, _ in pairs], pa.int64()),
        "descendant_concept_id": pa.array([d for _, d in pairs], pa.int64()),
        "min_levels_of_separation": pa.array([0 if a == d else 1 for a, d in pairs], pa.int32()),
        "max_levels_of_separation": pa.array([0 if a == d else 1 for a, d in pairs], pa.int32()),
    })
    return concept, ancestor, usable


def _dates(days: Array) -> pa.Array:
    return pa.array(days.astype("int32"), pa.int32()).cast(pa.date32())


class _Rows:
    """Accumulates child rows (person index, concept, start day, end day, value, value concept) per table."""

    def __init__(self) -> None:
        self.parts: list[tuple[Array, ...]] = []

    def add(self, who: Array, concept: Array, start: Array, end: Array | None = None,
            value: Array | None = None, value_concept: Array | None = None) -> None:
        n = len(who)
        nan = np.full(n, np.nan)
        self.parts.append((who, concept.astype("int64"), start.astype("int64"),
                           nan if end is None else end.astype("float64"),
                           nan if value is None else value.astype("float64"),
                           nan if value_concept is None else value_concept.astype("float64")))

    def columns(self) -> tuple[Array, ...]:
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(6))


def _pick(rng: np.random.Generator, ids: list[int], n: int) -> Array:
    picked: Array = np.asarray(ids, dtype="int64")[rng.integers(0, len(ids), n)]
    return picked


def generate(shape: SyntheticShape, concepts: ConceptFile | None = None) -> dict[str, pa.Table]:
    """The clinical tables (person, observation_period, visit_occurrence, condition_occurrence, drug_exposure,
    measurement, observation, procedure_occurrence, care_site) for ``shape.persons`` synthetic people."""
    file = concepts or load_concepts()
    _, _, usable = vocabulary(file)
    rng = np.random.default_rng(shape.seed)
    n = shape.persons
    on = (shape.on - _EPOCH).days
    pid = shape.first_person_id + np.arange(n, dtype="int64")
    idx = np.arange(n)
    male = rng.random(n) < 0.3
    age_days = rng.integers(15 * 365, 62 * 365, n)
    birth = on - age_days
    birth_dates = np.array(birth, dtype="datetime64[D]")
    years = birth_dates.astype("datetime64[Y]").astype(int) + 1970
    months = birth_dates.astype("datetime64[M]").astype(int) % 12 + 1
    days = (birth_dates - birth_dates.astype("datetime64[M]")).astype(int) + 1
    partial = rng.random(n) < 0.03
    site = rng.integers(1, shape.care_sites + 1, n)
    no_site = rng.random(n) < 0.02
    person = pa.table({
        "person_id": pid, "gender_concept_id": np.where(male, file.gender["M"], file.gender["F"]).astype("int64"),
        "year_of_birth": years.astype("int32"),
        "month_of_birth": pa.array(months.astype("int32"), mask=partial),
        "day_of_birth": pa.array(days.astype("int32"), mask=partial),
        "birth_datetime": pa.array([None] * n, pa.timestamp("us")),
        "race_concept_id": np.zeros(n, "int64"), "ethnicity_concept_id": np.zeros(n, "int64"),
        "location_id": pa.array([None] * n, pa.int64()), "provider_id": pa.array([None] * n, pa.int64()),
        "care_site_id": pa.array(site.astype("int64"), mask=no_site),
    })
    unobserved = rng.random(n) < 0.08
    op_start = on - rng.integers(200, 20 * 365, n)
    op_end = np.where(unobserved, on - rng.integers(1, 400, n), on + rng.integers(0, 900, n))
    observation_period = pa.table({
        "observation_period_id": pid, "person_id": pid,
        "observation_period_start_date": _dates(op_start), "observation_period_end_date": _dates(op_end),
        "period_type_concept_id": np.full(n, 32817, "int64"),
    })

    cond, drug, meas, obs, proc = _Rows(), _Rows(), _Rows(), _Rows(), _Rows()

    def measured(who: Array, concept: Array, day: Array, share: float, **values: Array) -> None:
        """Rows of a fact the concept file also reads from observation: ``share`` of them go there."""
        there = rng.random(len(who)) < share
        meas.add(who[~there], concept[~there], day[~there], **{k: v[~there] for k, v in values.items()})
        obs.add(who[there], concept[there], day[there], **{k: v[there] for k, v in values.items()})

    ms = idx[rng.random(n) < shape.ms_fraction]
    first = on - rng.integers(-100, 22 * 365, len(ms))  # some diagnosed after the evaluation date
    cond.add(ms, _pick(rng, usable["ms:any"], len(ms)), first)
    course_roll = rng.random(len(ms))
    for name, low, high in (("RRMS", 0.0, 0.55), ("SPMS", 0.55, 0.75), ("PPMS", 0.75, 0.9)):
        sel = (course_roll >= low) & (course_roll < high)
        who = ms[sel]
        when = np.minimum(first[sel] + rng.integers(0, 3 * 365, len(who)), on + 60)
        cond.add(who, _pick(rng, usable[f"course:{name}"], len(who)), when)
    relapses = rng.poisson(1.0, len(ms))
    who = np.repeat(ms, relapses)
    cond.add(who, _pick(rng, usable["fact:relapse"], len(who)), on - rng.integers(-30, 900, len(who)))
    edss_n = rng.integers(0, 5, len(ms))
    who = np.repeat(ms, edss_n)
    score = rng.integers(2, 16, len(who)) / 2.0
    score[rng.random(len(who)) < 0.05] = np.nan
    measured(who, _pick(rng, usable["fact:edss"], len(who)), on - rng.integers(-20, 420, len(who)), 0.3,
             value=score)
    mri_n = rng.integers(0, 3, len(ms))
    who = np.repeat(ms, mri_n)
    gel = np.where(rng.random(len(who)) < 0.4, 0, rng.integers(1, 5, len(who))).astype(float)
    gel[rng.random(len(who)) < 0.05] = np.nan
    scan_day = on - rng.integers(-20, 500, len(who))
    measured(who, _pick(rng, usable["fact:gel_count"], len(who)), scan_day, 0.2, value=gel)
    same_day = rng.random(len(who)) < 0.5  # the MRI procedure of a counted scan: the count decides, not the record
    proc.add(who[same_day], _pick(rng, usable["fact:mri_scan"], int(same_day.sum())), scan_day[same_day])
    who = np.concatenate([ms[rng.random(len(ms)) < 0.4], idx[rng.random(n) < 0.02]])  # scans without a count
    proc.add(who, _pick(rng, usable["fact:mri_scan"], len(who)), on - rng.integers(-30, 700, len(who)))
    who = ms[rng.random(len(ms)) < 0.6]
    result = np.where(rng.random(len(who)) < 0.7, file.values["positive"], file.values["negative"])
    measured(who, _pick(rng, usable["fact:csf_oligoclonal_bands"], len(who)), on - rng.integers(0, 3000, len(who)),
             0.3, value_concept=result)

    drug_keys = [k for k in usable if k.startswith("drug:")]
    ms_drugs = ["drug:" + d for d in ("interferon_beta", "glatiramer_acetate", "natalizumab", "fingolimod",
                                      "dimethyl_fumarate", "teriflunomide")]
    courses = rng.integers(0, 4, len(ms))
    who = np.repeat(ms, courses)
    start = on - rng.integers(-30, 1800, len(who))
    end = start + rng.integers(20, 900, len(who))
    pool = np.array(ms_drugs * 4 + drug_keys)
    keys = pool[rng.integers(0, len(pool), len(who))]
    concept = np.array([usable[k][i % len(usable[k])] for i, k in enumerate(keys)], dtype="int64")
    drug.add(who, concept, start, end)
    others = idx[rng.random(n) < 0.1]  # some people without MS get steroids or immunosuppressants too
    keys = np.array(drug_keys)[rng.integers(0, len(drug_keys), len(others))]
    concept = np.array([usable[k][i % len(usable[k])] for i, k in enumerate(keys)], dtype="int64")
    start = on - rng.integers(-30, 900, len(others))
    drug.add(others, concept, start, start + rng.integers(1, 200, len(others)))

    for key, share in (("condition:hiv", 0.02), ("condition:hepatitis_b_chronic", 0.01),
                       ("condition:hepatitis_c", 0.02), ("condition:malignancy", 0.03),
                       ("condition:basal_cell_carcinoma", 0.03), ("condition:carcinoma_in_situ", 0.01),
                       ("condition:myelodysplasia", 0.01), ("condition:renal_failure", 0.02)):
        who = idx[rng.random(n) < share]
        start = on - rng.integers(-60, 6000, len(who))
        ended = np.where(rng.random(len(who)) < 0.5, start + rng.integers(10, 3000, len(who)), np.nan)
        cond.add(who, _pick(rng, usable[key], len(who)), start, ended)
    women = idx[~male]
    who = women[rng.random(len(women)) < 0.05]
    preg_day = on - rng.integers(-30, 400, len(who))
    there = rng.random(len(who)) < 0.3  # pregnancy status recorded as an observation
    cond.add(who[~there], _pick(rng, usable["fact:pregnancy"], int((~there).sum())), preg_day[~there])
    obs.add(who[there], _pick(rng, usable["fact:pregnancy"], int(there.sum())), preg_day[there])
    labs_n = np.where(rng.random(n) < 0.5, rng.integers(1, 3, n), 0)
    who = np.repeat(idx, labs_n)
    meas.add(who, _pick(rng, usable["lab:egfr"], len(who)), on - rng.integers(-30, 700, len(who)),
             value=rng.normal(85, 20, len(who)).round(1))

    c_who, c_concept, c_start, c_end, _, _ = cond.columns()
    condition_occurrence = pa.table({
        "condition_occurrence_id": np.arange(1, len(c_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[c_who], "condition_concept_id": c_concept,
        "condition_start_date": _dates(c_start),
        "condition_end_date": pa.array(np.nan_to_num(c_end).astype("int32"), pa.int32(),
                                       mask=np.isnan(c_end)).cast(pa.date32()),
        "condition_type_concept_id": np.full(len(c_who), 32817, "int64"),
    })
    d_who, d_concept, d_start, d_end, _, _ = drug.columns()
    drug_exposure = pa.table({
        "drug_exposure_id": np.arange(1, len(d_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[d_who], "drug_concept_id": d_concept,
        "drug_exposure_start_date": _dates(d_start), "drug_exposure_end_date": _dates(d_end),
        "drug_type_concept_id": np.full(len(d_who), 32817, "int64"),
    })
    m_who, m_concept, m_day, _, m_value, m_vc = meas.columns()
    measurement = pa.table({
        "measurement_id": np.arange(1, len(m_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[m_who], "measurement_concept_id": m_concept, "measurement_date": _dates(m_day),
        "measurement_type_concept_id": np.full(len(m_who), 32817, "int64"),
        "value_as_number": pa.array(np.nan_to_num(m_value), pa.float64(), mask=np.isnan(m_value)),
        "value_as_concept_id": pa.array(np.nan_to_num(m_vc).astype("int64"), pa.int64(), mask=np.isnan(m_vc)),
    })
    o_who, o_concept, o_day, _, o_value, o_vc = obs.columns()
    observation = pa.table({
        "observation_id": np.arange(1, len(o_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[o_who], "observation_concept_id": o_concept, "observation_date": _dates(o_day),
        "observation_type_concept_id": np.full(len(o_who), 32817, "int64"),
        "value_as_number": pa.array(np.nan_to_num(o_value), pa.float64(), mask=np.isnan(o_value)),
        "value_as_concept_id": pa.array(np.nan_to_num(o_vc).astype("int64"), pa.int64(), mask=np.isnan(o_vc)),
    })
    p_who, p_concept, p_day, _, _, _ = proc.columns()
    procedure_occurrence = pa.table({
        "procedure_occurrence_id": np.arange(1, len(p_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[p_who], "procedure_concept_id": p_concept, "procedure_date": _dates(p_day),
        "procedure_type_concept_id": np.full(len(p_who), 32817, "int64"),
    })
    # Visits: everyone without a care site and a tenth of the others; some name no site, some come after the date.
    visitors = np.concatenate([idx[no_site], idx[~no_site & (rng.random(n) < 0.1)]])
    v_who = np.repeat(visitors, rng.integers(0, 4, len(visitors)))
    v_site = rng.integers(1, shape.care_sites + 1, len(v_who)).astype("int64")
    visit_occurrence = pa.table({
        "visit_occurrence_id": np.arange(1, len(v_who) + 1, dtype="int64") + shape.first_person_id * 10,
        "person_id": pid[v_who], "visit_concept_id": np.full(len(v_who), 9202, "int64"),
        "visit_start_date": _dates(on - rng.integers(-100, 1500, len(v_who))),
        "visit_type_concept_id": np.full(len(v_who), 32817, "int64"),
        "care_site_id": pa.array(v_site, mask=rng.random(len(v_who)) < 0.2),
    })
    care_site = pa.table({"care_site_id": np.arange(1, shape.care_sites + 1, dtype="int64"),
                          "care_site_name": [f"Synthetic site {i}" for i in range(1, shape.care_sites + 1)]})
    return {"person": person, "observation_period": observation_period,
            "condition_occurrence": condition_occurrence, "drug_exposure": drug_exposure,
            "measurement": measurement, "observation": observation, "procedure_occurrence": procedure_occurrence,
            "visit_occurrence": visit_occurrence, "care_site": care_site}


def write_parquet(folder: Path, shape: SyntheticShape, concepts: ConceptFile | None = None) -> dict[str, int]:
    """A whole synthetic CDM as ``<table>.parquet`` files; returns rows per table."""
    file = concepts or load_concepts()
    folder.mkdir(parents=True, exist_ok=True)
    concept, ancestor, _ = vocabulary(file)
    tables = {**generate(shape, file), "concept": concept, "concept_ancestor": ancestor}
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    return {name: t.num_rows for name, t in tables.items()}


def add_to_duckdb(con: Any, shape: SyntheticShape, concepts: ConceptFile | None = None) -> dict[str, int]:
    """Append the synthetic people and the vocabulary rows they need to an open DuckDB CDM (e.g. Eunomia).

    Concepts the CDM already holds keep their rows; care sites are added as plain ids (Eunomia's care_site table
    is left alone)."""
    file = concepts or load_concepts()
    concept, ancestor, _ = vocabulary(file)
    tables = generate(shape, file)
    counts = {}
    for name, table in (("concept", concept), ("concept_ancestor", ancestor), *tables.items()):
        if name == "care_site":
            continue
        con.register("synthetic_rows", table)
        columns = ", ".join(table.column_names)
        if name == "concept":
            where = " WHERE concept_id NOT IN (SELECT concept_id FROM concept)"
        elif name == "concept_ancestor":
            where = (" WHERE NOT EXISTS (SELECT 1 FROM concept_ancestor AS a WHERE a.ancestor_concept_id = "
                     "synthetic_rows.ancestor_concept_id AND a.descendant_concept_id = "
                     "synthetic_rows.descendant_concept_id)")
        else:
            where = ""
        con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM synthetic_rows{where}")
        con.unregister("synthetic_rows")
        counts[name] = table.num_rows
    return counts
