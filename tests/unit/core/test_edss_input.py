"""Bad EDSS input is refused with an error naming the field (contract: ../shared/contracts/edss.md)."""

from __future__ import annotations

import pytest

from mescams.core.edss import EdssExam, score_exam
from mescams.errors import EdssInputError

GOOD = {"id": "A1", "visual": 0, "brainstem": 1, "pyramidal": 2, "cerebellar": 1, "sensory": 0,
        "bowel_bladder": 0, "cerebral": 0, "ambulation": 0, "recorded_edss": 2.0}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("visual", 7, "visual: expected an integer grade 0-6, got 7"),
        ("brainstem", 6, "brainstem: expected an integer grade 0-5"),
        ("cerebral", -1, "cerebral: expected an integer grade 0-5"),
        ("pyramidal", 2.5, "pyramidal: expected an integer grade 0-6, got 2.5"),
        ("sensory", "2", "sensory: expected an integer grade 0-6, got '2'"),
        ("cerebellar", True, "cerebellar: expected an integer grade"),
        ("ambulation", 17, "ambulation: expected the Neurostatus ambulation score, an integer 0-16"),
        ("ambulation", 1.5, "ambulation: expected the Neurostatus ambulation score"),
        ("recorded_edss", 7.3, "recorded_edss: expected an EDSS step"),
        ("recorded_edss", 0.5, "recorded_edss: expected an EDSS step"),
    ],
)
def test_bad_values_name_the_field(field, value, message):
    with pytest.raises(EdssInputError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        EdssExam.from_mapping({**GOOD, field: value})
    assert err.value.field == field


@pytest.mark.parametrize("field", ["visual", "bowel_bladder", "cerebral", "ambulation"])
def test_missing_fields_are_named(field):
    record = {k: v for k, v in GOOD.items() if k != field}
    with pytest.raises(EdssInputError, match=f"^{field}: missing"):
        EdssExam.from_mapping(record)


def test_integral_floats_are_accepted_as_grades():
    exam = EdssExam.from_mapping({**GOOD, "pyramidal": 2.0, "ambulation": 0.0})
    assert exam.functional_systems.pyramidal == 2


def test_consistency_with_the_rater():
    assert score_exam(EdssExam.from_mapping(GOOD)).consistent is True
    assert score_exam(EdssExam.from_mapping({**GOOD, "recorded_edss": 2.5})).consistent is False
    no_record = {k: v for k, v in GOOD.items() if k != "recorded_edss"}
    assert score_exam(EdssExam.from_mapping(no_record)).consistent is None


def test_not_an_object():
    with pytest.raises(EdssInputError, match="assessment: expected a JSON object"):
        EdssExam.from_mapping([1, 2])  # type: ignore[arg-type]
