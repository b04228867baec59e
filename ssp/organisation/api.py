"""Read endpoints for the organisation (R1)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema

from ssp import access
from ssp.access import Actor
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.organisation import selectors
from ssp.organisation.models import Municipality
from ssp.validation import max_length_of

router = Router(tags=["organisation"])

# A municipality's short name as its SlugField stores it: anything else is refused (422).
Slug = PathEx[str, P(max_length=max_length_of(Municipality, "slug"), pattern=r"^[-a-zA-Z0-9_]+$")]


def _actor(request: HttpRequest) -> Actor:
    """The request's actor; 403 unless a member of the organisation (like the pages)."""
    return access.enforce(access.can_view_organisation, actor_of(request))


class MunicipalityOut(Schema):
    slug: str
    name: str
    police_district: str
    target_age_min: int
    target_age_max: int
    ssp_plus_age_min: int | None
    ssp_plus_age_max: int | None
    rules: dict[str, object]


class ForumOut(Schema):
    id: int
    key: str
    name: str
    forum_type: str
    level: str
    cadence: str
    parent_id: int | None
    municipality: str | None
    police_district: str | None
    school_district: str | None
    may_discuss_individuals: bool
    member_count: int


class SeatOut(Schema):
    function: str
    role: str
    sector: str
    has_vote: bool
    is_authority: bool
    count_min: int
    count_max: int


class MemberOut(Schema):
    name: str
    title: str
    role: str
    has_vote: bool
    is_authority: bool
    sector: str
    unit: str | None
    email: str
    phone: str


class ForumDetailOut(Schema):
    id: int
    key: str
    name: str
    forum_type: str
    level: str
    cadence: str
    purpose: str
    parent_id: int | None
    may_discuss_individuals: bool
    standing_items: list[str]
    seats: list[SeatOut]
    members: list[MemberOut]


class UnitOut(Schema):
    slug: str
    name: str
    kind: str
    sector: str
    school_district: str | None


def _municipality_out(m: Municipality) -> MunicipalityOut:
    return MunicipalityOut(
        slug=m.slug,
        name=m.name,
        police_district=m.police_district.name,
        target_age_min=m.target_age_min,
        target_age_max=m.target_age_max,
        ssp_plus_age_min=m.ssp_plus_age_min,
        ssp_plus_age_max=m.ssp_plus_age_max,
        rules=m.rules,
    )


@router.get("/municipalities", response={200: list[MunicipalityOut], **ERRORS})
def list_municipalities(request: HttpRequest) -> list[MunicipalityOut]:
    return [_municipality_out(m) for m in selectors.municipalities_for(_actor(request))]


@router.get("/municipalities/{slug}", response={200: MunicipalityOut, **ERRORS})
def get_municipality(request: HttpRequest, slug: Slug) -> MunicipalityOut:
    return _municipality_out(selectors.get_municipality_for(_actor(request), slug))


def _page_of(items: Any, page: int) -> Any:
    """One page of API_PAGE_SIZE (the last one for a page beyond it), as the case list pages."""
    return Paginator(items, selectors.API_PAGE_SIZE).get_page(page).object_list


@router.get("/municipalities/{slug}/fora", response={200: list[ForumOut], **ERRORS})
def list_fora(request: HttpRequest, slug: Slug, page: int = 1) -> list[ForumOut]:
    """The municipality's fora, 100 a page (`page` from 1)."""
    actor = _actor(request)
    municipality = selectors.get_municipality_for(actor, slug)
    return [
        ForumOut(
            id=f.pk,
            key=f.key,
            name=f.name,
            forum_type=f.forum_type,
            level=f.level,
            cadence=f.cadence,
            parent_id=f.parent_id,
            municipality=municipality.slug if f.municipality_id else None,
            police_district=municipality.police_district.slug if f.police_district_id else None,
            school_district=f.school_district.slug if f.school_district else None,
            may_discuss_individuals=f.may_discuss_individuals,
            member_count=f.member_count,
        )
        for f in _page_of(selectors.fora_of_municipality(actor, municipality), page)
    ]


@router.get("/fora/{forum_id}", response={200: ForumDetailOut, **ERRORS})
def get_forum(request: HttpRequest, forum_id: int) -> ForumDetailOut:
    detail = selectors.forum_detail_for(_actor(request), forum_id)
    forum = detail.forum
    return ForumDetailOut(
        id=forum.pk,
        key=forum.key,
        name=forum.name,
        forum_type=forum.forum_type,
        level=forum.level,
        cadence=forum.cadence,
        purpose=forum.purpose,
        parent_id=forum.parent_id,
        may_discuss_individuals=forum.may_discuss_individuals,
        standing_items=list(forum.standing_items),
        seats=[
            SeatOut(
                function=s.function,
                role=s.role,
                sector=s.sector,
                has_vote=s.has_vote,
                is_authority=s.is_authority,
                count_min=s.count_min,
                count_max=s.count_max,
            )
            for s in detail.seats
        ],
        members=[
            MemberOut(
                name=ms.member.name,
                title=ms.member.title,
                role=ms.role,
                has_vote=ms.has_vote,
                is_authority=ms.member.is_authority,
                sector=ms.member.sector,
                unit=ms.member.unit.name if ms.member.unit else None,
                email=ms.member.email,
                phone=ms.member.phone,
            )
            for ms in detail.memberships
        ],
    )


@router.get("/municipalities/{slug}/units", response={200: list[UnitOut], **ERRORS})
def list_units(request: HttpRequest, slug: Slug, page: int = 1) -> list[UnitOut]:
    """The municipality's schools, clubs and other units, 100 a page (`page` from 1)."""
    actor = _actor(request)
    municipality = selectors.get_municipality_for(actor, slug)
    units = selectors.units_of_municipality(municipality).order_by("name", "pk")
    return [
        UnitOut(
            slug=u.slug,
            name=u.name,
            kind=u.kind,
            sector=u.sector,
            school_district=u.school_district.slug if u.school_district else None,
        )
        for u in _page_of(units, page)
    ]
