"""Administration of the organisation (units, fora, members, memberships) in Django's admin.

Every change made here is an audit event, written in the admin's transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from ssp.audit.services import record_event
from ssp.organisation.models import (
    Forum,
    Member,
    Membership,
    Municipality,
    PoliceDistrict,
    SchoolDistrict,
    Seat,
    Unit,
)


def _municipality_id(obj: Model) -> int | None:
    if isinstance(obj, Municipality):
        return obj.pk
    return getattr(obj, "municipality_id", None)


def _action(obj: Model, verb: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}_{verb}"


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action=_action(obj, "changed" if change else "created"),
            obj=obj,
            municipality_id=_municipality_id(obj),
            data={"fields": sorted(form.changed_data)},
            request=request,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        touched = [(obj, "created") for obj in formset.new_objects]
        touched += [(obj, "changed") for obj, _fields in formset.changed_objects]
        touched += [(obj, "deleted") for obj in formset.deleted_objects]
        for obj, verb in touched:
            record_event(
                actor=request.user,
                action=_action(obj, verb),
                obj=obj,
                municipality_id=_municipality_id(form.instance),
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_event(
            actor=request.user,
            action=_action(obj, "deleted"),
            obj=obj,
            municipality_id=_municipality_id(obj),
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            record_event(
                actor=request.user,
                action=_action(obj, "deleted"),
                obj=obj,
                municipality_id=_municipality_id(obj),
                request=request,
            )
        super().delete_queryset(request, queryset)


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "role", "has_vote", "seat", "start_date", "end_date"]


@admin.register(PoliceDistrict)
class PoliceDistrictAdmin(AuditedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["name", "police_district", "target_age_min", "target_age_max", "preset"]
    search_fields = ["name"]
    list_filter = ["police_district"]


@admin.register(SchoolDistrict)
class SchoolDistrictAdmin(AuditedAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "sector", "school_district", "municipality"]
    list_filter = ["municipality", "kind", "sector"]
    search_fields = ["name"]
    autocomplete_fields = ["ssp_contact"]


@admin.register(Forum)
class ForumAdmin(AuditedAdmin):
    list_display = ["name", "forum_type", "level", "cadence", "parent", "municipality"]
    list_filter = ["municipality", "police_district", "forum_type", "level", "cadence"]
    search_fields = ["name", "key"]
    inlines = [SeatInline, MembershipInline]


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            # No one raises their own access: another administrator must do it.
            return (*fields, "access_role", "is_authority", "user", "municipality")
        return fields

    list_display = [
        "name",
        "title",
        "unit",
        "sector",
        "access_role",
        "is_authority",
        "municipality",
    ]
    list_filter = ["municipality", "sector", "access_role", "is_authority"]
    search_fields = ["name", "title", "email"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["member", "forum", "role", "has_vote", "start_date", "end_date"]
    list_filter = ["role", "has_vote", "forum__municipality"]
    search_fields = ["member__name", "forum__name"]
    autocomplete_fields = ["member", "forum"]
