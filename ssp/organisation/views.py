"""Pages of the organisation: chart, forum, 'whom do I contact'. Thin: select, then render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ssp import access
from ssp.organisation import selectors


@access.require(access.can_view_organisation)
def municipality_list(request: HttpRequest) -> HttpResponse:
    actor = access.get_actor(request.user)
    municipalities = list(selectors.municipalities_for(actor))
    if len(municipalities) == 1:
        return redirect("organisation:chart", slug=municipalities[0].slug)
    return render(
        request, "organisation/municipality_list.html", {"municipalities": municipalities}
    )


@access.require(access.can_view_organisation)
def chart(request: HttpRequest, slug: str) -> HttpResponse:
    actor = access.get_actor(request.user)
    municipality = selectors.get_municipality_for(actor, slug)
    roots = selectors.organisation_chart(actor, municipality)
    return render(
        request,
        "organisation/chart.html",
        {"municipality": municipality, "roots": roots},
    )


@access.require(access.can_view_organisation)
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.get_actor(request.user)
    forum = selectors.get_forum_for(actor, pk)
    return render(request, "organisation/forum_detail.html", {"forum": forum})


@access.require(access.can_view_organisation)
def contact_index(request: HttpRequest, slug: str) -> HttpResponse:
    actor = access.get_actor(request.user)
    municipality = selectors.get_municipality_for(actor, slug)
    q = request.GET.get("q", "").strip()[:100]
    directory = selectors.contact_directory(actor, municipality, q=q)
    return render(
        request, "organisation/contact_index.html", {"municipality": municipality, **directory}
    )


@access.require(access.can_view_organisation)
def contact_district(request: HttpRequest, slug: str, district: str) -> HttpResponse:
    actor = access.get_actor(request.user)
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
    actor = access.get_actor(request.user)
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
