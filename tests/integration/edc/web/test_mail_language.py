"""Every e-mail is written in its recipient's language (the account's choice, else the deployment's default),
whoever caused it and whatever language their own page was in; every sender goes through the one helper."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import translation

import mescams.edc
from mescams.edc.i18n.mail import language_of
from mescams.edc.notifications.events import serious_ae_entered
from mescams.edc.notifications.services import set_choices
from mescams.edc.trial.models import Participant
from tests.factories.edc import randomised

EDC = Path(mescams.edc.__file__).parent


@pytest.fixture()
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    return mail.outbox


def test_a_notification_goes_to_each_person_in_their_own_language(
        users, allocation, mailbox, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    coord, investigator = users["coord"], users["inv"]
    coord.email, coord.language = "coord@example.org", "fr-ca"
    investigator.email, investigator.language = "inv@example.org", ""  # never chose: the default language
    for person in (coord, investigator):
        person.save()
        set_choices(user=person, kinds=["serious_ae"])
    participant = Participant.objects.get(participant_id=randomised(coord))
    event = SimpleNamespace(ae_number=1, onset_date=dt.date(2016, 2, 3))  # the two values the mail names
    with translation.override("fr-ca"), django_capture_on_commit_callbacks(execute=True):
        serious_ae_entered(participant, event)
    by_address = {m.to[0]: m for m in mailbox}
    french, english = by_address["coord@example.org"], by_address["inv@example.org"]
    assert french.subject == f"[MESCAMS] Événement indésirable grave : {participant.participant_id}"
    assert "Un événement indésirable grave (EI 1, début le 2016-02-03)" in french.body
    assert "Vous avez choisi cette notification" in french.body
    assert english.subject == f"[MESCAMS] Serious adverse event: {participant.participant_id}"
    assert "You chose this notification" in english.body and "Vous" not in english.body


def test_the_language_of_a_person_falls_back_to_the_default(settings) -> None:
    settings.LANGUAGE_CODE = "en"
    assert language_of(SimpleNamespace(language="fr-ca")) == "fr-ca"
    assert language_of(SimpleNamespace(language="")) == "en"
    assert language_of(SimpleNamespace(language="de")) == "en"  # a language the EDC lacks
    settings.LANGUAGE_CODE = "fr-ca"
    assert language_of(SimpleNamespace(language="")) == "fr-ca"


def test_every_sender_goes_through_the_language_helper() -> None:
    """Django's send_mail is called in one place only, the helper that sets the recipient's language."""
    callers = sorted(str(p.relative_to(EDC)) for p in EDC.rglob("*.py")
                     if re.search(r"\b(send_mail|send_mass_mail|EmailMessage)\(", p.read_text(encoding="utf-8")))
    assert callers == ["i18n/mail.py"]
