"""Issue 16: a network council's invitations: e-mail to the professionals, a letter (PDF) for
the family."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ssp import access
from ssp.police import access as police_access


@access.require(police_access.can_send_council_invitations)
def council_invite(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_send_council_invitations)
def council_letter(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
