"""Which participants a user may see: those of the user's sites for site-bound roles, all for the others, none for a
role whose work needs no participant. Every service that names a participant looks it up here.

Its own module so that consent (:mod:`mescams.edc.trial.consent`) and the other participant services
(:mod:`mescams.edc.trial.services`, which re-exports these names) both build on it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.edc.security.need_to_know import ParticipantData, needs
from mescams.edc.security.roles import NotFound
from mescams.edc.trial.models import Participant

__all__ = ["SITE_ROLES", "get_visible_participant", "visible_participants"]

SITE_ROLES = {Role.SITE_COORDINATOR, Role.INVESTIGATOR}


def visible_participants(user: Any) -> QuerySet[Participant]:
    """Participants of the user's sites for site-bound roles; all participants otherwise; none for a role whose work
    needs no participant (the MRI reader, the administrator: see :mod:`mescams.edc.security.need_to_know`)."""
    qs = Participant.objects.select_related("site").order_by("participant_id")
    if not needs(user.role, ParticipantData.PARTICIPANTS):
        return qs.none()
    if BLINDING_POLICY.view(user.role).site_bound:
        qs = qs.filter(site__in=user.sites.all())
    return qs


def get_visible_participant(user: Any, participant_id: str, *, for_update: bool = False) -> Participant:
    qs = visible_participants(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(participant_id=participant_id).first()
    if found is None:
        raise NotFound(gettext("participant %(participant_id)s not found") % {"participant_id": participant_id})
    return found
