"""eCRF routes, one set per form, with shapes built from the models (so the OpenAPI schema names every field).

``GET    /api/participants/{id}/forms/{form}``          the participant's records of that form
``POST   /api/participants/{id}/forms/{form}``          enter a record (validated, audited, window-checked)
``GET    /api/participants/{id}/forms/{form}/{record}`` one record
``PUT    /api/participants/{id}/forms/{form}/{record}`` change it: ``{"reason": ..., "values": {...}}``

A refused submit answers 422 with every failure in ``failures`` (check, field, message, severity, confirmable);
sending the same body again with ``confirm_checks`` (the soft ones' ids) and a ``reason`` saves it.
A second entry of a single form (one per visit, say) is answered 409 with the existing record's URL.
A save that would move the dose basis once the lab has prepared a product is refused (422 naming the field) unless
an investigator sends ``"confirm_dose_change": true`` with a ``reason``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.orm import create_schema
from pydantic import ConfigDict, create_model

from mescams.core.blinding import BLINDING_POLICY, Reveal
from mescams.edc.api.participants import ERRORS
from mescams.edc.api.schemas import SiteTime
from mescams.edc.crfs.access import READ, WRITE, may_read
from mescams.edc.crfs.models import FORMS, ParticipantRecord
from mescams.edc.crfs.services import editable_fields, save_form
from mescams.edc.trial.services import Forbidden, NotFound, get_visible_participant

LAB_ONLY = ("cells_infused", "viability_percent", "cells_per_kg")
CONFIRMING: dict[str, Any] = {
    "confirm_checks": (list[str], Field(default_factory=list, max_length=20,
                                        description="soft edit checks confirmed with the reason (ids from a 422)")),
    "confirm_dose_change": (bool, Field(False, description=(
        "the investigator confirms a change of the dose basis (weight at randomisation) after the lab has prepared "
        "a product; needs a reason"))),
}
"""What a submit may add beside the form's values: the soft checks the person confirms and the investigator's
confirmation of a change of the dose basis, each with the ``reason`` typed by that person."""
BESIDE_VALUES = ("reason", *CONFIRMING)


class _NoUnknownFields(Schema):
    """A body naming a field the form does not enter (a derived one such as ``related``) is refused (422 naming it),
    never silently ignored: the sender would believe it stored."""

    model_config = ConfigDict(extra="forbid")


def record_out(record: ParticipantRecord, user: Any) -> dict[str, Any]:
    """A record as ``user`` may see it: the lab's cell counts are blanked for roles that may not see them."""
    out: dict[str, Any] = {"id": record.pk, "participant_id": record.participant.participant_id}
    for f in record._meta.concrete_fields:
        if f.name in ("id", "participant"):
            continue
        out[f.name] = getattr(record, f.attname)
    if not BLINDING_POLICY.may_see(user.role, Reveal.CELL_COUNTS):
        for name in LAB_ONLY:
            if name in out:
                out[name] = None
    if record.form == "mri" and not BLINDING_POLICY.may_see(user.role, Reveal.ARM_SUMMARIES):
        out.pop("read_by", None)
    return out


def _output_schema(model: type[ParticipantRecord]) -> type[Schema]:
    base = create_schema(model, name=f"{model.__name__}Out", exclude=["participant"],
                         optional_fields="__all__")  # type: ignore[arg-type]  # "__all__" is documented; not annotated
    # JSON fields hold lists as well as objects (criteria, serious_criteria): declare them as any JSON value
    json_fields: dict[str, Any] = {f.name: (Any, None) for f in model._meta.concrete_fields
                                   if f.get_internal_type() == "JSONField"}
    # times of day are site wall-clock times without an offset, not RFC 3339 full times (see SiteTime)
    time_fields: dict[str, Any] = {f.name: (SiteTime | None, None) for f in model._meta.concrete_fields
                                   if f.get_internal_type() == "TimeField"}
    return create_model(f"{model.__name__}Record", __base__=base, participant_id=(str, ...), **json_fields,
                        **time_fields)


def _register(router: Router, form: str, model: type[ParticipantRecord]) -> None:
    out_schema = _output_schema(model)
    fields = editable_fields(model)
    if form in WRITE:
        # Beside the values: the reason (required to change; on a new record, for a causality, confirmed soft checks
        # or a confirmed change of the dose basis) and the confirmations.
        in_schema = create_model(f"{model.__name__}In",
                                 __base__=(create_schema(model, name=f"{model.__name__}Values", fields=fields),
                                           _NoUnknownFields),
                                 reason=(str, Field("", max_length=2000)), **CONFIRMING)
        partial = create_model(f"{model.__name__}Changes", __base__=(
            create_schema(model, name=f"{model.__name__}ChangedValues", fields=fields,
                          optional_fields="__all__"),  # type: ignore[arg-type]  # documented value, not annotated
            _NoUnknownFields))
        update_schema = create_model(f"{model.__name__}Update", __base__=Schema,
                                     reason=(str, Field(min_length=1, max_length=2000)), values=(partial, ...),
                                     **CONFIRMING)

        def create(request: Any, participant_id: str, body: Any) -> Any:
            record = save_form(user=request.user, participant_id=participant_id, form=form,
                               values=body.dict(exclude=set(BESIDE_VALUES)),  # type: ignore[attr-defined]
                               reason=body.reason, confirm_checks=body.confirm_checks,  # type: ignore[attr-defined]
                               confirm_dose_change=body.confirm_dose_change)  # type: ignore[attr-defined]
            return Status(201, record_out(record, request.user))

        def update(request: Any, participant_id: str, record_id: int, body: Any) -> Any:
            values = body.values.dict(exclude_unset=True)  # type: ignore[attr-defined]
            record = save_form(user=request.user, participant_id=participant_id, form=form, values=values,
                               record_pk=record_id, reason=body.reason,  # type: ignore[attr-defined]
                               confirm_checks=body.confirm_checks,  # type: ignore[attr-defined]
                               confirm_dose_change=body.confirm_dose_change)  # type: ignore[attr-defined]
            return record_out(record, request.user)

        # The body types are built at run time, so they are set here rather than written in the signatures.
        create.__annotations__.update(request=Any, participant_id=str, body=in_schema)
        update.__annotations__.update(request=Any, participant_id=str, record_id=int, body=update_schema)
        router.post(f"/{{participant_id}}/forms/{form}", response={201: out_schema, **ERRORS},
                    operation_id=f"create_{form}", summary=f"Enter a {form} record")(create)
        router.put(f"/{{participant_id}}/forms/{form}/{{record_id}}", response={200: out_schema, **ERRORS},
                   operation_id=f"update_{form}", summary=f"Change a {form} record (reason required)")(update)

    def list_records(request: Any, participant_id: str) -> Any:
        if not may_read(request.user.role, form):
            raise Forbidden(gettext("the role %(role)s may not read the form %(form)s") % {
                "role": request.user.role, "form": form})
        participant = get_visible_participant(request.user, participant_id)
        records = model.objects.filter(participant=participant).select_related("participant").order_by(
            "visit_code", "created_at", "pk")
        return [record_out(r, request.user) for r in records]

    def get_record(request: Any, participant_id: str, record_id: int) -> Any:
        if not may_read(request.user.role, form):
            raise Forbidden(gettext("the role %(role)s may not read the form %(form)s") % {
                "role": request.user.role, "form": form})
        participant = get_visible_participant(request.user, participant_id)
        record = model.objects.filter(participant=participant, pk=record_id).first() if 0 < record_id < 2**63 \
            else None
        if record is None:
            raise NotFound(gettext("%(form)s record %(record_id)s not found") % {"form": form, "record_id": record_id})
        return record_out(record, request.user)

    list_records.__annotations__.update(request=Any, participant_id=str)
    get_record.__annotations__.update(request=Any, participant_id=str, record_id=int)
    router.get(f"/{{participant_id}}/forms/{form}", response={200: list[out_schema], **ERRORS},  # type: ignore[valid-type]
               operation_id=f"list_{form}", summary=f"The participant's {form} records")(list_records)
    router.get(f"/{{participant_id}}/forms/{form}/{{record_id}}", response={200: out_schema, **ERRORS},
               operation_id=f"get_{form}", summary=f"One {form} record", url_name=record_url_name(form))(get_record)


def record_url_name(form: str) -> str:
    """The URL name of one record's route (``reverse("mescams_api:" + record_url_name(form), ...)``)."""
    return f"{form}_record"


def build_router() -> Router:
    """The form routes of every readable eCRF (built on demand, not at import)."""
    router = Router(tags=["forms"])
    for form, model in FORMS.items():
        if form in READ:
            _register(router, form, model)
    return router
