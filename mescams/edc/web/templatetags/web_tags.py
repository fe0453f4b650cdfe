"""Template helpers: the navigation of each role, labels of roles, forms and visit states."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_noop

from mescams.core.blinding import Role
from mescams.edc.coding.notes import in_reader_language
from mescams.edc.i18n.labels import (
    CODED_ENTRY_TITLES,
    FORM_TITLES,
    VALUE_LABELS,
    state_label,
    value_label,
    value_labels,
)
from mescams.edc.i18n.languages import LANGUAGES
from mescams.edc.i18n.messages import render as render_message
from mescams.edc.web.forms import field_label_in, label_of
from mescams.edc.web.numbers import scientific
from mescams.edc.web.plain_words import criterion_text, plain_reason
from mescams.protocols import default_protocol

register = template.Library()

_SITE_WORK = [
    (gettext_noop("Participants"), "web:site_dashboard"),
    (gettext_noop("Visit calendar"), "web:visit_calendar"),
    (gettext_noop("Pre-screening"), "web:prescreening"),
    (gettext_noop("Consent and screen"), "web:screen"),
    (gettext_noop("Electronic consent"), "econsent:start"),
    (gettext_noop("Re-consent"), "web:reconsent_due"),
]
_SITE_QUERIES = (gettext_noop("Queries"), "web:site_queries")
_OVERSIGHT = [
    (gettext_noop("Overview"), "web:oversight"),
    (gettext_noop("Safety"), "web:oversight_safety"),
    (gettext_noop("Lesions"), "web:oversight_lesions"),
    (gettext_noop("Reports"), "web:oversight_reports"),
]

NAV: dict[Role, list[tuple[str, str]]] = {
    Role.SITE_COORDINATOR: [*_SITE_WORK, _SITE_QUERIES],
    Role.INVESTIGATOR: [*_SITE_WORK, (gettext_noop("AE review"), "web:ae_review"), _SITE_QUERIES],
    Role.EDSS_RATER: [
        (gettext_noop("EDSS assessments"), "web:rater_home"),
        (gettext_noop("Queries"), "web:rater_queries"),
    ],
    Role.MRI_READER: [
        (gettext_noop("Scans"), "web:mri_scans"),
    ],
    Role.CELL_LAB: [
        (gettext_noop("Worklist"), "web:lab_worklist"),
        (gettext_noop("Accountability"), "web:lab_accountability"),
    ],
    Role.DATA_MANAGER: [
        (gettext_noop("Queries"), "web:dm_queries"),
        (gettext_noop("Entry status"), "web:dm_status"),
        (gettext_noop("Missing data"), "web:dm_missing"),
        (gettext_noop("Audit trail"), "web:dm_audit"),
        (gettext_noop("Locks"), "web:dm_locks"),
        (gettext_noop("Access log"), "web:dm_access_log"),
        (gettext_noop("Consent documents"), "econsent:documents"),
    ],
    Role.UNBLINDED_STATISTICIAN: _OVERSIGHT,
    Role.DSMB: _OVERSIGHT,
    Role.ADMINISTRATOR: [
        (gettext_noop("Administration"), "admin:index"),
    ],
    Role.MEDICAL_CODER: [
        (gettext_noop("Coding"), "web:coding_queue"),
    ],
    Role.SAFETY_OFFICER: [
        (gettext_noop("SUSAR cases"), "web:safety_dashboard"),
    ],
    Role.MONITOR: [
        (gettext_noop("Participants"), "web:monitor_home"),
        (gettext_noop("Queries"), "web:monitor_queries"),
        (gettext_noop("Monitoring visits"), "web:monitor_visits"),
    ],
}


@register.simple_tag(takes_context=True)
def nav_links(context: Any) -> list[tuple[str, str]]:
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return [(gettext(label), reverse(name)) for label, name in NAV.get(Role(user.role), [])]


@register.simple_tag(takes_context=True)
def role_label(context: Any) -> str:
    user = context["request"].user
    return render_message(Role(user.role).message()) if user.is_authenticated else ""


@register.filter
def coding_note(stored: str) -> str:
    """The autocoder's stored (English) note on a term, in the reader's language."""
    return in_reader_language(stored)


@register.filter
def form_title(name: str) -> str:
    return FORM_TITLES.get(name) or CODED_ENTRY_TITLES.get(name) or label_of(name)


@register.filter
def field_label(name: str) -> str:
    return label_of(name)


register.filter("state_label", state_label)
register.filter("value_label", lambda value: str(value_label(value)))
register.filter("value_labels", value_labels)


@register.filter
def visit_name(code: str) -> str:
    """A visit's name in the reader's language, as the protocol file declares it (``names``), else its English."""
    visit = next((v for v in default_protocol().visits if v.code == code), None)
    if visit is None:
        return str(code)
    return visit.names.get(get_language() or "", visit.name)


@register.filter
def record_value(value: Any) -> Any:
    """A record's value in the reader's language: yes/no, a coded value's label; numbers and dates as they are (the
    template localises them: 2,5 in French)."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str):
        return str(VALUE_LABELS.get(value, value))
    return value


@register.filter
def message(domain_message: Any) -> str:
    """A core domain message (mescams.core.messages) in the reader's language."""
    return render_message(domain_message)


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


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """The EDC's languages, each named in itself (the switch speaks to someone who may not read the current one)."""
    return LANGUAGES
