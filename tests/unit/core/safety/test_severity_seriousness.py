"""Severity beside the CTCAE grade, and the ICH E2A seriousness criteria."""

from __future__ import annotations

import pytest

from mescams.core.safety.seriousness import check_seriousness, is_fatal_or_life_threatening
from mescams.core.safety.severity import Severity, severity_for_grade
from mescams.errors import InputValidationError


@pytest.mark.parametrize(("grade", "severity"), [(1, Severity.MILD), (2, Severity.MODERATE), (3, Severity.SEVERE),
                                                 (4, Severity.SEVERE), (5, Severity.SEVERE)])
def test_ctcae_wording(grade: int, severity: Severity) -> None:
    assert severity_for_grade(grade) is severity


def test_no_grade_zero() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        severity_for_grade(0)


@pytest.mark.parametrize(("serious", "criteria", "field", "words"), [
    (True, [], "serious_criteria", "needs at least one criterion of seriousness"),
    (False, ["death"], "serious", "must be true"),
    (True, ["bad_luck"], "serious_criteria", "unknown criteria"),
])
def test_seriousness_rules_name_field_and_rule(serious: bool, criteria: list[str], field: str, words: str) -> None:
    with pytest.raises(InputValidationError) as caught:
        check_seriousness(serious, criteria)
    assert caught.value.field == field and words in caught.value.rule


def test_valid_seriousness() -> None:
    check_seriousness(True, ["hospitalisation", "important_medical_event"])
    check_seriousness(False, [])


@pytest.mark.parametrize(("criteria", "short_clock"), [(["death"], True), (["life_threatening"], True),
                                                       (["hospitalisation", "disability"], False), ([], False)])
def test_which_events_run_the_7_day_clock(criteria: list[str], short_clock: bool) -> None:
    assert is_fatal_or_life_threatening(criteria) is short_clock
