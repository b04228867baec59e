"""The standing item "Koordinering af oplæg, undervisning ..." (R7, Høje-Taastrup): the
agenda shows the coming period's activities in the forum's area."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp.access import get_actor
from ssp.meetings.links import panels_for
from ssp.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from ssp.organisation.demo import COORDINATION_ITEM
from ssp.organisation.models import Forum, ForumLevel, ForumType, Municipality
from ssp.prevention import coordination
from ssp.prevention.coordination import ROWS_MAX, coming_period, content, matches
from tests.prevention.test_calendar import activity, forum, member, unit

pytestmark = pytest.mark.django_db

DAY = date(2031, 12, 4)  # the meeting's day, far from the demo's own activities


def at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def meeting_of(the_forum: Forum, day: date = DAY, **fields: Any) -> Meeting:
    return Meeting.objects.create(forum=the_forum, starts_at=at(day), ends_at=at(day, 16), **fields)


def actor_of(users: dict[str, User], username: str = "laerer") -> Any:
    return get_actor(users[username])


def test_it_matches_the_coordination_item_by_title() -> None:
    assert matches(AgendaItem(title=COORDINATION_ITEM))
    assert matches(AgendaItem(title="  KOORDINERING AF OPLÆG, undervisning m.m."))
    assert matches(AgendaItem(title="Koordinering af oplæg"))
    assert not matches(AgendaItem(title="Koordinering af møder"))
    assert not matches(AgendaItem(title="Orientering: koordinering af oplæg"))


def test_the_period_runs_to_the_forums_next_meeting(demo: Municipality) -> None:
    oest = forum(demo)
    meeting = meeting_of(oest)
    # Another forum's meeting, a cancelled one, a pre-meeting and one the same day do not count.
    meeting_of(forum(demo, "lokal-ssp-midt"), DAY + timedelta(days=7))
    meeting_of(oest, DAY + timedelta(days=10), status=MeetingStatus.CANCELLED)
    meeting_of(oest, DAY + timedelta(days=12), kind=MeetingKind.PRE_MEETING)
    Meeting.objects.create(forum=oest, starts_at=at(DAY, 18), ends_at=at(DAY, 19))
    meeting_of(oest, DAY + timedelta(days=35))
    meeting_of(oest, DAY + timedelta(days=70))
    period = coming_period(meeting)
    assert (period.first, period.end, period.last) == (
        DAY,
        DAY + timedelta(days=35),
        DAY + timedelta(days=34),
    )


def test_without_a_next_meeting_the_period_is_eight_weeks(demo: Municipality) -> None:
    period = coming_period(meeting_of(forum(demo, "lokal-ssp-vest"), DAY + timedelta(days=400)))
    assert period.end - period.first == timedelta(weeks=8)


def test_it_lists_the_coming_period_in_the_forums_area(
    demo: Municipality, users: dict[str, User]
) -> None:
    oest, midt = forum(demo), forum(demo, "lokal-ssp-midt")
    child = Forum.objects.create(
        municipality=demo,
        key="skole-ssp-oest",
        name="SSP-udvalget på Østskolen",
        forum_type=ForumType.OTHER,
        level=ForumLevel.OPERATIONAL,
        cadence=oest.cadence,
        parent=oest,
    )
    meeting = meeting_of(oest)
    meeting_of(oest, DAY + timedelta(days=28))
    talk = activity(
        demo,
        "Oplæg om sociale medier",
        starts_on=DAY + timedelta(days=5),
        start_time=time(10),
        end_time=time(11, 30),
        unit=unit(demo),
        class_from=7,
        class_to=7,
        responsible=member("koordinator"),
    )
    activity(demo, "På mødedagen", starts_on=DAY)
    activity(demo, "Underforummets temadag", forum=child, starts_on=DAY + timedelta(days=6))
    activity(
        demo, "Midt på Østskolen", forum=midt, unit=unit(demo), starts_on=DAY + timedelta(days=7)
    )
    # Outside the area, or outside the period:
    activity(demo, "Midt på Midtskolen", forum=midt, unit=unit(demo, "midtskolen"))
    activity(demo, "Før mødet", starts_on=DAY - timedelta(days=1))
    activity(demo, "På næste møde", starts_on=DAY + timedelta(days=28))
    shown = content(actor_of(users), meeting)
    assert shown.heading == (
        "Kommende oplæg, undervisning og arrangementer i området (4.12.2031 – 31.12.2031)"
    )
    assert [row.text.split(" · ")[0] for row in shown.rows] == [
        "På mødedagen",
        "Oplæg om sociale medier",
        "Underforummets temadag",
        "Midt på Østskolen",
    ]
    row = shown.rows[1]
    assert row.text == "Oplæg om sociale medier · Oplæg · 7. klasse · Østskolen"
    assert row.when.endswith("9.12. kl. 10.00–11.30")
    assert row.url == reverse("prevention:activity", args=[talk.pk])
    assert row.warning == ""
    assert shown.empty_text == "Ingen planlagte aktiviteter i perioden."
    assert shown.more_url == (
        f"{reverse('prevention:calendar')}?forum={oest.pk}&omraade=1&maaned=2031-12"
    )


def test_a_double_booking_is_warned_under_the_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = meeting_of(forum(demo))
    mette = member("koordinator")
    activity(demo, "Oplæg på Østskolen", starts_on=DAY + timedelta(days=2), responsible=mette)
    activity(demo, "Oplæg i klubben", starts_on=DAY + timedelta(days=2), responsible=mette)
    rows = content(actor_of(users), meeting).rows
    assert [row.warning for row in rows] == [
        "Dobbeltbooking: samme ansvarlige: Oplæg i klubben (6.12.2031)",
        "Dobbeltbooking: samme ansvarlige: Oplæg på Østskolen (6.12.2031)",
    ]


def test_the_list_is_capped_with_a_link_to_the_calendar(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = meeting_of(forum(demo))
    for n in range(ROWS_MAX + 3):
        activity(demo, f"Oplæg {n}", starts_on=DAY + timedelta(days=1 + n % 20))
    shown = content(actor_of(users), meeting)
    assert len(shown.rows) == ROWS_MAX
    assert shown.more_text == "Se alle aktiviteter i aktivitetskalenderen"


def test_an_empty_period_says_so(demo: Municipality, users: dict[str, User]) -> None:
    shown = content(actor_of(users), meeting_of(forum(demo, "lokal-ssp-vest")))
    assert shown.rows == []
    assert shown.empty_text == "Ingen planlagte aktiviteter i perioden."


def test_someone_without_prevention_gets_no_activities(demo: Municipality) -> None:
    meeting = meeting_of(forum(demo))
    activity(demo, "Oplæg", starts_on=DAY + timedelta(days=1))
    shown = content(get_actor(AnonymousUser()), meeting)
    assert shown.rows == [] and shown.more_url == ""


def test_the_panel_is_registered_for_the_standing_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    """The demo's upcoming meeting of the local group Øst has the standing item."""
    upcoming = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    items = list(upcoming.items.order_by("position"))
    panels = panels_for(actor_of(users, "koordinator"), upcoming, items)
    [item] = [i for i in items if i.title == COORDINATION_ITEM]
    assert list(panels) == [item.pk]
    assert panels[item.pk].heading.startswith("Kommende oplæg, undervisning og arrangementer")


def test_the_panel_queries_do_not_grow_with_the_activities(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = meeting_of(forum(demo))
    actor = actor_of(users)
    people = [member("koordinator"), member("laerer")]

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            activity(
                demo,
                f"Aktivitet {n}",
                starts_on=DAY + timedelta(days=n % 30),
                responsible=people[n % 2],
                unit=unit(demo),
                class_from=n % 10,
            )

    def queries() -> int:
        fresh = Meeting.objects.get(pk=meeting.pk)
        with CaptureQueriesContext(connection) as captured:
            content(actor, fresh)
        return len(captured)

    add(0, 3)
    few = queries()
    add(3, 40)
    assert queries() == few
    assert coordination.PANEL_KEY == "prevention.coordination"
