"""The start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ssp import access
from ssp.organisation import selectors


def home(request: HttpRequest) -> HttpResponse:
    actor = access.get_actor(request.user)
    municipality = selectors.default_municipality_for(actor)
    return render(
        request,
        "home.html",
        {
            "municipality": municipality,
            "my_fora": selectors.fora_of_member(actor),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
