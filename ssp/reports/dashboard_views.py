"""The steering group's dashboard page (R8): the year so far against last year, by quarter, as
server-rendered SVG charts, each followed by its table (`ssp/reports/dashboard.py`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ssp import access
from ssp.http import actor_of
from ssp.reports import access as reports_access
from ssp.reports.dashboard import dashboard as build_dashboard


@access.require(reports_access.can_see_reports)
def dashboard(request: HttpRequest) -> HttpResponse:
    board = build_dashboard(actor_of(request), today=timezone.localdate())
    return render(request, "reports/dashboard.html", {"dashboard": board})
