"""The standing item "Koordinering af oplæg, undervisning ..." (Høje-Taastrup): under it the
agenda shows the coming period's activities in the forum's area, live from the calendar.

- The coming period: from the meeting's day to the day before the forum's next planned meeting
  after it, or 8 weeks when none is planned.
- The forum's area: the activities of its plans and of its child fora's plans, and the
  activities at the schools and places of its school district (`calendar.area_q`).

Registered as an `ItemPanel` (`ssp/meetings/links.py`), so the meetings app does not import
prevention. The agenda page calls it for logged-in readers only (never the public pages); the
activities are read through `access.visible_activities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ssp.meetings.links import ItemPanel, PanelContent, PanelRow, register_panel
from ssp.prevention import access
from ssp.prevention import calendar as activity_calendar
from ssp.prevention.models import Activity

if TYPE_CHECKING:
    from ssp.access import Actor
    from ssp.meetings.models import AgendaItem, Meeting

PANEL_KEY = "prevention.coordination"
TITLE_PREFIX = "koordinering af oplæg"  # casefolded: the preset's and the demo's wording
DEFAULT_PERIOD = timedelta(weeks=8)
ROWS_MAX = 25


def matches(item: AgendaItem) -> bool:
    return item.title.strip().casefold().startswith(TITLE_PREFIX)


@dataclass(frozen=True)
class Period:
    first: date
    end: date  # exclusive: the next meeting's day

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def coming_period(meeting: Meeting) -> Period:
    """From the meeting's day to the forum's next planned meeting after that day (exclusive),
    or 8 weeks."""
    from ssp.meetings.models import Meeting, MeetingKind, MeetingStatus

    first = timezone.localdate(meeting.starts_at)
    after = timezone.make_aware(datetime.combine(first + timedelta(days=1), time.min))
    following = (
        Meeting.objects.filter(
            forum_id=meeting.forum_id,
            status=MeetingStatus.PLANNED,
            kind__in=(MeetingKind.REGULAR, MeetingKind.EXTRA, MeetingKind.ACUTE),
            starts_at__gte=after,
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if following is None:
        return Period(first, first + DEFAULT_PERIOD)
    return Period(first, timezone.localdate(following))


def _when(activity: Activity) -> str:
    day = date_format(activity.starts_on, "D j.n.")
    if activity.ends_on != activity.starts_on:
        day = f"{day}–{date_format(activity.ends_on, 'j.n.')}"
    if activity.start_time is None:
        return day
    hours = activity.start_time.strftime("%H.%M")
    if activity.end_time is not None:
        hours = f"{hours}–{activity.end_time.strftime('%H.%M')}"
    return _("%(day)s kl. %(hours)s") % {"day": day, "hours": hours}


def _text(activity: Activity) -> str:
    place = ", ".join(
        name for name in (activity.unit.name if activity.unit else "", activity.place) if name
    )
    parts = [activity.title, activity.get_kind_display(), activity.classes, place]
    return " · ".join(part for part in parts if part)


def content(actor: Actor, meeting: Meeting) -> PanelContent:
    """The coming period's activities in the forum's area, at most ROWS_MAX, double bookings
    warned (a fixed number of queries)."""
    period = coming_period(meeting)
    heading = _(
        "Kommende oplæg, undervisning og arrangementer i området (%(first)s – %(last)s)"
    ) % {
        "first": date_format(period.first, "j.n.Y"),
        "last": date_format(period.last, "j.n.Y"),
    }
    empty = _("Ingen planlagte aktiviteter i perioden.")
    if not access.can_see_prevention(actor):
        return PanelContent(heading=heading, empty_text=empty)
    forum = meeting.forum
    found = activity_calendar.in_window(
        access.visible_activities(actor).filter(activity_calendar.area_q(forum)),
        period.first,
        period.last,
    ).select_related("unit")
    activities = list(found[: ROWS_MAX + 1])
    shown = activities[:ROWS_MAX]
    booked = activity_calendar.double_bookings(shown)
    rows = [
        PanelRow(
            when=_when(activity),
            text=_text(activity),
            url=reverse("prevention:activity", args=[activity.pk]),
            warning=(
                _("Dobbeltbooking: %(what)s")
                % {
                    "what": "; ".join(
                        activity_calendar.conflict_text(c) for c in booked[activity.pk]
                    )
                }
                if activity.pk in booked
                else ""
            ),
        )
        for activity in shown
    ]
    query = urlencode({"forum": forum.pk, "omraade": "1", "maaned": f"{period.first:%Y-%m}"})
    more = len(activities) > ROWS_MAX
    return PanelContent(
        heading=heading,
        rows=rows,
        empty_text=empty,
        more_url=f"{reverse('prevention:calendar')}?{query}",
        more_text=(
            _("Se alle aktiviteter i aktivitetskalenderen")
            if more
            else _("Åbn aktivitetskalenderen")
        ),
    )


def register() -> None:
    """Register with ssp.meetings.links."""
    register_panel(ItemPanel(key=PANEL_KEY, matches=matches, content=content))
