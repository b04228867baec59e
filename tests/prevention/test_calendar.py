"""The activities calendar (R7, Høje-Taastrup): double bookings of a person or a class, the
month page with its filters and warnings, and the iCalendar feed (no names)."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ssp.meetings.calendar import feed_token
from ssp.organisation.models import Forum, Member, Municipality, Unit
from ssp.prevention import calendar as activity_calendar
from ssp.prevention.calendar import Conflict, Month, conflicts, double_bookings, school_year_of
from ssp.prevention.models import Activity, ActivityKind, ActivityStatus, AnnualPlan, PlanStatus
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

CALENDAR = reverse("prevention:calendar")
DECEMBER = date(2031, 12, 1)  # far from the demo's own activities
MONTH = "2031-12"


def forum(demo: Municipality, key: str = "lokal-ssp-oest") -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def unit(demo: Municipality, slug: str = "oestskolen") -> Unit:
    return Unit.objects.get(municipality=demo, slug=slug)


def plan_of(the_forum: Forum, day: date) -> AnnualPlan:
    assert the_forum.municipality is not None
    plan, _created = AnnualPlan.objects.get_or_create(
        forum=the_forum,
        school_year=school_year_of(day),
        defaults={"municipality": the_forum.municipality, "status": PlanStatus.APPROVED},
    )
    return plan


def activity(demo: Municipality, title: str = "Oplæg om trivsel", **fields: Any) -> Activity:
    """An activity of the local group Øst's plan (or `plan=`), on DECEMBER unless told."""
    starts_on = fields.pop("starts_on", DECEMBER)
    the_forum = fields.pop("forum", None) or forum(demo)
    values: dict[str, Any] = {
        "plan": plan_of(the_forum, starts_on),
        "municipality": demo,
        "title": title,
        "kind": ActivityKind.TALK,
        "starts_on": starts_on,
        "ends_on": fields.pop("ends_on", starts_on),
    }
    values.update(fields)
    return Activity.objects.create(**values)


def ask(demo: Municipality, **fields: Any) -> list[Conflict]:
    """`conflicts` for an activity like `activity` would save."""
    values: dict[str, Any] = {
        "municipality_id": demo.pk,
        "starts_on": DECEMBER,
        "ends_on": DECEMBER,
        "start_time": None,
        "end_time": None,
        "responsible_id": None,
        "unit_id": None,
        "class_from": None,
        "class_to": None,
    }
    values.update(fields)
    return conflicts(**values)


# --- Double bookings -------------------------------------------------------------------------


def test_it_warns_of_the_same_responsible_person(demo: Municipality) -> None:
    mette = member("koordinator")
    booked = activity(demo, "Oplæg om sociale medier", responsible=mette)
    activity(demo, "Andet oplæg", responsible=member("laerer"))
    found = ask(demo, responsible_id=mette.pk)
    assert [(c.activity.pk, c.reason) for c in found] == [(booked.pk, "samme ansvarlige")]


def test_it_warns_of_the_same_class_at_the_same_school(demo: Municipality) -> None:
    school = unit(demo)
    booked = activity(demo, unit=school, class_from=7, class_to=8)
    found = ask(demo, unit_id=school.pk, class_from=8, class_to=9)
    assert [(c.activity.pk, c.reason) for c in found] == [(booked.pk, "samme klasse")]
    # A single class given as "from" only is that class.
    assert [c.activity.pk for c in ask(demo, unit_id=school.pk, class_from=7)] == [booked.pk]


def test_different_classes_at_the_same_school_are_no_double_booking(demo: Municipality) -> None:
    school = unit(demo)
    activity(demo, unit=school, class_from=7, class_to=7)
    activity(demo, unit=unit(demo, "midtskolen"), class_from=5, class_to=5)
    assert ask(demo, unit_id=school.pk, class_from=5, class_to=6) == []
    # Classes at one activity and none at the other: not the same class.
    assert ask(demo, unit_id=school.pk) == []


def test_two_activities_without_classes_at_one_place_are_the_same_class(
    demo: Municipality,
) -> None:
    club = unit(demo, "klub-oest")
    booked = activity(demo, "Temaaften i klubben", unit=club)
    found = ask(demo, unit_id=club.pk)
    assert [(c.activity.pk, c.reason) for c in found] == [(booked.pk, "samme klasse")]


def test_the_same_person_and_class_gives_both_reasons(demo: Municipality) -> None:
    mette, school = member("koordinator"), unit(demo)
    activity(demo, responsible=mette, unit=school, class_from=7, class_to=7)
    [found] = ask(demo, responsible_id=mette.pk, unit_id=school.pk, class_from=7, class_to=7)
    assert found.reason == "samme ansvarlige, samme klasse"


def test_times_that_do_not_overlap_are_no_double_booking(demo: Municipality) -> None:
    mette = member("koordinator")
    morning = activity(demo, responsible=mette, start_time=time(9), end_time=time(11))
    assert ask(demo, responsible_id=mette.pk, start_time=time(11), end_time=time(12)) == []
    assert ask(demo, responsible_id=mette.pk, start_time=time(7), end_time=time(9)) == []
    overlapping = ask(demo, responsible_id=mette.pk, start_time=time(10), end_time=time(12))
    assert [c.activity.pk for c in overlapping] == [morning.pk]
    # Without times an activity takes the whole day.
    assert [c.activity.pk for c in ask(demo, responsible_id=mette.pk)] == [morning.pk]
    # Another day is no double booking.
    later = DECEMBER + timedelta(days=1)
    assert ask(demo, responsible_id=mette.pk, starts_on=later, ends_on=later) == []


def test_overlapping_periods_are_a_double_booking(demo: Municipality) -> None:
    mette = member("koordinator")
    week = activity(demo, "Temauge", responsible=mette, ends_on=DECEMBER + timedelta(days=4))
    day = DECEMBER + timedelta(days=3)
    assert [
        c.activity.pk for c in ask(demo, responsible_id=mette.pk, starts_on=day, ends_on=day)
    ] == [week.pk]


def test_an_activity_is_not_double_booked_with_itself(demo: Municipality) -> None:
    mette = member("koordinator")
    own = activity(demo, responsible=mette)
    assert ask(demo, responsible_id=mette.pk, exclude_pk=own.pk) == []
    assert len(ask(demo, responsible_id=mette.pk)) == 1


def test_the_double_bookings_are_bounded(demo: Municipality) -> None:
    mette = member("koordinator")
    for n in range(activity_calendar.CONFLICTS_MAX + 5):
        activity(demo, f"Oplæg {n}", responsible=mette)
    assert len(ask(demo, responsible_id=mette.pk)) == activity_calendar.CONFLICTS_MAX


def test_the_calendar_window_finds_the_same_double_bookings(demo: Municipality) -> None:
    """`double_bookings` (the page, in memory) agrees with `conflicts` (the services, SQL)."""
    chance = random.Random(12)
    people = [member("koordinator"), member("laerer"), None]
    places = [unit(demo), unit(demo, "klub-oest"), None]
    made = []
    for n in range(40):
        start = DECEMBER + timedelta(days=chance.randrange(4))
        low = chance.choice([None, 5, 6, 7, 8])
        hour = chance.choice([None, 8, 9, 10, 12])
        made.append(
            activity(
                demo,
                f"Aktivitet {n}",
                starts_on=start,
                ends_on=start + timedelta(days=chance.choice([0, 0, 0, 1])),
                start_time=None if hour is None else time(hour),
                end_time=None if hour is None else time(hour + chance.choice([1, 2])),
                responsible=chance.choice(people),
                unit=chance.choice(places),
                class_from=low,
                class_to=None if low is None else low + chance.choice([0, 1]),
            )
        )
    window = double_bookings(made)
    for a in made:
        expected = ask(
            demo,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            start_time=a.start_time,
            end_time=a.end_time,
            responsible_id=a.responsible_id,
            unit_id=a.unit_id,
            class_from=a.class_from,
            class_to=a.class_to,
            exclude_pk=a.pk,
        )
        got = window.get(a.pk, [])
        assert [(c.activity.pk, c.reason) for c in got] == [
            (c.activity.pk, c.reason) for c in expected
        ], a.title


# --- The month page --------------------------------------------------------------------------


def titles(response: Any) -> list[str]:
    return [row.activity.title for day in response.context["page"].days for row in day.rows]


def test_it_shows_the_month_asked_for(client_for: Any, demo: Municipality) -> None:
    activity(demo, "I november", starts_on=DECEMBER - timedelta(days=2))
    activity(
        demo,
        "Henover månedsskiftet",
        starts_on=DECEMBER - timedelta(days=1),
        ends_on=DECEMBER + timedelta(days=1),
    )
    activity(demo, "Den 10.", starts_on=DECEMBER + timedelta(days=9), start_time=time(10))
    activity(demo, "Den 10. tidligt", starts_on=DECEMBER + timedelta(days=9), start_time=time(8))
    activity(demo, "I januar", starts_on=date(2032, 1, 1))
    response = client_for("laerer").get(CALENDAR, {"maaned": MONTH})
    assert response.status_code == 200
    assert titles(response) == ["Henover månedsskiftet", "Den 10. tidligt", "Den 10."]
    days = [day.day for day in response.context["page"].days]
    assert days == [DECEMBER, DECEMBER + timedelta(days=9)]
    page = response.content.decode()
    assert "December 2031" in page
    assert "maaned=2031-11" in page and "maaned=2032-01" in page  # previous, next
    assert 'data-testid="calendar-feed"' in page
    assert reverse("prevention:activity", args=[Activity.objects.get(title="Den 10.").pk]) in page


@pytest.mark.parametrize("value", ["", "2031-13", "abc", "1899-12", "2031-12-01", "²031-1"])
def test_a_month_that_does_not_parse_is_this_month(
    client_for: Any, demo: Municipality, value: str
) -> None:
    response = client_for("laerer").get(CALENDAR, {"maaned": value})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["search"].month == Month(today.year, today.month)


def test_the_last_and_first_month_have_no_link_beyond_the_range(
    client_for: Any, demo: Municipality
) -> None:
    assert client_for("laerer").get(CALENDAR, {"maaned": "2100-12"}).context["next_url"] == ""
    assert client_for("laerer").get(CALENDAR, {"maaned": "1900-01"}).context["previous_url"] == ""


def test_it_filters_by_forum_place_and_kind(client_for: Any, demo: Municipality) -> None:
    oest, midt = forum(demo), forum(demo, "lokal-ssp-midt")
    activity(demo, "Øst oplæg", unit=unit(demo))
    activity(demo, "Øst temadag", kind=ActivityKind.THEME_DAY, unit=unit(demo, "klub-oest"))
    activity(demo, "Midt oplæg", forum=midt, unit=unit(demo, "midtskolen"))
    activity(demo, "Midt på Østskolen", forum=midt, unit=unit(demo))
    client = client_for("politiker")
    everything = client.get(CALENDAR, {"maaned": MONTH})
    assert len(titles(everything)) == 4
    assert (oest.pk, oest.name) in everything.context["fora"]
    assert (midt.pk, midt.name) in everything.context["fora"]
    assert [name for _pk, name in everything.context["units"]] == [
        "Midtskolen",
        "Ungdomsklubben Øst",
        "Østskolen",
    ]
    by_forum = client.get(CALENDAR, {"maaned": MONTH, "forum": oest.pk})
    assert sorted(titles(by_forum)) == ["Øst oplæg", "Øst temadag"]
    # The forum's area: also the activities at the schools of its district.
    area = client.get(CALENDAR, {"maaned": MONTH, "forum": oest.pk, "omraade": "1"})
    assert sorted(titles(area)) == ["Midt på Østskolen", "Øst oplæg", "Øst temadag"]
    by_unit = client.get(CALENDAR, {"maaned": MONTH, "enhed": unit(demo).pk})
    assert sorted(titles(by_unit)) == ["Midt på Østskolen", "Øst oplæg"]
    by_kind = client.get(CALENDAR, {"maaned": MONTH, "type": ActivityKind.THEME_DAY})
    assert titles(by_kind) == ["Øst temadag"]
    # The month links keep the filters.
    assert f"forum={oest.pk}" in by_forum.context["next_url"]
    # Nonsense is left out, never a 500.
    odd = client.get(CALENDAR, {"maaned": MONTH, "forum": "x", "enhed": "-1", "type": "nope"})
    assert odd.status_code == 200 and len(titles(odd)) == 4
    # A forum of another municipality, or none at all: nothing.
    assert titles(client.get(CALENDAR, {"maaned": MONTH, "forum": 999999})) == []


def test_the_empty_month_says_so(client_for: Any, demo: Municipality) -> None:
    response = client_for("laerer").get(CALENDAR, {"maaned": "2099-03"})
    assert 'data-testid="calendar-empty"' in response.content.decode()


def test_a_double_booking_is_flagged_with_its_reason(client_for: Any, demo: Municipality) -> None:
    mette = member("koordinator")
    first = activity(demo, "Oplæg om sociale medier", responsible=mette, start_time=time(9))
    second = activity(
        demo, "Forældremøde om nettet", kind=ActivityKind.PARENT_EVENING, responsible=mette
    )
    activity(demo, "Alene", starts_on=DECEMBER + timedelta(days=5), responsible=mette)
    response = client_for("laerer").get(CALENDAR, {"maaned": MONTH})
    rows = {row.activity.pk: row for day in response.context["page"].days for row in day.rows}
    assert rows[first.pk].double_bookings == [
        "samme ansvarlige: Forældremøde om nettet (1.12.2031)"
    ]
    assert rows[second.pk].double_bookings == [
        "samme ansvarlige: Oplæg om sociale medier (1.12.2031)"
    ]
    page = response.content.decode()
    assert page.count('data-testid="double-booking"') == 2
    assert "Dobbeltbooking" in page
    assert 'data-testid="activity-status"' in page and "Planlagt" in page


def test_a_full_month_says_there_are_more(
    client_for: Any, demo: Municipality, monkeypatch: Any
) -> None:
    monkeypatch.setattr(activity_calendar, "CALENDAR_MAX", 3)
    for n in range(5):
        activity(demo, f"Oplæg {n}")
    response = client_for("laerer").get(CALENDAR, {"maaned": MONTH})
    assert len(titles(response)) == 3
    assert 'data-testid="calendar-more"' in response.content.decode()


def _month_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CALENDAR, {"maaned": MONTH})
    assert response.status_code == 200
    return len(captured)


def test_the_calendar_page_queries_do_not_grow_with_the_activities(
    client_for: Any, demo: Municipality
) -> None:
    people = [member("koordinator"), member("laerer"), member("politi")]
    places = [unit(demo), unit(demo, "klub-oest"), unit(demo, "midtskolen")]
    fora = [forum(demo), forum(demo, "lokal-ssp-midt"), forum(demo, "lokal-ssp-vest")]

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            activity(
                demo,
                f"Aktivitet {n}",
                forum=fora[n % 3],
                starts_on=DECEMBER + timedelta(days=n % 28),
                responsible=people[n % 3],
                unit=places[n % 3],
                class_from=n % 10,
                status=ActivityStatus.PLANNED,
            )

    client = client_for("koordinator")
    add(0, 5)
    few = _month_queries(client)
    add(5, 55)
    many = _month_queries(client)
    assert len(titles(client.get(CALENDAR, {"maaned": MONTH}))) == 60
    assert many == few


@pytest.mark.parametrize("role", ROLES)
def test_every_demo_role_sees_the_calendar(client_for: Any, demo: Municipality, role: str) -> None:
    activity(demo, "Oplæg om sociale medier")
    response = client_for(role).get(CALENDAR, {"maaned": MONTH})
    assert response.status_code == 200
    assert titles(response) == ["Oplæg om sociale medier"]


def test_anonymous_is_sent_to_log_in(demo: Municipality) -> None:
    response = Client().get(CALENDAR)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


# --- The feed --------------------------------------------------------------------------------


def _events(body: bytes) -> dict[str, Any]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_gives_the_activities_without_names(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    today = timezone.localdate()
    mette = member("koordinator")
    talk = activity(
        demo,
        "Oplæg om sociale medier",
        starts_on=today + timedelta(days=5),
        start_time=time(10),
        end_time=time(11, 30),
        responsible=mette,
        unit=unit(demo),
        class_from=7,
        class_to=7,
    )
    day = activity(
        demo,
        "Temadag om fravær",
        kind=ActivityKind.THEME_DAY,
        starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=21),
        place="Hallen",
        responsible=member("laerer"),
    )
    activity(demo, "For længe siden", starts_on=today - timedelta(days=60))
    activity(demo, "Langt ude i fremtiden", starts_on=today + timedelta(days=400))
    url = reverse("prevention:calendar_feed", args=[feed_token(users["politiker"])])
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) >= {f"activity-{talk.pk}@ssp", f"activity-{day.pk}@ssp"}
    titles_in_feed = {str(e["summary"]) for e in events.values()}
    assert "For længe siden" not in titles_in_feed
    assert "Langt ude i fremtiden" not in titles_in_feed
    event = events[f"activity-{talk.pk}@ssp"]
    assert str(event["location"]) == "Østskolen"
    assert "7. klasse" in str(event["description"])
    assert "Det lokale SSP-samarbejde, Distrikt Øst" in str(event["description"])
    assert event.decoded("dtstart").hour == 10
    whole = events[f"activity-{day.pk}@ssp"]
    assert whole.decoded("dtstart") == today + timedelta(days=20)
    assert whole.decoded("dtend") == today + timedelta(days=22)  # exclusive
    body = response.content.decode()
    for person in Member.objects.filter(municipality=demo):
        assert person.name not in body
        assert person.name.split()[0] not in body


def test_a_bad_token_is_404(demo: Municipality, users: dict[str, User]) -> None:
    token = feed_token(users["laerer"])
    assert Client().get(reverse("prevention:calendar_feed", args=["nonsense"])).status_code == 404
    assert (
        Client().get(reverse("prevention:calendar_feed", args=[token[:-2] + "xx"])).status_code
        == 404
    )
    # A new password gives a new address: the old one stops.
    users["laerer"].set_password("et-helt-nyt-kodeord-42")
    users["laerer"].save()
    assert Client().get(reverse("prevention:calendar_feed", args=[token])).status_code == 404


def test_the_calendar_page_offers_the_users_own_feed(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    response = client_for("laerer").get(CALENDAR)
    expected = reverse("prevention:calendar_feed", args=[feed_token(users["laerer"])])
    assert response.context["feed_url"].endswith(expected)


def test_an_activity_running_all_school_year_is_in_each_month_and_double_booked(
    client_for: Any, demo: Municipality
) -> None:
    mette = member("koordinator")
    year = activity(
        demo,
        "Opsøgende arbejde hele skoleåret",
        kind=ActivityKind.OUTREACH,
        starts_on=date(2031, 8, 1),
        ends_on=date(2032, 7, 31),
        responsible=mette,
    )
    response = client_for("laerer").get(CALENDAR, {"maaned": MONTH})
    assert titles(response) == ["Opsøgende arbejde hele skoleåret"]
    assert [c.activity.pk for c in ask(demo, responsible_id=mette.pk)] == [year.pk]
