"""Issue 16: the offence catalogue: the statutory kinds (read only) and the municipality's local
kinds and aliases."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ssp import access
from ssp.police import access as police_access


@access.require(police_access.can_manage_offences)
def offences(request: HttpRequest) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_manage_offences)
def offence_new(request: HttpRequest) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_manage_offences)
def offence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_manage_offences)
def alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
