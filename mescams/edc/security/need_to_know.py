"""Least privilege: which kinds of participant data each role's work needs, read by the services and the API.

The blinding policy (:mod:`mescams.core.blinding`) says who may learn allocation; this table says who needs a
participant's data at all, so a role's API lists hold what its pages show and nothing more:

- the administrator manages accounts and sites: no participants (and so no queries, records or deviations);
- the MRI reader works from scan IDs alone: no participants;
- the cell-processing lab prepares products for participants' visits: participants, but not queries, deviations
  or why someone left the trial;
- the blinded EDSS rater assesses participants: participants and the queries on its own forms, but not protocol
  deviations nor withdrawal and screen-failure reasons (which could hint at side effects, and so at treatment);
- a participant (portal) sees only their own visits and reports, served by the portal from their account: no
  participant lists at all;
- the medical coder codes verbatim terms from its own queue: no participant lists, queries or reasons;
- the safety officer works on serious adverse events from its own pages (the SUSAR cases): no participant lists;
- site staff, the monitor (at its sites), the data manager, the unblinded statistician and the DSMB see what
  their work is about.

The access matrix (``tests/integration/edc/reliability/test_access_matrix.py``) checks every role's lists against it.
"""

from __future__ import annotations

from enum import StrEnum

from mescams.core.blinding import Role

__all__ = ["NEED_TO_KNOW", "ParticipantData", "needs"]


class ParticipantData(StrEnum):
    """Kinds of participant data a role may or may not need."""

    PARTICIPANTS = "participants"  # the list, their status and records
    QUERIES = "queries"  # data queries and their answers
    DEVIATIONS = "deviations"  # protocol deviations
    REASONS = "reasons"  # withdrawal reasons and failed screening criteria


_ALL = frozenset(ParticipantData)
NEED_TO_KNOW: dict[Role, frozenset[ParticipantData]] = {
    Role.SITE_COORDINATOR: _ALL,
    Role.INVESTIGATOR: _ALL,
    Role.EDSS_RATER: frozenset({ParticipantData.PARTICIPANTS, ParticipantData.QUERIES}),
    Role.MRI_READER: frozenset(),
    Role.CELL_LAB: frozenset({ParticipantData.PARTICIPANTS}),
    Role.UNBLINDED_STATISTICIAN: _ALL - {ParticipantData.QUERIES},
    Role.DATA_MANAGER: _ALL,
    Role.DSMB: _ALL - {ParticipantData.QUERIES},
    Role.ADMINISTRATOR: frozenset(),
    Role.PARTICIPANT: frozenset(),
    Role.MEDICAL_CODER: frozenset(),  # works from the coding queue (verbatim, form, participant ID), not the lists
    Role.SAFETY_OFFICER: frozenset(),
    Role.MONITOR: _ALL,  # verifies everything recorded at its sites against the source, and raises queries
}
"""Role -> the kinds of participant data its work needs (a role missing here needs nothing)."""


def needs(role: Role | str, data: ParticipantData) -> bool:
    """Whether ``role``'s work needs ``data``."""
    return data in NEED_TO_KNOW.get(Role(role), frozenset())
