"""Pages of the organisation: chart, forum, 'whom do I contact'. Thin: select, then render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ssp import access
from ssp.http import actor_of
from ssp.organisation import selectors


@access.require(access.can_view_organisation)
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.municipalities_for(actor_of(request)))
    if len(municipalities) == 1:
        return redirect("organisation:chart", slug=municipalities[0].slug)
    return render(
        request, "organisation/municipality_list.html", {"municipalities": municipalities}
    )


@access.require(access.can_view_organisation)
def chart(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = selectors.get_municipality_for(actor, slug)
    roots = selectors.organisation_chart(actor, municipality)
    return render(
        request,
        "organisation/chart.html",
        {"municipality": municipality, "roots": roots},
    )


@access.require(access.can_view_organisation)
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.forum_detail_for(actor_of(request), pk)
    return render(
        request,
        "organisation/forum_detail.html",
        {
            "forum": detail.forum,
            "memberships": detail.memberships,
            "seats": detail.seats,
            "children": detail.children,
        },
    )


@access.require(access.can_view_organisation)
def contact_index(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = selectors.get_municipality_for(actor, slug)
    q = request.GET.get("q", "").strip()[: selectors.SEARCH_MAX_LENGTH]
    directory = selectors.contact_directory(actor, municipality, q=q)
    return render(
        request,
        "organisation/contact_index.html",
        {
            "municipality": municipality,
            "districts": directory.districts,
            "units": directory.units,
            "staff": directory.staff,
            "q": directory.q,
        },
    )


@access.require(access.can_view_organisation)
def contact_district(request: HttpRequest, slug: str, district: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = selectors.get_municipality_for(actor, slug)
    school_district = selectors.get_district_for(actor, municipality, district)
    return render(
        request,
        "organisation/contact_district.html",
        {
            "municipality": municipality,
            "district": school_district,
            "staff": selectors.ssp_staff_of(municipality),
        },
    )


@access.require(access.can_view_organisation)
def contact_unit(request: HttpRequest, slug: str, unit: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = selectors.get_municipality_for(actor, slug)
    the_unit = selectors.get_unit_for(actor, municipality, unit)
    return render(
        request,
        "organisation/contact_unit.html",
        {
            "municipality": municipality,
            "unit": the_unit,
            "district_fora": selectors.district_fora_with_contacts(actor, the_unit.school_district),
            "staff": selectors.ssp_staff_of(municipality),
        },
    )
