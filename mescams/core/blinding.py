"""Who may see what reveals allocation: the one blinding policy of the system.

MESCAMS is quadruple-blind (participant, care provider, investigator, outcomes assessor). A participant who uses
the participant portal signs in with the PARTICIPANT role: blinded like every participant, and seeing only their
own visits and reports (the portal never lists other people). Only the people who
must act on the allocation see it: the cell-processing lab (prepares MSC or placebo for a product code), the
unblinded statistician (generates the list, analyses) and the DSMB (judges safety by arm). Everyone else sees
the blinded product code only. The lab's cell counts and viability are allocation-revealing too (a placebo has
no cells), so they follow the same rule. An emergency unblinding reveals one participant's allocation to the one
investigator who asked, and to nobody else. The medical coder, who codes AE terms to MedDRA and medications to
WHODrug for every site, is blinded like the data manager.
investigator who asked, and to nobody else. The safety officer (pharmacovigilance) is blinded like everyone else
but may reveal the treatment behind one SUSAR candidate at a time (serious, related, unexpected: whether it must be
reported to Health Canada depends on it), each reveal recorded; sites and every other blinded role learn nothing
of it.

Every page, API route and export asks this object; nothing else in the system decides blinding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mescams.core.messages import MessageTemplate
from mescams.errors import BlindingViolation

__all__ = ["BLINDING_POLICY", "ROLE_NAMES", "BlindingPolicy", "Reveal", "Role", "RoleView"]


class Role(StrEnum):
    SITE_COORDINATOR = "site_coordinator"
    INVESTIGATOR = "investigator"
    EDSS_RATER = "edss_rater"
    MRI_READER = "mri_reader"
    CELL_LAB = "cell_lab"
    UNBLINDED_STATISTICIAN = "unblinded_statistician"
    DATA_MANAGER = "data_manager"
    DSMB = "dsmb"
    ADMINISTRATOR = "administrator"
    MEDICAL_CODER = "medical_coder"
    SAFETY_OFFICER = "safety_officer"
    MONITOR = "monitor"
    PARTICIPANT = "participant"

    @property
    def message(self) -> MessageTemplate:
        """The role's name as a message (id ``role.<value>``), translated where it is shown."""
        return ROLE_NAMES[self]

    @property
    def label(self) -> str:
        return ROLE_NAMES[self].english


ROLE_NAMES: dict[Role, MessageTemplate] = {
    role: MessageTemplate(f"role.{role.value}", english)
    for role, english in [
        (Role.SITE_COORDINATOR, "Site coordinator"),
        (Role.INVESTIGATOR, "Investigator"),
        (Role.EDSS_RATER, "EDSS rater (blinded)"),
        (Role.MRI_READER, "MRI reader (blinded)"),
        (Role.CELL_LAB, "Cell-processing lab (unblinded)"),
        (Role.UNBLINDED_STATISTICIAN, "Unblinded statistician"),
        (Role.DATA_MANAGER, "Data manager"),
        (Role.DSMB, "DSMB member"),
        (Role.ADMINISTRATOR, "Administrator"),
        (Role.MEDICAL_CODER, "Medical coder (blinded)"),
        (Role.SAFETY_OFFICER, "Safety officer (unblinded per SUSAR case)"),
        (Role.MONITOR, "Monitor (clinical research associate, blinded)"),
        (Role.PARTICIPANT, "Participant"),
    ]
}


class Reveal(StrEnum):
    """The kinds of allocation-revealing information."""

    SEQUENCE = "sequence"  # a participant's sequence (MSC-PLACEBO / PLACEBO-MSC)
    PRODUCT_TYPE = "product_type"  # MSC or placebo behind a product code
    CELL_COUNTS = "cell_counts"  # cells infused, cells/kg, viability: only the lab records them
    ALLOCATION_LIST = "allocation_list"  # the whole list and its seed
    ANALYSIS_EXPORT = "analysis_export"  # the analysis-data folder (carries sequence)
    ARM_SUMMARIES = "arm_summaries"  # counts, tables or charts by treatment
    CASE_TREATMENT = "case_treatment"  # the treatment behind one SUSAR candidate, revealed per case and recorded


@dataclass(frozen=True)
class RoleView:
    """What one role may see; ``site_bound`` roles see only their own sites' participants."""

    reveals: frozenset[Reveal]
    site_bound: bool
    may_request_emergency_unblinding: bool = False


@dataclass(frozen=True)
class BlindingPolicy:
    views: dict[Role, RoleView] = field(default_factory=dict)

    def view(self, role: Role | str) -> RoleView:
        return self.views[Role(role)]

    def may_see(self, role: Role | str, what: Reveal) -> bool:
        return what in self.view(role).reveals

    def is_blinded(self, role: Role | str) -> bool:
        """A role that may not see any participant's sequence."""
        return not self.may_see(role, Reveal.SEQUENCE)

    def require(self, role: Role | str, what: Reveal) -> None:
        """Raise BlindingViolation unless ``role`` may see ``what``; the message reveals nothing."""
        if not self.may_see(role, what):
            raise BlindingViolation(f"the role {Role(role).value} may not see {Reveal(what).value}")

    def roles_seeing(self, what: Reveal) -> list[Role]:
        return [r for r in Role if self.may_see(r, what)]

    @property
    def blinded_roles(self) -> list[Role]:
        return [r for r in Role if self.is_blinded(r)]


_NOTHING: frozenset[Reveal] = frozenset()
_LAB = frozenset({Reveal.SEQUENCE, Reveal.PRODUCT_TYPE, Reveal.CELL_COUNTS})
_EVERYTHING = frozenset(Reveal)

BLINDING_POLICY = BlindingPolicy(
    views={
        Role.SITE_COORDINATOR: RoleView(_NOTHING, site_bound=True),
        Role.INVESTIGATOR: RoleView(_NOTHING, site_bound=True, may_request_emergency_unblinding=True),
        Role.EDSS_RATER: RoleView(_NOTHING, site_bound=True),
        Role.MRI_READER: RoleView(_NOTHING, site_bound=False),
        Role.CELL_LAB: RoleView(_LAB, site_bound=False),
        Role.UNBLINDED_STATISTICIAN: RoleView(_EVERYTHING, site_bound=False),
        Role.DATA_MANAGER: RoleView(_NOTHING, site_bound=False),
        Role.DSMB: RoleView(_EVERYTHING - {Reveal.ALLOCATION_LIST}, site_bound=False),
        Role.ADMINISTRATOR: RoleView(_NOTHING, site_bound=False),
        Role.MEDICAL_CODER: RoleView(_NOTHING, site_bound=False),  # codes AE terms and medications, all sites
        Role.SAFETY_OFFICER: RoleView(frozenset({Reveal.CASE_TREATMENT}), site_bound=False),
        # the clinical research associate verifies source data at the sites assigned to it, blinded like the site
        Role.MONITOR: RoleView(_NOTHING, site_bound=True),
        Role.PARTICIPANT: RoleView(_NOTHING, site_bound=True),
    }
)
"""The policy. Changing who is unblinded is a change here, and nowhere else."""
