"""Pages of the organisation: chart, forum, 'whom do I contact'. Thin: select, then render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ssp import access
from ssp.http import actor_of, page_number
from ssp.organisation import selectors
from ssp.organisation.models import ForumLevel


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
    chart = selectors.organisation_chart(actor, municipality)
    return render(
        request,
        "organisation/chart.html",
        {
            "municipality": municipality,
            "roots": chart.roots,
            "root_groups": chart.root_groups,
            # Issue 16: the link to the municipality's configuration pages.
            "can_configure": access.can_configure_municipality(actor, municipality),
        },
    )


@access.require(access.can_view_organisation)
def chart_fora(request: HttpRequest, slug: str) -> HttpResponse:
    """A collapsed step of the chart as a paginated list: the fora reporting to `?under=<id>`
    (or those at the top), of `?niveau=<level>` if given. A fragment for htmx (the chart's
    `<details>` loads it when opened), the whole page without JavaScript."""
    actor = actor_of(request)
    municipality = selectors.get_municipality_for(actor, slug)
    level = request.GET.get("niveau", "")
    if level and level not in ForumLevel.values:
        raise Http404
    under_id = request.GET.get("under", "")
    under = None
    if under_id:
        if not under_id.isdecimal():
            raise Http404
        under = selectors.get_forum_for(actor, int(under_id))
    page = selectors.chart_fora_page(
        actor, municipality, under=under, level=level, page=page_number(request)
    )
    filters = {"under": under_id, "niveau": level}
    query = urlencode({key: value for key, value in filters.items() if value})
    context = {
        "municipality": municipality,
        "under": under,
        "level_label": ForumLevel(level).label if level else "",
        "page": page,
        "query": query,
    }
    if request.headers.get("HX-Request"):
        return render(request, "organisation/_chart_fora.html", context)
    return render(request, "organisation/chart_fora.html", context)


@access.require(access.can_view_organisation)
def my_fora(request: HttpRequest) -> HttpResponse:
    """Every forum the user sits in (the start page shows the first few)."""
    page = selectors.my_fora_page(actor_of(request), page=page_number(request))
    return render(request, "organisation/my_fora.html", {"page": page})


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
            "children_more": detail.children_total - len(detail.children),
            "lines": detail.lines,
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
            "units_total": directory.units_total,
            "staff": directory.staff,
            "staff_total": directory.staff_total,
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
