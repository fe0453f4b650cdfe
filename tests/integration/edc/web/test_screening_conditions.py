"""The screening page records each medical-history condition with its start and remission dates and whether it is
active, so that E10 (basal cell carcinoma / carcinoma in situ in remission for more than one year before ``on``)
can be judged from the page; impossible dates are refused next to the field and nothing is stored."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.edc.crfs.models import ScreeningRecord
from mescams.edc.trial.eligibility import evaluate
from mescams.edc.trial.models import Participant
from tests.factories.edc import RANDOMISATION, SCREENING, consented
from tests.integration.edc.web.test_form_validation import _screening_data, field_errors

D = dt.timedelta


def _page(users) -> str:
    """The screening page of a consented participant."""
    return f"/site/p/{consented(users['coord'])}/screening/"


def _e10(record: dict[str, object]) -> str:
    return next(c["status"] for c in evaluate({**record, "id": "x"}, RANDOMISATION).criteria if c["id"] == "E10")


@pytest.mark.parametrize(("remission", "status"), [
    (RANDOMISATION - D(days=2 * 365), "not_met"),
    (RANDOMISATION - D(days=182), "met"),
])
def test_basal_cell_carcinoma_remission_decides_e10(users, client_for, remission, status) -> None:
    data = _screening_data(**{"conditions": "basal_cell_carcinoma",
                              "basal_cell_carcinoma_start_date": (remission - D(days=400)).isoformat(),
                              "basal_cell_carcinoma_remission_date": remission.isoformat(),
                              "basal_cell_carcinoma_active": "false"})
    response = client_for("coord").post(_page(users), data)
    assert response.status_code == 302, field_errors(response.content.decode(), "basal_cell_carcinoma_remission_date")
    stored = ScreeningRecord.objects.get().record
    assert stored["conditions"] == [{"code": "basal_cell_carcinoma",
                                     "start_date": (remission - D(days=400)).isoformat(),
                                     "remission_date": remission.isoformat(), "active": False}]
    assert _e10(stored) == status


def test_live_panel_judges_e10_from_the_remission_date(users, client_for) -> None:
    recent = (RANDOMISATION - D(days=182)).isoformat()
    page = client_for("coord").post(_page(users) + "preview/", _screening_data(
        **{"basal_cell_carcinoma_remission_date": recent})).content.decode()
    assert "E10" in page and "in remission only since" in page


def test_a_remission_date_alone_marks_the_condition_present(users, client_for) -> None:
    remission = (RANDOMISATION - D(days=800)).isoformat()
    client_for("coord").post(_page(users), _screening_data(carcinoma_in_situ_remission_date=remission))
    conditions = ScreeningRecord.objects.get().record["conditions"]
    assert conditions == [{"code": "carcinoma_in_situ", "start_date": None, "remission_date": remission,
                           "active": None}]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"basal_cell_carcinoma_remission_date": (dt.date.today() + D(days=10)).isoformat()},
     "basal_cell_carcinoma_remission_date", "in the future"),
    ({"malignancy_start_date": (dt.date.today() + D(days=10)).isoformat()}, "malignancy_start_date", "in the future"),
    ({"carcinoma_in_situ_start_date": (SCREENING - D(days=100)).isoformat(),
      "carcinoma_in_situ_remission_date": (SCREENING - D(days=200)).isoformat()},
     "carcinoma_in_situ_remission_date", "before the start date"),
])
def test_impossible_condition_dates_are_refused_next_to_the_field(users, client_for, changes, field, message) -> None:
    response = client_for("coord").post(_page(users), _screening_data(conditions="basal_cell_carcinoma", **changes))
    assert response.status_code == 200
    assert message in field_errors(response.content.decode(), field)
    assert Participant.objects.get().status == "consented"
    assert ScreeningRecord.objects.count() == 0
