"""Edit checks: rules on saved data that do not refuse the save but raise a query for the site to resolve.

- ``ae_end_before_onset``: an adverse event ending before it began.
- ``edss_jump``: an EDSS step more than 2.0 away from the participant's previous assessment.
- ``mri_outside_window``: a scan dated outside its visit's window (also a protocol deviation).
"""

from __future__ import annotations

from typing import Any

from mescams.edc.queries.models import Query

EDSS_JUMP_LIMIT = 2.0


def _raise_query(record: Any, *, check: str, field: str, text: str) -> Query | None:
    exists = Query.objects.filter(participant_id=record.participant_id, form=record.form, record_id=str(record.pk),
                                  edit_check=check).exclude(status="closed").exists()
    if exists:
        return None
    query = Query(participant_id=record.participant_id, form=record.form, record_id=str(record.pk), field=field,
                  edit_check=check, text=text, opened_by="edit check")
    query.save()
    return query


def ae_end_before_onset(record: Any) -> Query | None:
    if record.end_date is not None and record.end_date < record.onset_date:
        return _raise_query(record, check="ae_end_before_onset", field="end_date",
                            text=f"AE end date {record.end_date} is before its onset {record.onset_date}; "
                                 "please correct")
    return None


def edss_jump(record: Any) -> Query | None:
    from mescams.edc.crfs.models import EdssAssessment

    if record.edss is None:
        return None
    previous = (EdssAssessment.objects.filter(participant_id=record.participant_id,
                                              assessment_date__lt=record.assessment_date, edss__isnull=False)
                .exclude(pk=record.pk).order_by("-assessment_date").first())
    if previous is not None and abs(record.edss - previous.edss) > EDSS_JUMP_LIMIT:
        return _raise_query(
            record, check="edss_jump", field="edss",
            text=f"EDSS {record.edss:g} differs by more than {EDSS_JUMP_LIMIT:g} from {previous.edss:g} on "
                 f"{previous.assessment_date}; please confirm the FS scores",
        )
    return None


def mri_outside_window(record: Any, window: Any) -> Query | None:
    return _raise_query(
        record, check="mri_outside_window", field="scan_date",
        text=f"scan date {record.scan_date} is outside the {record.visit_code} window "
             f"{window.window_start} to {window.window_end}; please confirm",
    )
