"""The audited admin: every change made in Django's admin is an audit event in its transaction.

The event names the model (`object_type`) and the record by `label:pk`, never by its display
name, so no child's name reaches the audit trail through the admin.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event

ModelT = TypeVar("ModelT", bound=Model)

MUNICIPALITY_LABEL = "organisation.municipality"


def _municipality_id(obj: Model) -> int | None:
    """The municipality an administered record belongs to, for the supervision pages."""
    if obj._meta.label_lower == MUNICIPALITY_LABEL:
        return int(obj.pk)
    municipality_id = getattr(obj, "municipality_id", None)
    return municipality_id if isinstance(municipality_id, int) else None


class AuditedAdmin(admin.ModelAdmin[ModelT]):
    """A ModelAdmin whose saves and deletes write audit events (label:pk, never a name)."""

    def save_model(
        self, request: HttpRequest, obj: ModelT, form: ModelForm[ModelT], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action=AuditAction.ADMIN_CHANGED if change else AuditAction.ADMIN_CREATED,
            obj=obj,
            municipality_id=_municipality_id(obj),
            data={"fields": sorted(form.changed_data)},
            request=request,
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[ModelT],
        formset: BaseModelFormSet[Any, Any],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        touched = [(obj, AuditAction.ADMIN_CREATED) for obj in formset.new_objects]
        touched += [(obj, AuditAction.ADMIN_CHANGED) for obj, _fields in formset.changed_objects]
        touched += [(obj, AuditAction.ADMIN_DELETED) for obj in formset.deleted_objects]
        for obj, action in touched:
            record_event(
                actor=request.user,
                action=action,
                obj=obj,
                municipality_id=_municipality_id(form.instance),
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: ModelT) -> None:
        record_event(
            actor=request.user,
            action=AuditAction.ADMIN_DELETED,
            obj=obj,
            municipality_id=_municipality_id(obj),
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelT]) -> None:
        for obj in queryset:
            record_event(
                actor=request.user,
                action=AuditAction.ADMIN_DELETED,
                obj=obj,
                municipality_id=_municipality_id(obj),
                request=request,
            )
        super().delete_queryset(request, queryset)
