"""Issue 16: the municipality's configuration pages (rules, ages and deadlines, worksheet help
texts, standing agenda items per forum type, legal bases). Thin: services in
`ssp/organisation/configuration.py` and `ssp/cases/legal_bases.py`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ssp import access


@access.require(access.can_configure)
def config_index(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def config_rules(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def config_worksheet(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def standing_items(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def standing_item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def standing_item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def legal_bases(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def legal_basis_new(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def legal_basis_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_configure)
def legal_basis_retire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
