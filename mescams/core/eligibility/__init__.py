"""Executable MESCAMS eligibility: typed screening records, three-valued rules, the criteria, and their SQL.

The rules follow the shared contract ``eligibility.md``: windows ``on - N < d <= on`` (calendar months clamp),
whole completed years, EDSS at randomisation = latest within the look-back, unknown for absent data, and the
``eligible`` true / false / null rule. Each rule object evaluates a record in Python *and* states its SQL form,
so registry pre-screening (``mescams.prescreen``) runs the very same rules in a database.

Errors: a malformed record raises :class:`mescams.errors.EligibilityInputError` naming the field and the rule.
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
