"""Effect measurement (Fredericia): the police's aggregate figures and the youth profile survey
as trends against the goal, and their import (CSV or Excel, all rows or none)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ssp import access
from ssp.reports import access as report_access


@access.require(report_access.can_see_reports)
def effect(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@require_POST
@access.require(report_access.can_import_effect)
def effect_import(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD
