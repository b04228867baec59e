"""Administration of the organisation (units, fora, members, memberships) in Django's admin.

Every change made here is an audit event, written in the admin's transaction.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ssp.audit.admin import AuditedAdmin, VersionedTabularInline
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


class SeatInline(admin.TabularInline[Seat, Forum]):
    model = Seat
    extra = 0


class MembershipInline(VersionedTabularInline[Membership, Forum]):
    model = Membership
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "role", "has_vote", "seat", "start_date", "end_date"]


@admin.register(PoliceDistrict)
class PoliceDistrictAdmin(AuditedAdmin[PoliceDistrict]):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin[Municipality]):
    list_display = ["name", "police_district", "target_age_min", "target_age_max", "preset"]
    search_fields = ["name"]
    list_filter = ["police_district"]


@admin.register(SchoolDistrict)
class SchoolDistrictAdmin(AuditedAdmin[SchoolDistrict]):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin[Unit]):
    list_display = ["name", "kind", "sector", "school_district", "municipality"]
    list_filter = ["municipality", "kind", "sector"]
    search_fields = ["name"]
    autocomplete_fields = ["ssp_contact"]


@admin.register(Forum)
class ForumAdmin(AuditedAdmin[Forum]):
    list_display = ["name", "forum_type", "level", "cadence", "parent", "municipality"]
    list_filter = ["municipality", "police_district", "forum_type", "level", "cadence"]
    search_fields = ["name", "key"]
    inlines = [SeatInline, MembershipInline]


@admin.register(Member)
class MemberAdmin(AuditedAdmin[Member]):
    def get_readonly_fields(
        self, request: HttpRequest, obj: Member | None = None
    ) -> list[str] | tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
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
class MembershipAdmin(AuditedAdmin[Membership]):
    list_display = ["member", "forum", "role", "has_vote", "start_date", "end_date"]
    list_filter = ["role", "has_vote", "forum__municipality"]
    search_fields = ["member__name", "forum__name"]
    autocomplete_fields = ["member", "forum"]
