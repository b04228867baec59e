"""Issue 16: the municipality's SSP guide (read by every member, kept by SSP staff)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ssp import access


@access.require(access.can_view_organisation)
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(access.can_view_organisation)
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
