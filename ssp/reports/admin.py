"""The annual reports in Django's admin: read-only.

Reports are made, written, approved (by the steering group's decision) and published on the
platform's pages, where the text is checked for personal data and approval freezes the figures;
the admin shows them, and may delete a draft made by mistake. Every change is an audit event
(`AuditedAdmin`).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ssp.audit.admin import AuditedAdmin
from ssp.reports.models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(AuditedAdmin[AnnualReport]):
    list_display = ["year", "municipality", "status", "approved_at", "published_at"]
    list_filter = ["municipality", "status"]
    list_select_related = ["municipality"]
    ordering = ["municipality", "-year"]
    # The figures are shown on the report's page, suppressed; the admin lists the facts only.
    fields = ("municipality", "year", "status", "approved_at", "published_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AnnualReport | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AnnualReport | None = None) -> bool:
        # A draft made by mistake may go; an approved report is the steering group's record.
        return obj is None or not obj.is_approved
