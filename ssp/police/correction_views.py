"""Issue 16: police reports found, corrected or withdrawn by the police's SSP contact or the SSP
staff, with a reason."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ssp import access
from ssp.police import access as police_access


@access.require(police_access.can_correct_report)
def reports(request: HttpRequest) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_correct_report)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_correct_report)
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@access.require(police_access.can_correct_report)
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
