"""Reads of the organisation, always scoped by the access core and given the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ssp import access
from ssp.access import Actor
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    SchoolDistrict,
    Unit,
)

CONTACT_ROLES = (MembershipRole.COORDINATOR, MembershipRole.CHAIR)


def get_municipality_for(actor: Actor, slug: str) -> Municipality:
    return access.get_or_404(
        access.visible_municipalities(actor).select_related("police_district"), slug=slug
    )


def get_municipality_by_id(actor: Actor, municipality_id: int | None) -> Municipality:
    return access.get_or_404(access.visible_municipalities(actor), pk=municipality_id)


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


def fora_of_municipality(actor: Actor, municipality: Municipality) -> QuerySet[Forum]:
    """The municipality's fora and those of its police district, with member counts."""
    return (
        access.visible_fora(actor)
        .filter(
            Q(municipality=municipality) | Q(police_district_id=municipality.police_district_id)
        )
        .filter(dissolved_at__isnull=True)
        .exclude(forum_type="adhoc")
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


LEVEL_ORDER = {"strategic": 0, "tactical": 1, "operational": 2}


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
        items.sort(key=lambda n: (LEVEL_ORDER.get(n.forum.level, 9), n.forum.name))
        for item in items:
            sort(item.children)
        return items

    return sort(roots)


def get_forum_for(actor: Actor, forum_id: int) -> Forum:
    current = Membership.objects.current().select_related("member__unit", "seat")
    queryset = access.visible_fora(actor).select_related(
        "municipality", "police_district", "parent", "school_district"
    )
    forum: Forum = access.get_or_404(
        queryset.prefetch_related(
            "seats",
            Prefetch(
                "memberships",
                queryset=current.order_by("role", "member__name"),
                to_attr="current_memberships",
            ),
            Prefetch(
                "children",
                queryset=access.visible_fora(actor)
                .filter(dissolved_at__isnull=True)
                .order_by("name"),
            ),
        ),
        pk=forum_id,
    )
    return forum


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


def contact_directory(
    actor: Actor, municipality: Municipality, *, q: str = ""
) -> dict[str, object]:
    """'Whom do I contact?': every school district with its local fora, and every unit."""
    districts = (
        SchoolDistrict.objects.filter(municipality=municipality)
        .prefetch_related(
            Prefetch(
                "fora",
                queryset=access.visible_fora(actor)
                .filter(dissolved_at__isnull=True)
                .prefetch_related(
                    Prefetch("memberships", queryset=_contact_memberships(), to_attr="contacts")
                )
                .order_by("name"),
            )
        )
        .order_by("name")
    )
    units = Unit.objects.filter(municipality=municipality).select_related("school_district")
    if q:
        units = units.filter(Q(name__icontains=q) | Q(school_district__name__icontains=q))
    return {
        "districts": list(districts),
        "units": list(units.order_by("name")),
        "staff": list(ssp_staff_of(municipality)),
        "q": q,
    }


def get_district_for(actor: Actor, municipality: Municipality, slug: str) -> SchoolDistrict:
    return access.get_or_404(
        SchoolDistrict.objects.filter(municipality=municipality).prefetch_related(
            Prefetch(
                "fora",
                queryset=access.visible_fora(actor)
                .filter(dissolved_at__isnull=True)
                .prefetch_related(
                    Prefetch("memberships", queryset=_contact_memberships(), to_attr="contacts")
                )
                .order_by("name"),
            ),
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
    if not actor.forum_ids:
        return []
    return list(
        access.visible_fora(actor)
        .filter(pk__in=actor.forum_ids)
        .select_related("municipality", "police_district")
        .order_by("name")
    )
