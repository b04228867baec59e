"""The staircase and the catalogue in Django's admin: read-mostly.

Interventions and steps are created and changed on the platform's own pages (or by a preset),
where the free text is checked for personal data; the admin shows them and can only take an
intervention out of use (or back in). Every change is an audit event (`AuditedAdmin`).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ssp.audit.admin import AuditedAdmin
from ssp.prevention.forms import INTERVENTION_FIELDS
from ssp.prevention.models import Intervention, StaircaseStep


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
