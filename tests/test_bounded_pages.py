"""The list pages are bounded (issue 11): 500 more cases, concerns, tasks, follow-ups, meetings and
fora change neither the number of queries nor the size of the page, and every list paginates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseStatus,
    Concern,
    ConcernStatus,
    Level,
    Task,
    YoungPerson,
)
from ssp.meetings.models import AgendaItem, Meeting
from ssp.organisation.models import Forum, ForumLevel, Member, Membership, Municipality

pytestmark = pytest.mark.django_db

# Enough rows to fill every list and section to its bound, then many more.
FULL = 120
MORE = 500
# The HTML may differ by a few digits (ids, "Side 1 af 3" against "Side 1 af 23").
SIZE_TOLERANCE = 0.02
MAX_HTML_BYTES = 150 * 1024


def _forum(demo: Municipality, key: str) -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def add_rows(demo: Municipality, users: dict[str, User], count: int, start: int) -> None:
    """`count` more of everything the list pages show, in bulk (the pages, not the services,
    are under test here)."""
    local = _forum(demo, "lokal-ssp-oest")
    coordination = _forum(demo, "koordinationsgruppe")
    social = Member.objects.get(user__username="socialraadgiver")
    coordinator = Member.objects.get(user__username="koordinator")
    today = timezone.localdate()
    now = timezone.now()
    numbers = range(start, start + count)
    people = YoungPerson.objects.bulk_create(
        YoungPerson(
            municipality=demo,
            first_name=f"Ung{n}",
            last_name="Test",
            birth_date=today.replace(year=today.year - 14),
        )
        for n in numbers
    )
    cases = Case.objects.bulk_create(
        Case(
            municipality=demo,
            young_person=person,
            level=Level.YELLOW,
            forum=local,
            status=CaseStatus.OPEN if n % 4 else CaseStatus.CLOSED,
            opened_by=users["koordinator"],
        )
        for n, person in zip(numbers, people, strict=True)
    )
    Concern.objects.bulk_create(
        Concern(
            municipality=demo,
            subject="person",
            young_person=person,
            source="staff",
            description="Bekymring",
            forum=local,
            status=ConcernStatus.NEW if n % 2 else ConcernStatus.CASE_OPENED,
            raised_by=users["laerer"],
            case=case if n % 2 == 0 else None,
        )
        for n, person, case in zip(numbers, people, cases, strict=True)
    )
    agreements = ActionAgreement.objects.bulk_create(
        ActionAgreement(
            case=case,
            first_action="Møde",
            coordinator=social,
            contact_person=coordinator,
            follow_up_date=today + timedelta(days=3),
            created_by=users["koordinator"],
        )
        for case in cases
    )
    Task.objects.bulk_create(
        Task(
            case=agreement.case,
            agreement=agreement,
            owner=owner,
            description=f"Opgave {agreement.case.young_person.first_name}",
            due_date=today + timedelta(days=2),
        )
        for agreement in agreements
        for owner in (social, coordinator)
    )
    Meeting.objects.bulk_create(
        Meeting(
            forum=local,
            starts_at=now + timedelta(days=offset, hours=1),
            ends_at=now + timedelta(days=offset, hours=2),
        )
        for n in numbers
        for offset in ((n % 80) + 1, -((n % 25) + 1))
    )
    fora = Forum.objects.bulk_create(
        Forum(
            municipality=demo,
            key=f"ekstra-{n}",
            name=f"Ekstra lokalgruppe {n}",
            forum_type="lokalgruppe",
            level=ForumLevel.OPERATIONAL,
            cadence="monthly",
            parent=coordination,
        )
        for n in numbers
    )
    Membership.objects.bulk_create(
        Membership(forum=forum, member=member) for forum in fora for member in (coordinator, social)
    )


@dataclass(frozen=True)
class Measure:
    queries: int
    size: int


def measure(client: Client, url: str) -> Measure:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return Measure(len(captured.captured_queries), len(response.content))


def _pages(demo: Municipality) -> list[tuple[str, str]]:
    coordination = _forum(demo, "koordinationsgruppe")
    return [
        ("koordinator", "/"),
        ("koordinator", "/sager/"),
        ("koordinator", "/sager/?status=all"),
        ("koordinator", "/bekymringer/"),
        ("koordinator", "/moeder/"),
        ("koordinator", f"/moeder/?aar={timezone.localdate().year}"),
        ("koordinator", "/organisation/aadal/"),
        ("koordinator", f"/organisation/aadal/fora/?under={coordination.pk}"),
        ("koordinator", f"/organisation/fora/{coordination.pk}/"),
        ("koordinator", "/organisation/fora/mine/"),
        ("socialraadgiver", "/"),
        ("socialraadgiver", "/sager/"),
        ("socialraadgiver", "/bekymringer/"),
        ("socialraadgiver", "/moeder/"),
        ("laerer", "/"),
        ("laerer", "/bekymringer/"),
    ]


def test_500_more_rows_change_neither_queries_nor_size_of_the_list_pages(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    pages = _pages(demo)
    clients = {role: client_for(role) for role in {role for role, _url in pages}}
    for client in clients.values():
        client.get("/")  # a session's first page remembers the confidentiality acknowledgement
    full = {(role, url): measure(clients[role], url) for role, url in pages}
    add_rows(demo, users, MORE, start=FULL + 1)
    grown = []
    for role, url in pages:
        more = measure(clients[role], url)
        before = full[(role, url)]
        if (
            more.queries != before.queries
            or abs(more.size - before.size) > before.size * SIZE_TOLERANCE
            or more.size > MAX_HTML_BYTES
        ):
            grown.append((role, url, before, more))
    assert grown == []


def test_the_case_list_paginates_with_its_open_task_counts(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    client = client_for("koordinator")
    first = client.get("/sager/").context["page"]
    second = client.get("/sager/?side=2").context["page"]
    open_cases = Case.objects.filter(municipality=demo, status=CaseStatus.OPEN)
    assert first.paginator.count == open_cases.count()
    ids = [case.pk for case in first.object_list] + [case.pk for case in second.object_list]
    assert len(ids) == len(set(ids)) == 2 * len(first.object_list)
    expected = {
        case.pk: case.tasks.filter(status="open").count() for case in open_cases.filter(pk__in=ids)
    }
    assert {case.pk: case.open_tasks for case in first.object_list} == {
        pk: expected[pk] for pk in ids[: len(first.object_list)]
    }
    newest = open_cases.order_by("-opened_at", "-pk").first()
    assert newest is not None and first.object_list[0].pk == newest.pk


def test_the_concern_list_paginates(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    client = client_for("socialraadgiver")
    page = client.get("/bekymringer/?side=2").context["page"]
    assert page.number == 2 and page.has_previous() and page.has_next()
    last = client.get(f"/bekymringer/?side={page.paginator.num_pages}").context["page"]
    assert not last.has_next()
    raised = [concern.raised_at for concern in page.object_list]
    assert raised == sorted(raised, reverse=True)


def test_the_concern_list_shows_the_register_name_only_where_the_case_is_visible(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """A concern in a forum the social worker is not in: she sees it because she raised it or
    because its case is hers; the register's name only in the second case (per row, on the
    page, without a query per row)."""
    add_rows(demo, users, 2, start=1)
    other_forum = _forum(demo, "lokal-ssp-vest")
    cases = list(Case.objects.filter(young_person__first_name__in=["Ung1", "Ung2"]))
    visible = next(case for case in cases if case.forum.key == "lokal-ssp-oest")
    person = visible.young_person
    with_case, without_case = Concern.objects.bulk_create(
        Concern(
            municipality=demo,
            subject="person",
            young_person=person,
            reported_name="Typet navn",
            source="staff",
            description="Bekymring",
            forum=other_forum,
            raised_by=users["socialraadgiver"],
            case=case,
        )
        for case in (visible, None)
    )
    rows = {
        row.concern.pk: row.person_name
        for row in client_for("socialraadgiver").get("/bekymringer/").context["rows"]
    }
    assert rows[with_case.pk] == person.full_name
    assert rows[without_case.pk] == "Typet navn"


def test_the_start_page_shows_the_first_fora_and_links_to_all(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    client = client_for("koordinator")
    html = client.get("/").content.decode()
    total = Membership.objects.filter(member__user__username="koordinator").count()
    assert f"Se alle dine {total} fora" in html
    mine = client.get("/organisation/fora/mine/")
    assert mine.context["page"].paginator.count == total
    names = [forum.name for forum in mine.context["page"].object_list]
    assert names == sorted(names)


def test_the_meeting_list_windows_and_the_archive_pages_by_year(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    client = client_for("koordinator")
    response = client.get("/moeder/")
    now = timezone.now()
    upcoming = response.context["upcoming"]
    shown = list(upcoming.object_list)
    assert shown and all(now <= m.starts_at < now + timedelta(days=90) for m in shown)
    assert [m.starts_at for m in shown] == sorted(m.starts_at for m in shown)
    assert upcoming.has_next()
    past = response.context["past"]
    assert past and all(now - timedelta(days=30) <= m.starts_at < now for m in past)
    year = timezone.localdate().year
    archive = client.get(f"/moeder/?aar={year}&side=2").context["archive"]
    assert archive.number == 2
    assert all(m.starts_at.year == year for m in archive.object_list)
    forum = _forum(demo, "lokal-ssp-oest")
    only = client.get(f"/moeder/?forum={forum.pk}")
    assert all(m.forum_id == forum.pk for m in only.context["upcoming"].object_list)
    assert 'data-testid="forum-feed-url"' in only.content.decode()


def test_the_meeting_list_answers_404_for_a_forum_the_user_does_not_sit_in(
    demo: Municipality, client_for: Callable[[str], Client]
) -> None:
    steering = _forum(demo, "styregruppe")
    assert client_for("laerer").get(f"/moeder/?forum={steering.pk}").status_code == 404


def test_the_chart_collapses_a_large_level_and_opens_it_on_demand(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    client = client_for("laerer")
    coordination = _forum(demo, "koordinationsgruppe")
    response = client.get("/organisation/aadal/")
    html = response.content.decode()
    operational = Forum.objects.filter(parent=coordination, level=ForumLevel.OPERATIONAL).count()
    assert f"{operational} fora på operationelt niveau" in html
    assert "Ekstra lokalgruppe" not in html
    assert "SSP Koordinationsgruppen" in html
    url = f"/organisation/aadal/fora/?under={coordination.pk}&niveau=operational"
    assert f'hx-get="{url.replace("&", "&amp;")}"' in html
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert fragment.content.decode().count('data-testid="forum-card"') == 50
    whole = client.get(url + "&side=2")
    assert "<html" in whole.content.decode()
    assert whole.context["page"].paginator.count == operational


def test_the_chart_page_refuses_an_unknown_level_and_an_invisible_forum(
    demo: Municipality, client_for: Callable[[str], Client]
) -> None:
    client = client_for("laerer")
    assert client.get("/organisation/aadal/fora/?niveau=nonsense").status_code == 404
    assert client.get("/organisation/aadal/fora/?under=abc").status_code == 404
    assert client.get("/organisation/aadal/fora/?under=999999").status_code == 404


def test_the_forum_page_names_the_first_reporting_fora_and_links_to_the_rest(
    demo: Municipality, users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    add_rows(demo, users, FULL, start=1)
    coordination = _forum(demo, "koordinationsgruppe")
    response = client_for("laerer").get(f"/organisation/fora/{coordination.pk}/")
    children = Forum.objects.filter(parent=coordination).count()
    assert len(response.context["children"]) == 25
    assert f"og {children - 25} fora mere" in response.content.decode()


def test_the_minutes_form_of_an_88_item_agenda_stays_under_150_kb(
    demo: Municipality, client_for: Callable[[str], Client]
) -> None:
    """The largest form: a decision, a responsible picker and a deadline per item. The picker
    renders no member list (a search), and its hint is shown once for all items."""
    now = timezone.now()
    meeting = Meeting.objects.create(
        forum=_forum(demo, "koordinationsgruppe"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=n, title=f"Punkt om fritidstilbud nummer {n}")
        for n in range(1, 89)
    )
    response = client_for("koordinator").get(f"/moeder/{meeting.pk}/referat/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="minutes-item"') == 88
    assert html.count('id="responsible-hint"') == 1
    assert len(response.content) < MAX_HTML_BYTES
