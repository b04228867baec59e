"""Reads of the organisation, always scoped by the access core and given the acting user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Window
from django.http import Http404
from django.utils import timezone

from ssp import access
from ssp.access import Actor
from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForumLevel,
    ForumType,
    ForwardingLine,
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
    own = access.own_municipality(actor)
    if own is not None and own.slug == slug:
        return own  # read with the actor
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
    """The actor's own municipality (read with the actor); a superuser's first by name."""
    return access.own_municipality(actor) or (
        access.visible_municipalities(actor).order_by("name").first()
    )


def municipalities_for(actor: Actor) -> QuerySet[Municipality]:
    return access.visible_municipalities(actor).select_related("police_district").order_by("name")


def _current_membership_filter(prefix: str = "") -> Q:
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}start_date__lte": today}) | Q(**{f"{prefix}start_date__isnull": True})
    ) & (Q(**{f"{prefix}end_date__gte": today}) | Q(**{f"{prefix}end_date__isnull": True}))


# The chart shows a level's sibling fora as cards up to this many; more are a count that opens
# on demand (and links to the level's paginated list).
CHART_SIBLINGS_SHOWN = 12
# At most this many cards on the chart; the fora further down are collapsed to counts.
CHART_CARDS_MAX = 100
LEVEL_PAGE_SIZE = 50  # fora on a page of the chart (`chart_fora_page`)
# A forum page names at most this many of the fora reporting to it.
FORUM_CHILDREN_SHOWN = 25
MY_FORA_SHOWN = 10
# What the start page shows of each forum (its link, name and cadence): fewer columns to build
# and read on the most requested page (issue 11).
MY_FORA_PREVIEW_COLUMNS = ("id", "name", "cadence", "meetings_a_year")
MY_FORA_PAGE_SIZE = 50


@dataclass
class ChartGroup:
    """Sibling fora of one level reporting to the same forum (or roots), shown as a count."""

    parent_id: int | None
    level: str
    count: int
    types: list[tuple[str, int]] = field(default_factory=list)  # (type's name, how many)

    @property
    def level_label(self) -> str:
        return str(ForumLevel(self.level).label) if self.level in ForumLevel.values else ""


@dataclass
class ChartNode:
    forum: Forum
    children: list[ChartNode] = field(default_factory=list)
    groups: list[ChartGroup] = field(default_factory=list)


@dataclass
class Chart:
    roots: list[ChartNode]
    root_groups: list[ChartGroup]


LEVEL_ORDER: dict[str, int] = {
    ForumLevel.STRATEGIC: 0,
    ForumLevel.TACTICAL: 1,
    ForumLevel.OPERATIONAL: 2,
}
UNKNOWN_LEVEL_ORDER = len(LEVEL_ORDER)


def _level_order(forum: Forum) -> int:
    return LEVEL_ORDER.get(forum.level, UNKNOWN_LEVEL_ORDER)


def _chart_fora(actor: Actor, municipality: Municipality) -> QuerySet[Forum]:
    """The fora on a municipality's chart: its own and its police district's, active, no ad hoc
    groups (those are a case's circle, not part of the organisation's structure)."""
    return (
        access.visible_fora(actor)
        .filter(
            Q(municipality=municipality) | Q(police_district_id=municipality.police_district_id)
        )
        .filter(dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
    )


def _with_counts(fora: QuerySet[Forum]) -> QuerySet[ForumWithCounts]:
    return fora.select_related("school_district").annotate(
        member_count=Count(
            "memberships", filter=_current_membership_filter("memberships__"), distinct=True
        ),
        seat_count=Count("seats", distinct=True),
    )


def fora_of_municipality(actor: Actor, municipality: Municipality) -> QuerySet[ForumWithCounts]:
    """The municipality's fora and those of its police district, with member counts."""
    return _with_counts(_chart_fora(actor, municipality)).order_by("name")


@dataclass(frozen=True)
class _Outline:
    pk: int
    parent_id: int | None
    level: str
    forum_type: str
    name: str


def _group(parent: int | None, level: str, fora: list[_Outline]) -> ChartGroup:
    by_type: dict[str, int] = {}
    for forum in fora:
        by_type[forum.forum_type] = by_type.get(forum.forum_type, 0) + 1
    labels = dict(ForumType.choices)
    types = sorted(
        ((str(labels.get(kind, kind)), n) for kind, n in by_type.items()), key=lambda t: -t[1]
    )
    return ChartGroup(parent_id=parent, level=level, count=len(fora), types=types)


def organisation_chart(actor: Actor, municipality: Municipality) -> Chart:
    """R1: the fora as a tree along their reporting lines (children report to their parent).

    Bounded whatever the municipality's size: the tree is laid out from a light outline of the
    fora (id, parent, level, name); sibling fora of one level are shown as cards when they are
    at most CHART_SIBLINGS_SHOWN and the chart holds fewer than CHART_CARDS_MAX cards, else as
    a count (`ChartGroup`) that opens the level's list on demand. Only the fora shown are read
    in full, with their member counts.
    """
    outline = [
        _Outline(*row)
        for row in _chart_fora(actor, municipality)
        .order_by("name", "pk")
        .values_list("pk", "parent_id", "level", "forum_type", "name")
    ]
    known = {forum.pk for forum in outline}
    siblings: dict[int | None, list[_Outline]] = {}
    for forum in outline:
        parent = forum.parent_id if forum.parent_id in known else None
        siblings.setdefault(parent, []).append(forum)

    shown: list[tuple[int | None, _Outline]] = []
    groups: list[ChartGroup] = []
    queue: list[int | None] = [None]
    while queue:
        parent = queue.pop(0)
        by_level: dict[str, list[_Outline]] = {}
        for forum in siblings.get(parent, []):
            by_level.setdefault(forum.level, []).append(forum)
        for level in sorted(by_level, key=lambda lv: LEVEL_ORDER.get(lv, UNKNOWN_LEVEL_ORDER)):
            members = by_level[level]
            fits = len(shown) + len(members) <= CHART_CARDS_MAX
            if len(members) <= CHART_SIBLINGS_SHOWN and fits:
                shown.extend((parent, forum) for forum in members)
                queue.extend(forum.pk for forum in members)
            else:
                groups.append(_group(parent, level, members))

    shown_ids = [forum.pk for _parent, forum in shown]
    full = {forum.pk: forum for forum in _with_counts(Forum.objects.filter(pk__in=shown_ids))}
    nodes = {forum.pk: ChartNode(full[forum.pk]) for _parent, forum in shown if forum.pk in full}
    chart = Chart(roots=[], root_groups=[])
    for parent, forum in shown:
        node = nodes.get(forum.pk)
        if node is None:
            continue
        if parent is None:
            chart.roots.append(node)
        elif parent in nodes:
            nodes[parent].children.append(node)
    for group in groups:
        if group.parent_id is None:
            chart.root_groups.append(group)
        elif group.parent_id in nodes:
            nodes[group.parent_id].groups.append(group)

    def sort(items: list[ChartNode]) -> None:
        items.sort(key=lambda n: (_level_order(n.forum), n.forum.name))
        for item in items:
            sort(item.children)

    sort(chart.roots)
    return chart


def chart_fora_page(
    actor: Actor,
    municipality: Municipality,
    *,
    under: Forum | None,
    level: str = "",
    page: int = 1,
) -> Page[Forum]:
    """A step of the chart as a paginated list (a collapsed group opens to it): the chart's fora
    that report to `under` (without it, those at the top of the chart), of `level` if given."""
    fora = _chart_fora(actor, municipality)
    if level:
        fora = fora.filter(level=level)
    if under is not None:
        fora = fora.filter(parent=under)
    else:
        fora = fora.filter(
            Q(parent__isnull=True) | ~Q(parent_id__in=_chart_fora(actor, municipality).values("pk"))
        )
    result = Paginator(fora.order_by("name", "pk"), LEVEL_PAGE_SIZE).get_page(page)
    # The member counts for the page's fora only, not for every forum of the level.
    result.object_list = list(
        _with_counts(
            Forum.objects.filter(pk__in=[forum.pk for forum in result.object_list])
        ).order_by("name", "pk")
    )
    return result


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
    children: Sequence[Forum]  # at most FORUM_CHILDREN_SHOWN
    children_total: int
    # Issue 14: where the forum's approved minutes go besides up to its parent (a few lines
    # from the preset: down to a forum, or by e-mail outside the platform).
    lines: list[ForwardingLine] = field(default_factory=list)


def forum_detail_for(actor: Actor, forum_id: int) -> ForumDetail:
    """A forum with its current members, its seats and the visible fora reporting to it."""
    forum = get_forum_for(actor, forum_id)
    # The first children and, in the same query, how many there are in all.
    children = list(
        access.visible_fora(actor)
        .filter(parent=forum, dissolved_at__isnull=True)
        .annotate(children_total=Window(Count("pk")))
        .order_by("name", "pk")[:FORUM_CHILDREN_SHOWN]
    )
    return ForumDetail(
        forum=forum,
        memberships=list(
            Membership.objects.current()
            .filter(forum=forum)
            .select_related("member__unit", "seat")
            .order_by("role", "member__name")
        ),
        seats=list(forum.seats.all()),
        children=children,
        children_total=getattr(children[0], "children_total", 0) if children else 0,
        lines=forwarding_lines(forum),
    )


def forwarding_lines(forum: Forum) -> list[ForwardingLine]:
    """The forum's forwarding lines (issue 14), fora first, then recipients outside."""
    return list(
        ForwardingLine.objects.filter(forum=forum)
        .select_related("to_forum")
        .order_by("direction", "to_forum__name", "recipient_name", "pk")
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


# "Whom do I contact?" shows this many units and SSP staff (the first by name); a search finds
# the rest, so the page does not grow with the municipality (issue 11).
CONTACT_UNITS_SHOWN = 50
CONTACT_STAFF_SHOWN = 30
CONTACT_FORA_SHOWN = 5  # per school district
# The API's lists of fora and units, a page at a time.
API_PAGE_SIZE = 100


@dataclass(frozen=True)
class ContactDirectory:
    districts: list[SchoolDistrict]
    units: list[Unit]
    units_total: int
    staff: list[Member]
    staff_total: int
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
    district_fora = access.visible_fora(actor).filter(dissolved_at__isnull=True)
    districts = (
        SchoolDistrict.objects.filter(municipality=municipality)
        # The first few fora by name (the district's page has them all, with their contacts).
        .prefetch_related(
            Prefetch(
                "fora",
                queryset=district_fora.order_by("name", "pk")[:CONTACT_FORA_SHOWN],
                to_attr="shown_fora",
            )
        )
        .annotate(
            fora_total=Count(
                "fora",
                filter=Q(fora__in=district_fora.values("pk")),
            )
        )
        .order_by("name")
    )
    units = Unit.objects.filter(municipality=municipality).select_related("school_district")
    if q:
        units = units.filter(Q(name__icontains=q) | Q(school_district__name__icontains=q))
    staff = ssp_staff_of(municipality)
    return ContactDirectory(
        districts=list(districts),
        units=list(units.order_by("name")[:CONTACT_UNITS_SHOWN]),
        units_total=units.count(),
        staff=list(staff[:CONTACT_STAFF_SHOWN]),
        staff_total=staff.count(),
        q=q,
    )


def units_of_municipality(municipality: Municipality) -> QuerySet[Unit]:
    return Unit.objects.filter(municipality=municipality).select_related("school_district")


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


def _my_fora(actor: Actor) -> QuerySet[Forum]:
    return access.fora_of(actor).select_related("municipality", "police_district")


@dataclass(frozen=True)
class MyFora:
    """The start page's "Mine fora": the first few, and how many there are in all."""

    fora: Sequence[Forum]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.fora)


def my_fora_preview(actor: Actor) -> MyFora:
    """The first MY_FORA_SHOWN fora the acting user sits in now, with the number in all (one
    query: the total is a window count over the same rows)."""
    fora = list(
        access.fora_of(actor)
        .only(*MY_FORA_PREVIEW_COLUMNS)
        .annotate(total=Window(Count("pk")))
        .order_by("name", "pk")[:MY_FORA_SHOWN]
    )
    return MyFora(fora=fora, total=getattr(fora[0], "total", 0) if fora else 0)


def my_fora_page(actor: Actor, *, page: int = 1) -> Page[Forum]:
    """Every forum the acting user sits in now, a page at a time."""
    return Paginator(_my_fora(actor).order_by("name", "pk"), MY_FORA_PAGE_SIZE).get_page(page)
