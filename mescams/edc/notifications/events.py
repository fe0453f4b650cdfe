"""The events that notify: each names who is told and says what happened in words, with the page to open."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.i18n.labels import FORM_TITLES, field_label
from mescams.edc.notifications.services import notify, site_staff


def _form(form: str) -> str:
    """The form's title in the active language (the recipient's, inside ``notify``'s compose)."""
    return str(FORM_TITLES.get(form) or form.replace("_", " "))


def query_raised(query: Any) -> None:
    """The site (and the EDSS rater, for a query on its form) is told a query waits for an answer."""
    p = query.participant
    roles = (Role.SITE_COORDINATOR.value, Role.INVESTIGATOR.value) + (
        (Role.EDSS_RATER.value,) if query.form == "edss" else ())

    def compose() -> tuple[str, str]:
        where = _form(query.form) if not query.field else gettext("%(form)s, field %(field)s") % {
            "form": _form(query.form), "field": field_label(query.field)}
        values = {"pk": query.pk, "participant_id": p.participant_id, "opener": query.opened_by, "where": where}
        return (gettext("Query %(pk)s on %(participant_id)s") % values,
                gettext("%(opener)s raised query %(pk)s on %(participant_id)s (%(where)s).\n"
                        "Answer it from your query inbox: /site/queries/") % values)

    notify("query_raised", site_staff(p.site_id, *roles), compose)


def query_answered(query: Any) -> None:
    """Whoever raised the query is told it has an answer."""
    opener = get_user_model().objects.filter(username=query.opened_by, is_active=True)

    def compose() -> tuple[str, str]:
        values = {"pk": query.pk, "participant_id": query.participant.participant_id,
                  "who": query.answered_by or gettext("The site"), "form": _form(query.form)}
        return (gettext("Query %(pk)s on %(participant_id)s answered") % values,
                gettext("%(who)s answered query %(pk)s on %(participant_id)s (%(form)s). Review it and close it or "
                        "ask more.") % values)

    notify("query_answered", opener, compose)


def serious_ae_entered(participant: Any, event: Any) -> None:
    """The site's investigators (and coordinators who chose it) are told of a serious adverse event."""
    def compose() -> tuple[str, str]:
        values = {"participant_id": participant.participant_id, "ae_number": event.ae_number,
                  "onset": event.onset_date}
        return (gettext("Serious adverse event: %(participant_id)s") % values,
                gettext("A serious adverse event (AE %(ae_number)s, onset %(onset)s) was entered for "
                        "%(participant_id)s. Assess causality at /site/ae-review/?serious=yes ; report to the sponsor "
                        "within the expedited timelines.") % values)

    notify("serious_ae", site_staff(participant.site_id), compose)


def casebook_needs_signature(participant: Any, why: str) -> None:
    """The site's investigators are told a casebook waits for their signature."""
    def compose() -> tuple[str, str]:
        values = {"participant_id": participant.participant_id, "why": why}
        return (gettext("Casebook %(participant_id)s needs your signature") % values,
                gettext("The casebook of %(participant_id)s needs your signature: %(why)s. "
                        "Sign it at /site/p/%(participant_id)s/#casebook") % values)

    notify("signature_requested", site_staff(participant.site_id, Role.INVESTIGATOR.value), compose)
