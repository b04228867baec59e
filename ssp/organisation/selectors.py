"""Reads of the organisation, always scoped by the access core and given the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ssp import access
from ssp.access import Actor
from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    SchoolDistrict,
    Seat,
    Unit,
)

CONTACT_ROLES = (MembershipRole.COORDINATOR, MembershipRole.CHAIR)
SEARCH_MAX_LENGTH = 100  # characters of a contact search that are used


class ForumCounts(TypedDict):
    member_count: int
    seat_count: int


if TYPE_CHECKING:  # WithAnnotations takes two arguments only for the type checker
    from django_stubs_ext import WithAnnotations

    ForumWithCounts = WithAnnotations[Forum, ForumCounts]


def get_municipality_for(actor: Actor, slug: str) -> Municipality:
    return access.get_or_404(
        access.visible_municipalities(actor).select_related("police_district"), slug=slug
    )


def get_municipality_by_id(actor: Actor, municipality_id: int | None) -> Municipality:
    return access.get_or_404(access.visible_municipalities(actor), pk=municipality_id)


def get_own_municipality(actor: Actor) -> Municipality:
    """The actor's own municipality (404 for users without one, e.g. superusers)."""
    if actor.municipality_id is None:
        raise Http404
    return get_municipality_by_id(actor, actor.municipality_id)


def units_of(municipality: Municipality) -> QuerySet[Unit]:
    return Unit.objects.filter(municipality=municipality).order_by("name")


def districts_of(municipality: Municipality) -> QuerySet[SchoolDistrict]:
    return SchoolDistrict.objects.filter(municipality=municipality).order_by("name")


def members_of_forum_municipality(forum: Forum) -> QuerySet[Member]:
    """Members who can be made responsible for a forum's decisions."""
    if forum.municipality_id is not None:
        scope = Q(municipality_id=forum.municipality_id)
    else:
        scope = Q(municipality__police_district_id=forum.police_district_id)
    return Member.objects.filter(scope).select_related("unit").order_by("name")


def default_municipality_for(actor: Actor) -> Municipality | None:
    return access.visible_municipalities(actor).order_by("name").first()


def municipalities_for(actor: Actor) -> QuerySet[Municipality]:
    return access.visible_municipalities(actor).select_related("police_district").order_by("name")


def _current_membership_filter(prefix: str = "") -> Q:
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}start_date__lte": today}) | Q(**{f"{prefix}start_date__isnull": True})
    ) & (Q(**{f"{prefix}end_date__gte": today}) | Q(**{f"{prefix}end_date__isnull": True}))


def fora_of_municipality(actor: Actor, municipality: Municipality) -> QuerySet[ForumWithCounts]:
    """The municipality's fora and those of its police district, with member counts.

    Ad hoc action groups are a case's circle, not part of the organisation's structure.
    """
    return (
        access.visible_fora(actor)
        .filter(
            Q(municipality=municipality) | Q(police_district_id=municipality.police_district_id)
        )
        .filter(dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
        .select_related("school_district")
        .annotate(
            member_count=Count(
                "memberships", filter=_current_membership_filter("memberships__"), distinct=True
            ),
            seat_count=Count("seats", distinct=True),
        )
        .order_by("name")
    )


@dataclass
class ChartNode:
    forum: Forum
    children: list[ChartNode] = field(default_factory=list)


LEVEL_ORDER: dict[str, int] = {
    ForumLevel.STRATEGIC: 0,
    ForumLevel.TACTICAL: 1,
    ForumLevel.OPERATIONAL: 2,
}
UNKNOWN_LEVEL_ORDER = len(LEVEL_ORDER)


def _level_order(forum: Forum) -> int:
    return LEVEL_ORDER.get(forum.level, UNKNOWN_LEVEL_ORDER)


def organisation_chart(actor: Actor, municipality: Municipality) -> list[ChartNode]:
    """R1: the fora as a tree along their reporting lines (children report to their parent)."""
    fora = list(fora_of_municipality(actor, municipality))
    nodes = {forum.pk: ChartNode(forum) for forum in fora}
    roots: list[ChartNode] = []
    for forum in fora:
        node = nodes[forum.pk]
        if forum.parent_id in nodes:
            nodes[forum.parent_id].children.append(node)
        else:
            roots.append(node)

    def sort(items: list[ChartNode]) -> list[ChartNode]:
        items.sort(key=lambda n: (_level_order(n.forum), n.forum.name))
        for item in items:
            sort(item.children)
        return items

    return sort(roots)


def get_forum_for(actor: Actor, forum_id: int) -> Forum:
    """A forum the actor may see (ad hoc groups only for their members), else 404."""
    return access.get_or_404(
        access.visible_fora(actor).select_related(
            "municipality", "police_district", "parent", "school_district"
        ),
        pk=forum_id,
    )


@dataclass(frozen=True)
class ForumDetail:
    forum: Forum
    memberships: list[Membership]
    seats: list[Seat]
    children: list[Forum]


def forum_detail_for(actor: Actor, forum_id: int) -> ForumDetail:
    """A forum with its current members, its seats and the visible fora reporting to it."""
    forum = get_forum_for(actor, forum_id)
    return ForumDetail(
        forum=forum,
        memberships=list(
            Membership.objects.current()
            .filter(forum=forum)
            .select_related("member__unit", "seat")
            .order_by("role", "member__name")
        ),
        seats=list(forum.seats.all()),
        children=list(
            access.visible_fora(actor)
            .filter(parent=forum, dissolved_at__isnull=True)
            .order_by("name")
        ),
    )


def _contact_memberships() -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(role__in=CONTACT_ROLES)
        .select_related("member__unit")
        .order_by("role", "member__name")
    )


def ssp_staff_of(municipality: Municipality) -> QuerySet[Member]:
    return (
        Member.objects.filter(municipality=municipality, access_role=AccessRole.SSP_STAFF)
        .select_related("unit")
        .order_by("name")
    )


@dataclass(frozen=True)
class ContactDirectory:
    districts: list[SchoolDistrict]
    units: list[Unit]
    staff: list[Member]
    q: str


def _local_fora_with_contacts(actor: Actor) -> Prefetch[Any]:
    """A district's fora the actor may see, each with its contact persons."""
    return Prefetch(
        "fora",
        queryset=access.visible_fora(actor)
        .filter(dissolved_at__isnull=True)
        .prefetch_related(
            Prefetch("memberships", queryset=_contact_memberships(), to_attr="contacts")
        )
        .order_by("name"),
    )


def contact_directory(actor: Actor, municipality: Municipality, *, q: str = "") -> ContactDirectory:
    """'Whom do I contact?': every school district with its local fora, and every unit."""
    districts = (
        SchoolDistrict.objects.filter(municipality=municipality)
        .prefetch_related(_local_fora_with_contacts(actor))
        .order_by("name")
    )
    units = Unit.objects.filter(municipality=municipality).select_related("school_district")
    if q:
        units = units.filter(Q(name__icontains=q) | Q(school_district__name__icontains=q))
    return ContactDirectory(
        districts=list(districts),
        units=list(units.order_by("name")),
        staff=list(ssp_staff_of(municipality)),
        q=q,
    )


def get_district_for(actor: Actor, municipality: Municipality, slug: str) -> SchoolDistrict:
    return access.get_or_404(
        SchoolDistrict.objects.filter(municipality=municipality).prefetch_related(
            _local_fora_with_contacts(actor),
            Prefetch(
                "units",
                queryset=Unit.objects.select_related("ssp_contact__unit").order_by("name"),
            ),
        ),
        slug=slug,
    )


def get_unit_for(actor: Actor, municipality: Municipality, slug: str) -> Unit:
    return access.get_or_404(
        Unit.objects.filter(municipality=municipality).select_related(
            "school_district", "ssp_contact__unit"
        ),
        slug=slug,
    )


def district_fora_with_contacts(actor: Actor, district: SchoolDistrict | None) -> list[Forum]:
    if district is None:
        return []
    return list(
        access.visible_fora(actor)
        .filter(school_district=district, dissolved_at__isnull=True)
        .prefetch_related(
            Prefetch("memberships", queryset=_contact_memberships(), to_attr="contacts")
        )
        .order_by("name")
    )


def fora_of_member(actor: Actor) -> list[Forum]:
    """The fora the acting user sits in now."""
    return list(
        access.fora_of(actor).select_related("municipality", "police_district").order_by("name")
    )
