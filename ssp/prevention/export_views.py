"""Stub: being written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def plan_xlsx(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)


def plan_pdf(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)
