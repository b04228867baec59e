"""The start page and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from ssp.cases import access as case_access
from ssp.cases import selectors as case_selectors
from ssp.http import actor_of
from ssp.meetings import selectors as meeting_selectors
from ssp.meetings import terms
from ssp.organisation import selectors
from ssp.reports import evaluations


def home(request: HttpRequest) -> HttpResponse:
    """The start page: 'My work' (tasks, cases, follow-ups, new concerns) and my fora.

    Every section is bounded (the first few, with a link to the whole list), so the page is as
    large and as fast in a municipality of a million as in one of ten thousand."""
    actor = actor_of(request)
    municipality = selectors.default_municipality_for(actor)
    work = case_selectors.my_work(actor) if case_access.can_raise_concern(actor) else None
    return render(
        request,
        "home.html",
        {
            "municipality": municipality,
            "actor": actor,
            # A member with no unit (e.g. new from single sign-on) is told whom to contact.
            "not_in_a_unit": actor.member_id is not None and not actor.unit_name,
            "my_fora": selectors.my_fora_preview(actor),
            "work": work,
            "meeting_tasks": meeting_selectors.my_open_tasks(actor),
            "invitations": evaluations.invitations_of(actor),
            "ending_terms": terms.terms_ending(actor, timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
