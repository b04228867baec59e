"""The biennial evaluation (Høje-Taastrup): staff send a short questionnaire to the members of
chosen fora; members answer in the platform; the summary shows counts without names,
suppressed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ssp import access
from ssp.reports import access as report_access


@access.require(report_access.can_see_reports)
def evaluations(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@access.require(report_access.can_manage_evaluations)
def evaluation_new(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@access.require(report_access.can_see_reports)
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@access.require(report_access.can_manage_evaluations)
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@require_POST
@access.require(report_access.can_manage_evaluations)
def evaluation_send(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@require_POST
@access.require(report_access.can_manage_evaluations)
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError  # SCAFFOLD


@access.require(access.has_access_role)
def evaluation_answer(request: HttpRequest, pk: int, forum_pk: int) -> HttpResponse:
    """A member's answer for one forum (her own open invitation, or 404)."""
    raise NotImplementedError  # SCAFFOLD
