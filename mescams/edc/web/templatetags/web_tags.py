"""Template helpers: the navigation of each role, labels of roles, forms and visit states."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from mescams.core.blinding import Role
from mescams.edc.web.forms import FORM_TITLES, field_label_in, label_of
from mescams.edc.web.numbers import scientific
from mescams.edc.web.plain_words import criterion_text, plain_reason

register = template.Library()

NAV: dict[Role, list[tuple[str, str]]] = {
    Role.SITE_COORDINATOR: [("Participants", "web:site_dashboard"), ("Visit calendar", "web:visit_calendar"),
                            ("Pre-screening", "web:prescreening"),
                            ("Consent and screen", "web:screen"), ("Re-consent", "web:reconsent_due"),
                            ("Queries", "web:site_queries")],
    Role.INVESTIGATOR: [("Participants", "web:site_dashboard"), ("Visit calendar", "web:visit_calendar"),
                        ("Pre-screening", "web:prescreening"),
                        ("Consent and screen", "web:screen"), ("Re-consent", "web:reconsent_due"),
                        ("AE review", "web:ae_review"), ("Queries", "web:site_queries")],
    Role.EDSS_RATER: [("EDSS assessments", "web:rater_home"), ("Queries", "web:rater_queries")],
    Role.MRI_READER: [("Scans", "web:mri_scans")],
    Role.CELL_LAB: [("Worklist", "web:lab_worklist"), ("Accountability", "web:lab_accountability")],
    Role.DATA_MANAGER: [("Queries", "web:dm_queries"), ("Entry status", "web:dm_status"),
                        ("Missing data", "web:dm_missing"), ("Audit trail", "web:dm_audit"), ("Locks", "web:dm_locks"),
                        ("Access log", "web:dm_access_log")],
    Role.UNBLINDED_STATISTICIAN: [("Overview", "web:oversight"), ("Safety", "web:oversight_safety"),
                                  ("Lesions", "web:oversight_lesions"), ("Reports", "web:oversight_reports")],
    Role.DSMB: [("Overview", "web:oversight"), ("Safety", "web:oversight_safety"),
                ("Lesions", "web:oversight_lesions"), ("Reports", "web:oversight_reports")],
    Role.ADMINISTRATOR: [("Administration", "admin:index")],
    Role.MEDICAL_CODER: [("Coding", "web:coding_queue")],
    Role.SAFETY_OFFICER: [("SUSAR cases", "web:safety_dashboard")],
    Role.MONITOR: [("Participants", "web:monitor_home"), ("Queries", "web:monitor_queries"),
                   ("Monitoring visits", "web:monitor_visits")],
}


@register.simple_tag(takes_context=True)
def nav_links(context: Any) -> list[tuple[str, str]]:
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return [(label, reverse(name)) for label, name in NAV.get(Role(user.role), [])]


@register.simple_tag(takes_context=True)
def role_label(context: Any) -> str:
    user = context["request"].user
    return Role(user.role).label if user.is_authenticated else ""


@register.filter
def form_title(name: str) -> str:
    return FORM_TITLES.get(name, label_of(name))


@register.filter
def field_label(name: str) -> str:
    return label_of(name)


@register.filter
def state_label(state: str) -> str:
    return str(state).replace("_", " ")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def sci(value: Any) -> str:
    """A cell count as people write it: three significant figures times a power of ten (1.07 × 10⁸); numbers
    under 10,000 plainly (0.95)."""
    if value is None or value == "":
        return ""
    return scientific(float(value))


@register.filter
def reason_in_words(reason: str) -> str:
    """An eligibility reason without internal names (see :mod:`mescams.edc.web.plain_words`)."""
    return plain_reason(str(reason))


@register.filter
def criterion_words(criterion_id: str) -> str:
    """The protocol's text of a criterion."""
    return criterion_text(str(criterion_id))


@register.filter
def query_target(q: Any) -> str:
    """Where a query points, in words: 'Vital signs and weight: Weight (kg)'."""
    form = FORM_TITLES.get(q.form, label_of(q.form))
    return f"{form}: {field_label_in(q.form, q.field)}" if q.field else form


@register.simple_tag(takes_context=True)
def query_link(context: Any, q: Any) -> str:
    """The address of the queried value for this user: the record's form at the field (site roles and the EDSS
    rater, who correct it there), the record's audit trail (data manager); "" when there is no record to open."""
    role = Role(context["request"].user.role)
    if not q.record_id or not str(q.record_id).isdigit():
        return ""
    if role in (Role.SITE_COORDINATOR, Role.INVESTIGATOR) or (role is Role.EDSS_RATER and q.form == "edss"):
        url = reverse("web:crf_edit", args=[q.participant.participant_id, q.form, int(q.record_id)])
        return f"{url}#id_{q.field}" if q.field else url
    if role is Role.DATA_MANAGER:
        return f"{reverse('web:dm_audit')}?participant={q.participant.participant_id}&form={q.form}"
    return ""
