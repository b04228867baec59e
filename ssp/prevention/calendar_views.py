"""The activities calendar (R7): a month of the municipality's activities with double bookings
warned, and its iCalendar feed for Outlook (the same personal token as the meetings' feed)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.http import ICS, actor_of, file_response, user_of
from ssp.meetings.calendar import feed_token, user_for_token
from ssp.prevention import access as prevention_access
from ssp.prevention import calendar as activity_calendar
from ssp.prevention.models import ActivityKind


@access.require(prevention_access.can_see_prevention)
def calendar(request: HttpRequest) -> HttpResponse:
    """One month (?maaned=2026-12), filtered by forum (and its area), school or place and
    kind; grouped by day; double bookings warned."""
    actor = actor_of(request)
    search = activity_calendar.CalendarFilter.from_values(
        today=timezone.localdate(),
        month=request.GET.get("maaned", ""),
        forum=request.GET.get("forum", ""),
        area=request.GET.get("omraade", ""),
        unit=request.GET.get("enhed", ""),
        kind=request.GET.get("type", ""),
    )
    page = activity_calendar.calendar_page(actor, search)
    fora = activity_calendar.forum_choices(actor, search.month)
    if page.forum is not None and all(pk != page.forum.pk for pk, _name in fora):
        fora.insert(0, (page.forum.pk, page.forum.name))
    month = search.month
    path = reverse("prevention:calendar")
    token = feed_token(user_of(request))
    return render(
        request,
        "prevention/calendar.html",
        {
            "page": page,
            "search": search,
            "month_first": month.first,
            "previous_url": (
                f"{path}?{urlencode(search.query(maaned=month.previous.param))}"
                if month.previous is not None
                else ""
            ),
            "next_url": (
                f"{path}?{urlencode(search.query(maaned=month.next.param))}"
                if month.next is not None
                else ""
            ),
            "this_month_url": f"{path}?{urlencode(search.query(maaned=''))}",
            "filtered": search.forum_id is not None or search.unit_id is not None or search.kind,
            "fora": fora,
            "units": activity_calendar.unit_choices(actor, month),
            "kinds": ActivityKind.choices,
            "calendar_max": activity_calendar.CALENDAR_MAX,
            "feed_url": request.build_absolute_uri(
                reverse("prevention:calendar_feed", args=[token])
            ),
        },
    )


@login_not_required
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The activities the token's user may see, the last 30 days and the coming year; 404 for
    a token that is not (or no longer) valid."""
    actor = access.get_actor(user_for_token(token))
    activities = activity_calendar.feed_activities(actor, today=timezone.localdate())
    body = activity_calendar.activity_feed(request, activities, _("SSP-aktiviteter"))
    response = file_response(
        body, content_type=ICS, filename="aktiviteter.ics", disposition="inline"
    )
    response["Cache-Control"] = "private"  # the address is personal: no shared cache keeps it
    return response
