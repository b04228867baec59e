"""The weekly review and the deadline board stay the same size however many reports wait and
deadlines run (issue 11): one page of each, the routing form opened on demand, overdue deadlines
first, and a view event that names exactly the page shown."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import YoungPerson
from ssp.organisation.models import Member, Municipality
from ssp.police import selectors
from ssp.police.models import Deadline, DeadlineKind, PoliceReport, ReportStatus, Routing
from tests.helpers_db import no_deferred_loads

pytestmark = pytest.mark.django_db

REVIEW = "/politi/"
BOARD = "/frister/"
ROUTE_LINK = re.compile(r'href="/politi/rapporter/(\d+)/fordel/"')
BOARD_ROW = re.compile(r'action="/frister/(\d+)/overholdt/|href="/frister/(\d+)/netvaerkssamraad/"')
# The page's counts ("633 rapporter venter", "Side 1 af 32") may grow by a few characters.
SIZE_MARGIN = 40


def today() -> date:
    return timezone.localdate()


def young_people(demo: Municipality) -> list[YoungPerson]:
    people = list(YoungPerson.objects.filter(municipality=demo).order_by("pk")[:5])
    assert people
    return people


def add_waiting_reports(demo: Municipality, count: int, *, received_on: date) -> list[int]:
    """`count` waiting reports received on one day (queued in the order of their pks)."""
    people = young_people(demo)
    creator = User.objects.get(username="koordinator")
    start = PoliceReport.objects.count()
    created = PoliceReport.objects.bulk_create(
        PoliceReport(
            municipality=demo,
            young_person=people[i % len(people)],
            incident_at=timezone.make_aware(
                datetime.combine(received_on - timedelta(days=1), time(20, 0))
            ),
            offence_text="Butikstyveri",
            police_reference=f"SCALE-{start + i}",
            received_on=received_on,
            created_by=creator,
        )
        for i in range(count)
    )
    return [report.pk for report in created]


def add_open_deadlines(
    demo: Municipality, due: list[date], *, responsible: Member | None = None
) -> list[int]:
    people = young_people(demo)
    created = Deadline.objects.bulk_create(
        Deadline(
            municipality=demo,
            kind=DeadlineKind.FAMILY_MEETING,
            young_person=people[i % len(people)],
            starts_on=min(day, today()) - timedelta(days=7),
            due_on=day,
            responsible=responsible,
        )
        for i, day in enumerate(due)
    )
    return [deadline.pk for deadline in created]


def queue_order(demo: Municipality) -> list[int]:
    """The waiting reports in the queue's order: as they arrived."""
    waiting = PoliceReport.objects.filter(municipality=demo, status=ReportStatus.WAITING)
    return list(waiting.order_by("pk").values_list("pk", flat=True))


def measured(client: Client, url: str) -> tuple[int, int]:
    """Queries and HTML length of a page (its second request: a session's first page also
    remembers the confidentiality acknowledgement)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.content)


def route_links(html: str) -> list[int]:
    return [int(pk) for pk in ROUTE_LINK.findall(html)]


def board_rows(html: str) -> list[int]:
    return [int(met or council) for met, council in BOARD_ROW.findall(html)]


def latest_event(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# --- Bounded pages ----------------------------------------------------------------------------


def test_it_keeps_the_review_the_same_size_with_600_more_reports(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    add_waiting_reports(
        demo, selectors.REVIEW_PAGE_SIZE + 5, received_on=today() - timedelta(days=400)
    )
    queries, size = measured(client, REVIEW)
    add_waiting_reports(demo, 600, received_on=today() - timedelta(days=1))
    more_queries, more_size = measured(client, REVIEW)
    assert more_queries == queries
    assert abs(more_size - size) <= SIZE_MARGIN
    assert size < 150_000


def test_it_keeps_the_board_the_same_size_with_600_more_deadlines(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    add_open_deadlines(demo, [today() - timedelta(days=400)] * (selectors.BOARD_PAGE_SIZE + 5))
    queries, size = measured(client, BOARD)
    later = [today() - timedelta(days=300 - i % 300) for i in range(400)]
    add_open_deadlines(demo, later + [today() + timedelta(days=30 + i) for i in range(200)])
    more_queries, more_size = measured(client, BOARD)
    assert more_queries == queries
    assert abs(more_size - size) <= SIZE_MARGIN
    assert size < 150_000
    later_page = measured(client, f"{BOARD}?vis=senere")
    assert later_page[0] == queries
    assert later_page[1] < 150_000


def test_the_board_reads_only_the_columns_its_rows_show(
    demo: Municipality, client_for: Any
) -> None:
    """The board reads its rows with `.only(...)` (issue 11): every row's kind, offence, young
    person, dates and responsible come from the columns read, with no query per row."""
    responsible = Member.objects.get(user__username="socialraadgiver")
    add_open_deadlines(
        demo, [today() - timedelta(days=3), today() + timedelta(days=2)], responsible=responsible
    )
    Deadline.objects.filter(municipality=demo, met_on__isnull=True).update(
        escalated_at=timezone.now()
    )
    client: Client = client_for("koordinator")
    with no_deferred_loads():
        html = client.get(BOARD).content.decode()
    assert len(board_rows(html)) >= 2
    assert responsible.name in html
    assert "Eskaleret" in html
    with_report = Deadline.objects.filter(
        municipality=demo, met_on__isnull=True, report__offence__isnull=False
    ).select_related("report__offence", "young_person")
    shown = [d for d in with_report if d.young_person.full_name in html]
    assert shown, "the demo's board shows a deadline from a police report"
    assert all(
        d.report is not None and d.report.offence is not None and d.report.offence.name in html
        for d in shown
    )


def test_it_keeps_an_authority_member_s_board_the_same_size(
    demo: Municipality, client_for: Any
) -> None:
    """The social worker sees her own deadlines: one page of them too."""
    client: Client = client_for("socialraadgiver")
    own = Member.objects.get(user__username="socialraadgiver")
    add_open_deadlines(
        demo, [today() - timedelta(days=400)] * (selectors.BOARD_PAGE_SIZE + 5), responsible=own
    )
    queries, size = measured(client, BOARD)
    add_open_deadlines(demo, [today() - timedelta(days=100)] * 600, responsible=own)
    assert measured(client, BOARD)[0] == queries
    assert abs(measured(client, BOARD)[1] - size) <= SIZE_MARGIN


# --- Pages and their view events --------------------------------------------------------------


def test_it_shows_the_second_page_of_the_queue_and_logs_exactly_that_page(
    demo: Municipality, client_for: Any
) -> None:
    add_waiting_reports(
        demo, selectors.REVIEW_PAGE_SIZE + 3, received_on=today() - timedelta(days=400)
    )
    queue = queue_order(demo)
    client: Client = client_for("koordinator")
    first = route_links(client.get(REVIEW).content.decode())
    assert first == queue[: selectors.REVIEW_PAGE_SIZE]
    html = client.get(REVIEW, {"side": 2}).content.decode()
    second = route_links(html)
    assert second == queue[selectors.REVIEW_PAGE_SIZE : 2 * selectors.REVIEW_PAGE_SIZE]
    assert "Side 2 af" in html
    event = latest_event(AuditAction.REVIEW_VIEWED)
    assert event.data["page"] == 2
    assert event.data["reports"] == len(second)
    assert event.data["shown"] == [f"police.policereport:{pk}" for pk in second]
    shown_people = PoliceReport.objects.filter(pk__in=second).values_list("young_person_id")
    assert set(event.data["young_people"]) == {f"youngperson:{pk}" for (pk,) in shown_people}


def test_it_shows_the_second_page_of_the_board_and_logs_exactly_that_page(
    demo: Municipality, client_for: Any
) -> None:
    ours = add_open_deadlines(
        demo, [today() - timedelta(days=400)] * (selectors.BOARD_PAGE_SIZE + 4)
    )
    client: Client = client_for("koordinator")
    html = client.get(BOARD, {"side": 2}).content.decode()
    second = board_rows(html)
    assert second[:4] == ours[selectors.BOARD_PAGE_SIZE :]
    assert "Side 2 af" in html
    event = latest_event(AuditAction.DEADLINES_VIEWED)
    assert event.data["page"] == 2
    assert event.data["deadlines"] == len(second)
    assert event.data["shown"] == [f"police.deadline:{pk}" for pk in second]
    assert ours[0] not in second


def test_it_answers_a_page_past_the_end_or_not_a_number_with_a_page(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    for url in (REVIEW, BOARD):
        assert client.get(url, {"side": "999999"}).status_code == 200
        assert client.get(url, {"side": "x"}).status_code == 200
        assert client.get(url, {"side": "9" * 400}).status_code == 200
    assert client.get(BOARD, {"vis": "garbage"}).status_code == 200


# --- The board's order and windows ------------------------------------------------------------


def test_it_lists_overdue_deadlines_first_and_later_ones_behind_their_tab(
    demo: Municipality, client_for: Any
) -> None:
    Deadline.objects.filter(municipality=demo).delete()
    due = {
        "in_three_days": today() + timedelta(days=3),
        "overdue": today() - timedelta(days=5),
        "today": today(),
        "in_a_month": today() + timedelta(days=30),
        "long_overdue": today() - timedelta(days=40),
    }
    ids = dict(zip(due, add_open_deadlines(demo, list(due.values())), strict=True))
    client: Client = client_for("koordinator")
    html = client.get(BOARD).content.decode()
    assert board_rows(html) == [
        ids["long_overdue"],
        ids["overdue"],
        ids["today"],
        ids["in_three_days"],
    ]
    colours = re.findall(r'data-colour="(\w+)"', html)
    assert colours[:2] == ["overdue", "overdue"]
    assert "overdue" not in colours[2:]
    later = client.get(BOARD, {"vis": "senere"}).content.decode()
    assert board_rows(later) == [ids["in_a_month"]]
    assert 'aria-current="page">Senere frister' in later


def test_it_pages_the_later_window_with_its_tab_kept(demo: Municipality, client_for: Any) -> None:
    add_open_deadlines(demo, [today() + timedelta(days=60)] * (selectors.BOARD_PAGE_SIZE + 1))
    html = client_for("koordinator").get(BOARD, {"vis": "senere"}).content.decode()
    assert "?vis=senere&amp;side=2" in html


def test_it_returns_to_the_first_page_of_the_board_for_a_page_that_is_no_page(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_open_deadlines(demo, [today()])
    response = client_for("koordinator").post(
        f"/frister/{pk}/overholdt/?vis=noget&side=" + "9" * 50, {"met_on": today().isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == BOARD


def test_it_marks_a_deadline_met_and_returns_to_the_same_page_of_the_board(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_open_deadlines(demo, [today() + timedelta(days=60)])
    client: Client = client_for("koordinator")
    html = client.get(BOARD, {"vis": "senere"}).content.decode()
    action = f"/frister/{pk}/overholdt/?vis=senere"
    assert f'action="{action}"' in html
    response = client.post(action, {"met_on": today().isoformat()})
    assert response.status_code == 302
    assert response["Location"] == "/frister/?vis=senere"
    assert Deadline.objects.get(pk=pk).met_on == today()


# --- Routing from the paginated queue ---------------------------------------------------------


def routing_post(report_pk: int) -> dict[str, Any]:
    social = Member.objects.get(user__username="socialraadgiver")
    return {
        f"r{report_pk}-routing": Routing.SOCIAL_WORKER,
        f"r{report_pk}-member": social.pk,
        f"r{report_pk}-home_contact": social.pk,
        f"r{report_pk}-raise_concern": "on",
    }


def test_it_opens_the_routing_form_on_demand_and_routes_a_report_from_page_two(
    demo: Municipality, client_for: Any
) -> None:
    add_waiting_reports(
        demo, selectors.REVIEW_PAGE_SIZE + 2, received_on=today() - timedelta(days=400)
    )
    client: Client = client_for("koordinator")
    review = client.get(REVIEW).content.decode()
    assert 'name="r' not in review  # no routing form is rendered with the queue
    target = route_links(client.get(REVIEW, {"side": 2}).content.decode())[0]
    assert target == queue_order(demo)[selectors.REVIEW_PAGE_SIZE]
    url = f"/politi/rapporter/{target}/fordel/"

    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    part = fragment.content.decode()
    assert "<html" not in part
    assert 'data-testid="route-form"' in part
    assert f'name="r{target}-home_contact__q"' in part  # its picker's search box
    assert re.search(rf'<select name="r{target}-routing"[^>]* autofocus', part)

    page = client.get(url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in page
    assert 'data-testid="route-report"' in page
    event = latest_event(AuditAction.REVIEW_VIEWED)
    assert event.data["shown"] == [f"police.policereport:{target}"]

    response = client.post(url, routing_post(target))
    assert response.status_code == 302
    assert response["Location"] == REVIEW
    assert PoliceReport.objects.get(pk=target).status == ReportStatus.ROUTED
    assert target not in route_links(client.get(REVIEW, {"side": 2}).content.decode())
    assert target not in route_links(client.get(REVIEW).content.decode())


def test_it_sends_the_routing_form_of_a_routed_report_back_to_the_review(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    client: Client = client_for("koordinator")
    assert client.post(f"/politi/rapporter/{pk}/fordel/", routing_post(pk)).status_code == 302
    response = client.get(f"/politi/rapporter/{pk}/fordel/", follow=True)
    assert response.redirect_chain[-1][0] == REVIEW
    assert "Rapporten er allerede fordelt." in response.content.decode()


def test_it_tells_htmx_to_load_the_review_when_the_report_was_routed_meanwhile(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    client: Client = client_for("koordinator")
    assert client.post(f"/politi/rapporter/{pk}/fordel/", routing_post(pk)).status_code == 302
    response = client.get(f"/politi/rapporter/{pk}/fordel/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == REVIEW
    assert response.content == b""


@pytest.mark.parametrize("role", ["socialraadgiver", "politi", "laerer", "politiker", "admin"])
def test_it_refuses_the_routing_form_to_others_than_ssp_staff(
    demo: Municipality, client_for: Any, role: str
) -> None:
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    response = client_for(role).get(f"/politi/rapporter/{pk}/fordel/")
    assert response.status_code in {403, 404}


# --- Recently routed --------------------------------------------------------------------------


def test_it_lists_only_reports_routed_in_the_last_two_weeks(
    demo: Municipality, users: dict[str, User]
) -> None:
    recent, old = add_waiting_reports(demo, 2, received_on=today() - timedelta(days=60))
    PoliceReport.objects.filter(pk=recent).update(
        status=ReportStatus.ROUTED, presented_on=today() - timedelta(days=2)
    )
    PoliceReport.objects.filter(pk=old).update(
        status=ReportStatus.ROUTED,
        presented_on=today() - timedelta(days=selectors.RECENTLY_ROUTED_DAYS + 1),
    )
    shown = {r.pk for r in selectors.recently_routed(get_actor(users["koordinator"]))}
    assert recent in shown
    assert old not in shown
    assert len(shown) <= selectors.RECENTLY_ROUTED_LIMIT


# --- The routing form's pickers ---------------------------------------------------------------


def test_it_renders_the_routing_form_without_the_municipality_s_members(
    demo: Municipality, client_for: Any
) -> None:
    """The pickers render what is chosen and a search box, never every authority member."""
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    client: Client = client_for("koordinator")
    part = client.get(f"/politi/rapporter/{pk}/fordel/", headers={"HX-Request": "true"})
    html = part.content.decode()
    assert html.count("<option") == len(Routing.choices)  # the one select left: "Fordeles til"
    assert "Sofie Dahl" not in html
    assert 'hx-get="/politi/fordel/personer/"' in html
    assert 'hx-get="/politi/fordel/lokalgrupper/"' in html
    assert len(part.content) < 20_000


def not_an_authority_member(demo: Municipality) -> Member:
    """A member the routing form may not name (not an authority person)."""
    member = Member.objects.filter(municipality=demo, is_authority=False).first()
    assert member is not None
    return member


def test_it_finds_authority_members_and_local_groups_for_the_routing_form(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    found = client.get(
        "/politi/fordel/personer/", {"name": "r1-member", "r1-member__q": "Sofie"}
    ).content.decode()
    social = Member.objects.get(user__username="socialraadgiver")
    assert f'value="{social.pk}"' in found
    outsider = not_an_authority_member(demo)
    by_name = client.get("/politi/fordel/personer/", {"q": outsider.name}).content.decode()
    assert f'value="{outsider.pk}"' not in by_name
    groups = selectors.local_groups(get_actor(User.objects.get(username="koordinator")))
    group = groups.first()
    assert group is not None
    found_groups = client.get("/politi/fordel/lokalgrupper/", {"q": group.name[:6]})
    assert f'value="{group.pk}"' in found_groups.content.decode()


def test_it_refuses_a_member_outside_the_picker_s_choices(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    outsider = not_an_authority_member(demo)
    post = {**routing_post(pk), f"r{pk}-home_contact": outsider.pk}
    response = client_for("koordinator").post(f"/politi/rapporter/{pk}/fordel/", post)
    assert response.status_code == 400
    assert "Den valgte kan ikke vælges her." in response.content.decode()
    assert PoliceReport.objects.get(pk=pk).status == ReportStatus.WAITING


def test_it_searches_without_javascript_as_a_step_of_the_routing_page(
    demo: Municipality, client_for: Any
) -> None:
    (pk,) = add_waiting_reports(demo, 1, received_on=today() - timedelta(days=400))
    social = Member.objects.get(user__username="socialraadgiver")
    response = client_for("koordinator").post(
        f"/politi/rapporter/{pk}/fordel/",
        {f"r{pk}-routing": Routing.SOCIAL_WORKER, f"r{pk}-member__q": "Sofie", "_ac_search": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="r{pk}-member" value="{social.pk}"' in html
    assert 'data-testid="form-errors"' not in html
    assert PoliceReport.objects.get(pk=pk).status == ReportStatus.WAITING


@pytest.mark.parametrize("url", ["/politi/fordel/personer/", "/politi/fordel/lokalgrupper/"])
@pytest.mark.parametrize("role", ["socialraadgiver", "politi", "laerer", "admin"])
def test_it_refuses_the_pickers_search_to_others_than_ssp_staff(
    demo: Municipality, client_for: Any, role: str, url: str
) -> None:
    assert client_for(role).get(url, {"q": "So"}).status_code in {403, 404}
