"""Executable MESCAMS eligibility: typed screening records, three-valued rules, the criteria, and their SQL.

The rules follow the shared contract ``eligibility.md``: windows ``on - N < d <= on`` (calendar months clamp),
whole completed years, EDSS at randomisation = latest within the look-back, unknown for absent data, and the
``eligible`` true / false / null rule. Each rule object evaluates a record in Python *and* states its SQL form,
so registry pre-screening (``mescams.prescreen``) runs the very same rules in a database.

Errors: a malformed record raises :class:`mescams.errors.EligibilityInputError` naming the field and the rule.

Where the contract leaves a choice open, these are the readings taken (each tested):

- I1 counts "clinically documented" relapses: one recorded with ``clinically_documented: false`` does not count,
  ``null`` does (protocol param ``relapses_must_be_clinically_documented``); E9 counts every relapse.
- Therapy coverage counts calendar days with both ends included, courses cut at ``on``; anything dated after
  ``on`` (a therapy start, a lab, an EDSS) has not happened yet and is ignored.
- EDSS ties on the latest date take the higher score; several lab results on the latest date are read together
  (any eGFR below the limit, any WBC flagged clinically significant; otherwise any unassessed flag is unknown).
- I5: the schema defines a null ``consent_date`` as "not signed", so no consent date is ``not_met`` (this one
  field's own definition wins over the schema's general "null is unknown").
- E7: the schema has no "none" for ``accelerated_elimination``, so a teriflunomide course without one had none.
- E10: basal cell carcinoma / carcinoma in situ is exempt once in remission for one whole year at ``on`` (the
  anniversary counts); recorded as active it excludes; with no remission date and not active it is unknown.
"""

from mescams.core.eligibility.assessment import Assessment, CriterionVerdict, assess, overall
from mescams.core.eligibility.compile import compile_query, compile_sql, criterion_column
from mescams.core.eligibility.criteria import Criterion, build_criteria
from mescams.core.eligibility.dates import Window, add_months, completed_years
from mescams.core.eligibility.parsing import parse_date, parse_record
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
from mescams.core.eligibility.verdict import Status, Verdict

__all__ = [
    "Assessment",
    "Condition",
    "Criterion",
    "CriterionVerdict",
    "EdssAssessment",
    "LabResult",
    "MriScan",
    "MsHistory",
    "PatientRecord",
    "Relapse",
    "Status",
    "Therapy",
    "Verdict",
    "Window",
    "add_months",
    "assess",
    "build_criteria",
    "compile_query",
    "compile_sql",
    "completed_years",
    "criterion_column",
    "overall",
    "parse_date",
    "parse_record",
]
