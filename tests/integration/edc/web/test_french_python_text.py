"""Text set in Python reaches a French reader in French: eCRF field labels and coded values, the lists' sort
orders, the notification kinds, and the messages of the services' refusals."""

from __future__ import annotations

import pytest
from django.utils import translation

from mescams.core.causality import CAUSALITY_SCALE
from mescams.core.lifecycle import ParticipantState
from mescams.core.safety.seriousness import SERIOUSNESS_CRITERIA
from mescams.edc.accounts.passwords import change_own_password
from mescams.edc.coding.models import STATUSES as CODING_STATUSES
from mescams.edc.crfs.models import AE_ACTIONS, AE_OUTCOMES, AE_SEVERITIES, ETHNICITIES, FORMS, LAB_TESTS, RACES
from mescams.edc.crfs.services import editable_fields
from mescams.edc.i18n.labels import FIELD_LABELS, STATE_LABELS, VALUE_LABELS
from mescams.edc.queries.models import Query
from mescams.edc.trial.models import AGE_BANDS, PRESCREEN_COURSES
from mescams.edc.web.forms import crf_form_class
from mescams.errors import InputValidationError
from tests.factories.edc import PASSWORD, randomised

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA"}
VISIT_STATES = ("done", "partial", "due", "overdue", "upcoming", "not_expected")  # visit_status.VisitStatus.state


def test_every_ecrf_field_and_offered_value_has_its_label() -> None:
    fields = {name for model in FORMS.values() for name in editable_fields(model)}
    assert sorted(fields - FIELD_LABELS.keys()) == []
    values = {*AE_ACTIONS, *AE_OUTCOMES, *AE_SEVERITIES, *LAB_TESTS, *RACES, *ETHNICITIES,
              *(c.value for c in SERIOUSNESS_CRITERIA), *(c.value for c in CAUSALITY_SCALE),
              *(b for b in AGE_BANDS if not b[0].isdigit()), *(c for c in PRESCREEN_COURSES if c.islower())}
    assert sorted(values - VALUE_LABELS.keys()) == []
    states = {*(s.value for s in ParticipantState), *Query.STATES, *VISIT_STATES, *CODING_STATUSES}
    assert sorted(states - STATE_LABELS.keys()) == []


def test_ecrf_labels_and_choices_follow_the_language() -> None:
    vital_signs, adverse_event = crf_form_class("vital_signs")(), crf_form_class("adverse_event")()
    with translation.override("fr-ca"):
        assert str(vital_signs.fields["weight_kg"].label) == "Poids (kg)"
        assert str(vital_signs.fields["heart_rate_bpm"].label) == "Fréquence cardiaque (battements/min)"
        outcomes = {k: str(v) for k, v in adverse_event.fields["outcome"].choices}
        assert outcomes["recovered_with_sequelae"] == "rétabli avec séquelles"
    with translation.override("en"):
        assert str(vital_signs.fields["weight_kg"].label) == "Weight (kg)"


def test_sort_orders_and_filters_of_the_lists_are_french(users, allocation, client_for) -> None:  # type: ignore[no-untyped-def]
    randomised(users["coord"])
    site = client_for("coord").get("/site/", **FRENCH).text
    assert "Date de sélection, plus récente d’abord" in site and "Screening date, latest first" not in site
    assert '<option value="screen_failed" >non admissible à la sélection</option>' in site
    review = client_for("inv").get("/site/ae-review/", **FRENCH).text
    assert "Graves d’abord" in review and "Serious first" not in review


def test_notification_kinds_are_described_in_french(users, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for("coord").get("/account/notifications/", **FRENCH).text
    assert "Un événement indésirable grave est saisi dans mes sites" in page
    assert "A serious adverse event is entered" not in page


def test_a_service_refusal_is_in_the_readers_language(users) -> None:  # type: ignore[no-untyped-def]
    for language, text in (("fr-ca", "choisissez un mot de passe différent de l’actuel"),
                           ("en", "choose a password different from the current one")):
        with translation.override(language), pytest.raises(InputValidationError) as refused:
            change_own_password(user=users["coord"], current=PASSWORD, new=PASSWORD)
        assert refused.value.rule == text


def test_every_template_compiles() -> None:
    """A filter used without its library loaded (``{% load web_tags %}``) fails here, not on a page in use."""
    from pathlib import Path

    from django.template.loader import get_template

    import mescams.edc

    broken = {}
    for path in Path(mescams.edc.__file__).parent.rglob("templates/**/*.html"):
        name = "/".join(path.parts[path.parts.index("templates") + 1:])
        try:
            get_template(name)
        except Exception as exc:  # noqa: BLE001 - any failure to compile is what this test reports
            broken[name] = str(exc)
    assert broken == {}
