"""OMOP CDM v5.4 tables -> the registry tables the rules read (``docs/registry.md``), as SQL and as Python.

The second mapping of the criteria's inputs. Both forms below state the same conventions, which the tests check
against each other patient by patient:

- A person is *observed* on the evaluation date ``on`` when an ``observation_period`` contains it. For an observed
  person the OMOP record is taken as complete: no HIV diagnosis means none (the usual OMOP reading). For one not
  observed, the lists are "not recorded" unless rows exist, so the registry rules answer unknown.
- Only facts dated on or before ``on`` exist: later rows are not yet known.
- MS course: the course concept of the latest course record (PPMS before SPMS before RRMS on the same day); MS
  without a course record leaves it unknown; an observed person with no MS record has course ``other``.
- MS onset and diagnosis: the first MS record (OMOP holds no symptom onset).
- CSF oligoclonal bands: true when ever recorded positive, false when only negative.
- Facts marked ``also_in_observation`` (EDSS, GEL count, CSF bands, pregnancy) are read from the observation table
  as well as from their own (measurement or condition_occurrence).
- Pregnant: true with a pregnancy record in the window, false for males, otherwise unknown; childbearing potential
  false for males, otherwise unknown. Consent, willingness, other trials, adherence: unknown.
- MRI: each GEL-count record is a scan with that count; an MRI procedure (procedure_occurrence) on a day without a
  GEL-count record is a scan whose count is unknown. Able to undergo MRI: true with a scan in the mri_scan window up
  to the date, otherwise unknown (no scan shows nothing).
- Care site: the person's care_site_id, or else that of the person's latest visit (visit_occurrence) on or before
  the date that names one.
- Therapies: drug exposures whose concept descends from an ingredient of the class (start, end).
- Conditions: condition records by code, condition_end_date as remission date, "active" unknown.
- Labs: measurements with a numeric value; no unit conversion (values are taken in the test's protocol unit).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

import sqlglot
from sqlglot import exp

from mescams.core.eligibility import (
    Condition,
    EdssAssessment,
    LabResult,
    MriScan,
    MsHistory,
    PatientRecord,
    Relapse,
    Therapy,
)
from mescams.core.eligibility.record import Course
from mescams.prescreen.omop.concepts import ConceptFile, Resolved
from mescams.prescreen.omop.members import COURSE_PRIORITY, ConceptMembers

__all__ = ["COURSE_PRIORITY", "mapping_ctes", "records_from_rows", "site_query"]

def _ms_ids(resolved: Resolved) -> set[int]:
    out = set(resolved.ids.get("ms:any", frozenset()))
    for key, ids in resolved.items():
        if key.startswith("course:"):
            out |= ids
    return out


def _measured(concepts: ConceptFile, key: str, members: ConceptMembers) -> str:
    """Rows (person_id, day, value, value_concept) of a measured fact: from measurement, and from observation when
    the concept file says the fact is also recorded there."""
    wanted = members.ids(key)
    rows = (f"SELECT person_id, measurement_date AS day, CAST(value_as_number AS DOUBLE) AS value, "
            f"value_as_concept_id AS value_concept FROM measurement WHERE measurement_concept_id IN ({wanted})")
    if concepts.sets[key].also_in_observation:
        rows += (f" UNION ALL SELECT person_id, observation_date, CAST(value_as_number AS DOUBLE), "
                 f"value_as_concept_id FROM observation WHERE observation_concept_id IN ({wanted})")
    return f"({rows})"


def _site_cte(on: dt.date) -> str:
    d = f"CAST('{on.isoformat()}' AS DATE)"
    return f"""
        SELECT p.person_id, COALESCE(CAST(p.care_site_id AS VARCHAR), v.site) AS site
        FROM person AS p LEFT JOIN (
          SELECT person_id, site FROM (
            SELECT person_id, CAST(care_site_id AS VARCHAR) AS site, ROW_NUMBER() OVER (PARTITION BY person_id
                   ORDER BY visit_start_date DESC, visit_occurrence_id DESC) AS rn
            FROM visit_occurrence WHERE care_site_id IS NOT NULL AND visit_start_date <= {d}) AS ranked
          WHERE rn = 1) AS v ON v.person_id = p.person_id"""


def site_query(on: dt.date) -> exp.Expr:
    """(person_id, site) per person in person_id order: the care site the funnel groups by."""
    text = f"WITH omop_site AS ({_site_cte(on)}) SELECT person_id, site FROM omop_site ORDER BY person_id"
    return sqlglot.parse_one(text, read="duckdb")


def mapping_ctes(concepts: ConceptFile, members: ConceptMembers, on: dt.date) -> list[tuple[str, exp.Expr]]:
    """The registry tables as (name, query) over the OMOP tables, in dependency order; ``members`` writes the
    concept sets' ids (literal, or resolved by the SQL itself)."""
    d = f"CAST('{on.isoformat()}' AS DATE)"
    male, female = concepts.gender["M"], concepts.gender["F"]
    course_table = members.courses()
    ms_known = members.available("ms:any")
    preg = members.ids("fact:pregnancy")
    preg_days = concepts.sets["fact:pregnancy"].window_days or 280
    preg_start = f"CAST('{(on - dt.timedelta(days=preg_days)).isoformat()}' AS DATE)"
    pos, neg = concepts.values["positive"], concepts.values["negative"]
    sql: dict[str, str] = dict(members.prelude())
    sql["omop_observed"] = f"""
        SELECT DISTINCT person_id FROM observation_period
        WHERE observation_period_start_date <= {d} AND observation_period_end_date >= {d}"""
    sql["omop_ms"] = f"""
        SELECT person_id, MIN(condition_start_date) AS first_date FROM condition_occurrence
        WHERE condition_concept_id IN ({members.ms_ids()}) AND condition_start_date <= {d}
        GROUP BY person_id"""
    sql["omop_course"] = f"""
        SELECT person_id, course FROM (
          SELECT c.person_id, cr.course, ROW_NUMBER() OVER (PARTITION BY c.person_id
                 ORDER BY c.condition_start_date DESC, cr.priority DESC) AS rn
          FROM condition_occurrence AS c JOIN {course_table} ON c.condition_concept_id = cr.concept_id
          WHERE c.condition_start_date <= {d}) AS ranked
        WHERE rn = 1"""
    sql["omop_ocb"] = f"""
        SELECT person_id, MAX(CASE WHEN value_concept = {pos} THEN 1 WHEN value_concept = {neg} THEN 0
                                   END) AS positive
        FROM {_measured(concepts, "fact:csf_oligoclonal_bands", members)} AS f WHERE day <= {d}
        GROUP BY person_id"""
    preg_rows = (f"SELECT person_id, condition_start_date AS day FROM condition_occurrence "
                 f"WHERE condition_concept_id IN ({preg})")
    if concepts.sets["fact:pregnancy"].also_in_observation:
        preg_rows += (f" UNION ALL SELECT person_id, observation_date FROM observation "
                      f"WHERE observation_concept_id IN ({preg})")
    sql["omop_pregnant"] = f"""
        SELECT DISTINCT person_id FROM ({preg_rows}) AS f WHERE day > {preg_start} AND day <= {d}"""
    sql["omop_site"] = _site_cte(on)
    gel_rows = _measured(concepts, "fact:gel_count", members)
    sql["mri"] = f"""
        SELECT person_id AS patient_key, day AS scan_date, CAST(FLOOR(value) AS INT) AS gel_count
        FROM {gel_rows} AS g WHERE day <= {d}
        UNION ALL
        SELECT DISTINCT pr.person_id, pr.procedure_date, CAST(NULL AS INT) FROM procedure_occurrence AS pr
        WHERE pr.procedure_concept_id IN ({members.ids("fact:mri_scan")}) AND pr.procedure_date <= {d}
          AND NOT EXISTS (SELECT 1 FROM {gel_rows} AS g WHERE g.person_id = pr.person_id
                          AND g.day = pr.procedure_date)"""
    mri_days = concepts.sets["fact:mri_scan"].window_days or 365
    mri_start = f"CAST('{(on - dt.timedelta(days=mri_days)).isoformat()}' AS DATE)"
    sql["omop_mri_able"] = f"""
        SELECT DISTINCT patient_key AS person_id FROM mri WHERE scan_date > {mri_start}"""
    sql["patients"] = f"""
        SELECT p.person_id AS patient_key, CAST(p.person_id AS VARCHAR) AS patient_id, st.site AS site,
          CASE WHEN p.gender_concept_id = {male} THEN 'M' WHEN p.gender_concept_id = {female} THEN 'F' END AS sex,
          CASE WHEN p.month_of_birth IS NOT NULL AND p.day_of_birth IS NOT NULL
               THEN MAKE_DATE(CAST(p.year_of_birth AS INT), CAST(p.month_of_birth AS INT),
                              CAST(p.day_of_birth AS INT)) END AS birth_date,
          CAST(NULL AS DATE) AS consent_date, CAST(NULL AS BOOLEAN) AS able_to_consent,
          CASE WHEN crs.course IS NOT NULL THEN crs.course
               WHEN ms.person_id IS NOT NULL THEN NULL
               WHEN o.person_id IS NOT NULL AND {ms_known} THEN 'other' END AS ms_course,
          ms.first_date AS ms_onset_date, ms.first_date AS ms_diagnosis_date,
          CASE WHEN ocb.positive = 1 THEN TRUE WHEN ocb.positive = 0 THEN FALSE END AS ms_csf_oligoclonal_bands,
          CASE WHEN pr.person_id IS NOT NULL THEN TRUE WHEN p.gender_concept_id = {male} THEN FALSE END AS pregnant,
          CASE WHEN p.gender_concept_id = {male} THEN FALSE END AS childbearing_potential,
          CAST(NULL AS BOOLEAN) AS willing_to_use_contraception,
          CASE WHEN ma.person_id IS NOT NULL THEN TRUE END AS can_undergo_mri,
          CAST(NULL AS BOOLEAN) AS in_other_trial, CAST(NULL AS BOOLEAN) AS able_to_adhere,
          o.person_id IS NOT NULL AS relapses_recorded, o.person_id IS NOT NULL AS mri_recorded,
          o.person_id IS NOT NULL AS edss_recorded, o.person_id IS NOT NULL AS therapies_recorded,
          o.person_id IS NOT NULL AS conditions_recorded, FALSE AS allergies_recorded,
          o.person_id IS NOT NULL AS labs_recorded
        FROM person AS p
        LEFT JOIN omop_observed AS o ON o.person_id = p.person_id
        LEFT JOIN omop_ms AS ms ON ms.person_id = p.person_id
        LEFT JOIN omop_course AS crs ON crs.person_id = p.person_id
        LEFT JOIN omop_ocb AS ocb ON ocb.person_id = p.person_id
        LEFT JOIN omop_pregnant AS pr ON pr.person_id = p.person_id
        LEFT JOIN omop_site AS st ON st.person_id = p.person_id
        LEFT JOIN omop_mri_able AS ma ON ma.person_id = p.person_id"""
    sql["relapses"] = f"""
        SELECT person_id AS patient_key, condition_start_date AS onset_date, TRUE AS clinically_documented
        FROM condition_occurrence
        WHERE condition_concept_id IN ({members.ids("fact:relapse")}) AND condition_start_date <= {d}"""
    sql["edss"] = f"""
        SELECT person_id AS patient_key, day AS assessment_date, value AS score
        FROM {_measured(concepts, "fact:edss", members)} AS f WHERE day <= {d} AND value IS NOT NULL"""
    sql["therapies"] = f"""
        SELECT x.person_id AS patient_key, x.drug_exposure_id AS exposure_id, m.drug AS drug,
          x.drug_exposure_start_date AS start_date, x.drug_exposure_end_date AS end_date,
          CAST(NULL AS VARCHAR) AS accelerated_elimination
        FROM drug_exposure AS x JOIN {members.named('drug', 'drug')}
          ON x.drug_concept_id = m.concept_id
        WHERE x.drug_exposure_start_date <= {d}"""
    sql["conditions"] = f"""
        SELECT c.person_id AS patient_key, c.condition_occurrence_id AS occurrence_id, m.code AS code,
          c.condition_start_date AS start_date, c.condition_end_date AS remission_date,
          CAST(NULL AS BOOLEAN) AS active
        FROM condition_occurrence AS c JOIN {members.named('condition', 'code')}
          ON c.condition_concept_id = m.concept_id
        WHERE c.condition_start_date <= {d}"""
    sql["allergies"] = """
        SELECT CAST(NULL AS BIGINT) AS patient_key, CAST(NULL AS VARCHAR) AS substance WHERE 1 = 0"""
    sql["labs"] = f"""
        SELECT x.person_id AS patient_key, x.measurement_date AS sample_date, m.test AS test,
          CAST(x.value_as_number AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit,
          CAST(NULL AS BOOLEAN) AS clinically_significant
        FROM measurement AS x JOIN {members.named('lab', 'test')}
          ON x.measurement_concept_id = m.concept_id
        WHERE x.measurement_date <= {d} AND x.value_as_number IS NOT NULL"""
    return [(name, sqlglot.parse_one(text, read="duckdb").transform(_make_date)) for name, text in sql.items()]


def _make_date(node: exp.Expr) -> exp.Expr:
    """MAKE_DATE(y, m, d) as itself: DuckDB, PostgreSQL and Spark all have it, but sqlglot writes PostgreSQL's
    as DATE_FROM_PARTS, which PostgreSQL lacks."""
    if isinstance(node, exp.DateFromParts):
        return exp.Anonymous(this="MAKE_DATE", expressions=[node.args["year"], node.args["month"], node.args["day"]])
    return node


# -- the same mapping in Python, row by row (the reference engine) ---------------------------------------------


def _birth(year: Any, month: Any, day: Any) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    return dt.date(int(year), int(month), int(day))


def records_from_rows(concepts: ConceptFile, resolved: Resolved, on: dt.date,
                      tables: dict[str, list[tuple[Any, ...]]]) -> Iterator[tuple[PatientRecord, str | None]]:
    """One record per person, with its care site, from plain rows of the OMOP tables.

    ``tables`` holds: person (person_id, gender_concept_id, year, month, day of birth, care_site_id),
    observation_period (person_id, start, end), condition_occurrence (id, person_id, concept_id, start, end),
    drug_exposure (id, person_id, concept_id, start, end), measurement and observation (person_id, concept_id,
    date, value_as_number, value_as_concept_id), procedure_occurrence (person_id, concept_id, date),
    visit_occurrence (id, person_id, start, care_site_id).
    """
    male, female = concepts.gender["M"], concepts.gender["F"]
    observed = {pid for pid, start, end in tables["observation_period"] if start <= on <= end}
    ms_ids = _ms_ids(resolved)
    course_of = {cid: key.removeprefix("course:") for key, ids in resolved.items() if key.startswith("course:")
                 for cid in ids}
    drugs_of, codes_of, tests_of = defaultdict(set), defaultdict(set), defaultdict(set)
    for key, ids in resolved.items():
        for cid in ids:
            if key.startswith("drug:"):
                drugs_of[cid].add(key[5:])
            elif key.startswith("condition:"):
                codes_of[cid].add(key[10:])
            elif key.startswith("lab:"):
                tests_of[cid].add(key[4:])
    get = resolved.ids.get
    relapse, preg = get("fact:relapse", frozenset()), get("fact:pregnancy", frozenset())
    gel, edss, ocb = get("fact:gel_count", frozenset()), get("fact:edss", frozenset()), get(
        "fact:csf_oligoclonal_bands", frozenset())
    scans = get("fact:mri_scan", frozenset())
    preg_start = on - dt.timedelta(days=concepts.sets["fact:pregnancy"].window_days or 280)
    pos, neg = concepts.values["positive"], concepts.values["negative"]

    per: dict[str, dict[int, list[Any]]] = {k: defaultdict(list) for k in
                                            ("ms", "course", "relapses", "preg", "conditions", "therapies", "mri",
                                             "edss", "ocb", "labs")}
    for _occurrence, pid, cid, start, end in tables["condition_occurrence"]:
        if start > on:
            continue
        if cid in ms_ids:
            per["ms"][pid].append(start)
        if cid in course_of:
            per["course"][pid].append((start, COURSE_PRIORITY[course_of[cid]], course_of[cid]))
        if cid in relapse:
            per["relapses"][pid].append(Relapse(start, True))
        if cid in preg and preg_start < start:
            per["preg"][pid].append(start)
        for code in sorted(codes_of.get(cid, ())):
            per["conditions"][pid].append(Condition(code, start, end, None))
    for _exposure, pid, cid, start, end in tables["drug_exposure"]:
        if start <= on:
            for drug in sorted(drugs_of.get(cid, ())):
                per["therapies"][pid].append(Therapy(drug, start, end, None))
    observed_too = {key for key, cset in concepts.sets.items() if cset.also_in_observation}
    gel_days: set[tuple[int, dt.date]] = set()
    for table in ("measurement", "observation"):
        for pid, cid, day, value, value_concept in tables[table]:
            if table == "observation" and cid in preg and "fact:pregnancy" in observed_too and preg_start < day <= on:
                per["preg"][pid].append(day)
            if day > on:
                continue
            if cid in gel and (table == "measurement" or "fact:gel_count" in observed_too):
                gel_days.add((pid, day))
                per["mri"][pid].append(MriScan(day, None if value is None else math.floor(value)))
            if cid in edss and value is not None and (table == "measurement" or "fact:edss" in observed_too):
                per["edss"][pid].append(EdssAssessment(day, float(value)))
            if cid in ocb and value_concept in (pos, neg) and (
                    table == "measurement" or "fact:csf_oligoclonal_bands" in observed_too):
                per["ocb"][pid].append(value_concept == pos)
            if value is not None and table == "measurement":
                for test in sorted(tests_of.get(cid, ())):
                    per["labs"][pid].append(LabResult(day, cast(Any, test), float(value), None, None))
    for pid, day in sorted({(pid, day) for pid, cid, day in tables["procedure_occurrence"]
                            if cid in scans and day <= on and (pid, day) not in gel_days}):
        per["mri"][pid].append(MriScan(day, None))
    mri_start = on - dt.timedelta(days=concepts.sets["fact:mri_scan"].window_days or 365)
    latest_visit: dict[int, tuple[dt.date, int, Any]] = {}
    for visit_id, pid, start, visit_site in tables["visit_occurrence"]:
        if visit_site is not None and start <= on and (pid not in latest_visit
                                                       or (start, visit_id) > latest_visit[pid][:2]):
            latest_visit[pid] = (start, visit_id, visit_site)

    def listed(name: str, pid: int, seen: bool) -> tuple[Any, ...] | None:
        rows = per[name].get(pid, [])
        return tuple(rows) if (seen or rows) else None

    for pid, gender, year, month, day, site in tables["person"]:
        seen = pid in observed
        course: Course | None = None
        if per["course"].get(pid):
            course = max(per["course"][pid])[2]
        elif not per["ms"].get(pid) and seen and resolved.available("ms:any"):
            course = "other"
        first = min(per["ms"][pid]) if per["ms"].get(pid) else None
        flags = per["ocb"].get(pid)
        bands = True if flags and any(flags) else (False if flags else None)
        pregnant = True if per["preg"].get(pid) else (False if gender == male else None)
        if site is None and pid in latest_visit:
            site = latest_visit[pid][2]
        able = True if any(mri_start < scan.date for scan in per["mri"].get(pid, ())) else None
        record = PatientRecord(
            id=str(pid), site=None if site is None else str(site),
            sex="M" if gender == male else ("F" if gender == female else None),
            birth_date=_birth(year, month, day), consent_date=None, able_to_consent=None,
            ms=MsHistory(course, first, first, bands),
            relapses=listed("relapses", pid, seen), mri=listed("mri", pid, seen), edss=listed("edss", pid, seen),
            therapies=listed("therapies", pid, seen), conditions=listed("conditions", pid, seen), allergies=None,
            labs=listed("labs", pid, seen), pregnant=pregnant,
            childbearing_potential=False if gender == male else None, can_undergo_mri=able,
        )
        yield record, record.site
