"""Administration of the organisation (units, fora, members, memberships) in Django's admin.

Every change made here is an audit event, written in the admin's transaction. Nothing here shows
personal data (issue 10): delete confirmations give counts and refuse to delete personal data
(`AuditedAdmin`), and ad hoc action groups are not administered here at all: they are case work,
set up and dissolved in the platform by the parent forum's chair or SSP staff
(`ssp/cases/adhoc.py`); their task and result may concern a named young person, and a
membership of one opens that person's matters to the member.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ssp.audit.admin import (
    AuditedAdmin,
    LabelledTabularInline,
    VersionedAdminForm,
    VersionedInlineForm,
    VersionedTabularInline,
)
from ssp.organisation.district_members import belongs_problem, membership_problem
from ssp.organisation.models import (
    Forum,
    ForumType,
    Member,
    Membership,
    Municipality,
    PoliceDistrict,
    SchoolDistrict,
    Seat,
    Unit,
)

# Set by the ad hoc group's lifecycle in the platform, never in the admin.
ADHOC_FIELDS = [
    "adhoc_subject",
    "adhoc_task",
    "adhoc_result",
    "set_up_between_meetings",
    "set_up_by",
    "dissolved_by",
]


def administered_fora() -> QuerySet[Forum]:
    """The fora the admin shows and offers: all but ad hoc action groups."""
    return Forum.objects.exclude(forum_type=ForumType.ADHOC)


def _without_adhoc_groups(db_field: ForeignKey[Any, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    if db_field.related_model is Forum:
        kwargs["queryset"] = administered_fora()
    elif db_field.related_model is Seat:
        kwargs["queryset"] = Seat.objects.filter(forum__in=administered_fora())
    return kwargs


class SeatInline(LabelledTabularInline[Seat, Forum]):
    model = Seat
    extra = 0


def _check_membership(form: forms.ModelForm) -> None:  # type: ignore[type-arg]
    """Issue 16: a member of a police district sits only in its fora (the Kredsråd), a member
    of a municipality in its fora and its district's: a Danish reason on the form."""
    member = form.cleaned_data.get("member")
    forum = form.cleaned_data.get("forum") or getattr(form.instance, "forum", None)
    if isinstance(member, Member) and isinstance(forum, Forum):
        problem = membership_problem(member, forum)
        if problem is not None:
            form.add_error("member", problem)


class MembershipAdminForm(VersionedAdminForm):
    class Meta:
        model = Membership
        fields = [
            "forum",
            "member",
            "seat",
            "role",
            "has_vote",
            "start_date",
            "end_date",
            "term_ends_on",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        _check_membership(self)
        return cleaned


class MembershipInlineForm(VersionedInlineForm):
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        _check_membership(self)
        return cleaned


class MemberAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Issue 16: a member belongs to a municipality or (the Kredsråd's members from outside the
    platform) to a police district, never both or neither: said in Danish, not an
    IntegrityError or the constraint's name."""

    class Meta:
        model = Member
        fields = [
            "user",
            "municipality",
            "police_district",
            "name",
            "title",
            "unit",
            "sector",
            "access_role",
            "is_authority",
            "email",
            "phone",
            "meeting_emails",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        municipality = cleaned.get("municipality", getattr(self.instance, "municipality", None))
        district = cleaned.get("police_district", getattr(self.instance, "police_district", None))
        problem = belongs_problem(
            municipality_id=municipality.pk if municipality is not None else None,
            police_district_id=district.pk if district is not None else None,
        )
        if problem is not None:
            raise forms.ValidationError(problem)
        return cleaned

    def _get_validation_exclusions(self) -> set[str]:
        # The model's check constraint on these two is checked by `clean`, in Danish (the
        # model would say "Constraint ... is violated").
        excluded: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return excluded | {"municipality", "police_district"}


class MembershipInline(VersionedTabularInline[Membership, Forum]):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "role", "has_vote", "seat", "start_date", "end_date", "term_ends_on"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        return super().formfield_for_foreignkey(
            db_field, request, **_without_adhoc_groups(db_field, kwargs)
        )


@admin.register(PoliceDistrict)
class PoliceDistrictAdmin(AuditedAdmin[PoliceDistrict]):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin[Municipality]):
    list_display = ["name", "police_district", "target_age_min", "target_age_max", "preset"]
    search_fields = ["name"]
    list_filter = ["police_district"]
    # Issue 16: the rules and ages are kept on the municipality's configuration pages, which
    # check them (the network council never beyond 7 days) and number every change.
    readonly_fields = [
        "target_age_min",
        "target_age_max",
        "ssp_plus_age_min",
        "ssp_plus_age_max",
        "rules",
    ]


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
    exclude = ADHOC_FIELDS
    instead_of_deleting = _("Sæt i stedet en dato i feltet »nedlagt«.")
    list_display = ["name", "forum_type", "level", "cadence", "parent", "municipality"]
    list_filter = ["municipality", "police_district", "forum_type", "level", "cadence"]
    search_fields = ["name", "key"]
    inlines = [SeatInline, MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Forum]:
        return super().get_queryset(request).exclude(forum_type=ForumType.ADHOC)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        return super().formfield_for_foreignkey(
            db_field, request, **_without_adhoc_groups(db_field, kwargs)
        )

    def formfield_for_choice_field(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        if db_field.name == "forum_type":
            kwargs["choices"] = [
                (value, label)
                for value, label in db_field.get_choices(include_blank=False)
                if value != ForumType.ADHOC
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Member)
class MemberAdmin(AuditedAdmin[Member]):
    form = MemberAdminForm
    instead_of_deleting = _(
        "Afslut i stedet medlemmets medlemskaber (slutdato) og deaktivér brugeren."
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Member | None = None
    ) -> list[str] | tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            # No one raises their own access: another administrator must do it.
            return (
                *fields,
                "access_role",
                "is_authority",
                "user",
                "municipality",
                "police_district",
            )
        return fields

    list_display = [
        "name",
        "title",
        "unit",
        "sector",
        "access_role",
        "is_authority",
        "municipality",
        "police_district",
    ]
    list_filter = ["municipality", "police_district", "sector", "access_role", "is_authority"]
    search_fields = ["name", "title", "email"]
    autocomplete_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin[Membership]):
    form = MembershipAdminForm
    list_display = [
        "member",
        "forum",
        "role",
        "has_vote",
        "start_date",
        "end_date",
        "term_ends_on",
    ]
    list_filter = ["role", "has_vote", "forum__municipality", "forum__police_district"]
    search_fields = ["member__name", "forum__name"]
    autocomplete_fields = ["member", "forum"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).exclude(forum__forum_type=ForumType.ADHOC)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        return super().formfield_for_foreignkey(
            db_field, request, **_without_adhoc_groups(db_field, kwargs)
        )
