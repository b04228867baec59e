"""The staircase and the catalogue in Django's admin: read-mostly.

Interventions and steps are created and changed on the platform's own pages (or by a preset),
where the free text is checked for personal data; the admin shows them and can only take an
intervention out of use (or back in). Every change is an audit event (`AuditedAdmin`).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ssp.audit.admin import AuditedAdmin, ModelT
from ssp.prevention.forms import INTERVENTION_FIELDS
from ssp.prevention.models import (
    Activity,
    AnnualPlan,
    FocusArea,
    Intervention,
    Project,
    StaircaseStep,
)


@admin.register(StaircaseStep)
class StaircaseStepAdmin(AuditedAdmin[StaircaseStep]):
    list_display = ["municipality", "number", "goal", "level"]
    list_filter = ["municipality", "level"]
    ordering = ["municipality", "number"]
    readonly_fields = ["municipality", "number", "goal", "level"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # presets and the platform's pages create steps


@admin.register(Intervention)
class InterventionAdmin(AuditedAdmin[Intervention]):
    list_display = ["name", "municipality", "age_min", "age_max", "active"]
    list_filter = ["municipality", "active"]
    search_fields = ["name"]
    ordering = ["municipality", "name"]
    fields = INTERVENTION_FIELDS
    # Only "active" may be changed here: the text is checked for personal data on the pages.
    readonly_fields = tuple(name for name in INTERVENTION_FIELDS if name != "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # SSP staff create interventions on the platform's pages


class ReadOnlyPreventionAdmin(AuditedAdmin[ModelT]):
    """Focus areas, plans, activities and projects are kept on the platform's pages, where the
    text is checked for personal data and the decisions are linked; the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False


@admin.register(FocusArea)
class FocusAreaAdmin(ReadOnlyPreventionAdmin[FocusArea]):
    list_display = ["title", "municipality", "forum", "starts_on", "ends_on", "decided_at"]
    list_filter = ["municipality"]
    search_fields = ["title"]
    list_select_related = ["municipality", "forum"]


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyPreventionAdmin[AnnualPlan]):
    list_display = ["forum", "school_year", "status", "municipality"]
    list_filter = ["municipality", "status", "school_year"]
    list_select_related = ["forum", "municipality"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyPreventionAdmin[Activity]):
    list_display = ["title", "kind", "starts_on", "status", "municipality"]
    list_filter = ["municipality", "status", "kind"]
    search_fields = ["title"]
    list_select_related = ["municipality"]
    raw_id_fields = ["plan", "responsible", "unit", "focus_area", "intervention"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyPreventionAdmin[Project]):
    list_display = ["name", "municipality", "starts_on", "ends_on", "evaluated_at"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    list_select_related = ["municipality"]
