"""The events that notify: each names who is told and says what happened in words, with the page to open."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from mescams.core.blinding import Role
from mescams.edc.notifications.services import notify, site_staff

FORM_WORDS = {"vital_signs": "vital signs", "adverse_event": "adverse event", "safety_lab": "safety laboratory",
              "conmed": "concomitant medication", "edss": "EDSS", "mri": "MRI scan"}


def _form(form: str) -> str:
    return FORM_WORDS.get(form, form.replace("_", " "))


def query_raised(query: Any) -> None:
    """The site (and the EDSS rater, for a query on its form) is told a query waits for an answer."""
    p = query.participant
    roles = (Role.SITE_COORDINATOR.value, Role.INVESTIGATOR.value) + (
        (Role.EDSS_RATER.value,) if query.form == "edss" else ())
    where = _form(query.form) + (f", field {query.field.replace('_', ' ')}" if query.field else "")
    notify("query_raised", site_staff(p.site_id, *roles), f"Query {query.pk} on {p.participant_id}",
           f"{query.opened_by} raised query {query.pk} on {p.participant_id} ({where}).\n"
           "Answer it from your query inbox: /site/queries/")


def query_answered(query: Any) -> None:
    """Whoever raised the query is told it has an answer."""
    opener = get_user_model().objects.filter(username=query.opened_by, is_active=True)
    notify("query_answered", opener, f"Query {query.pk} on {query.participant.participant_id} answered",
           f"{query.answered_by or 'The site'} answered query {query.pk} on {query.participant.participant_id} "
           f"({_form(query.form)}). Review it and close it or ask more.")


def serious_ae_entered(participant: Any, event: Any) -> None:
    """The site's investigators (and coordinators who chose it) are told of a serious adverse event."""
    notify("serious_ae", site_staff(participant.site_id), f"Serious adverse event: {participant.participant_id}",
           f"A serious adverse event (AE {event.ae_number}, onset {event.onset_date}) was entered for "
           f"{participant.participant_id}. Assess causality at /site/ae-review/?serious=yes ; report to the sponsor "
           "within the expedited timelines.")


def casebook_needs_signature(participant: Any, why: str) -> None:
    """The site's investigators are told a casebook waits for their signature."""
    notify("signature_requested", site_staff(participant.site_id, Role.INVESTIGATOR.value),
           f"Casebook {participant.participant_id} needs your signature",
           f"The casebook of {participant.participant_id} needs your signature: {why}. "
           f"Sign it at /site/p/{participant.participant_id}/#casebook")
