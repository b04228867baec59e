"""Queries per page do not grow with the number of cases (start page, case list, case page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.cases import services
from ssp.cases.models import Case, Level
from ssp.organisation.models import Member, Municipality, Unit

pytestmark = pytest.mark.django_db


def add_cases(users: dict[str, User], count: int, start: int) -> None:
    social = Member.objects.get(user__username="socialraadgiver")
    for index in range(start, start + count):
        concern = services.raise_concern(
            actor_user=users["laerer"],
            data=services.ConcernData(
                subject="person",
                source="staff",
                description="Bekymring",
                young_person=services.YoungPersonData(
                    first_name=f"Ung{index}",
                    last_name="Test",
                    cpr=f"{(index % 28) + 1:02d}0312-4{index:03d}",
                    school=Unit.objects.get(slug="oestskolen"),
                ),
            ),
        )
        case = services.open_case(
            actor_user=users["koordinator"], concerns=[concern], level=Level.YELLOW
        )
        services.make_action_agreement(
            actor_user=users["koordinator"],
            case=case,
            first_action="Møde",
            coordinator=social,
            contact_person=Member.objects.get(user__username="laerer"),
            follow_up_date=timezone.localdate(),
            tasks=[
                services.TaskData(
                    owner=social, description=f"Opgave {index}", due_date=timezone.localdate()
                )
            ],
        )
        services.add_task(
            actor_user=users["koordinator"],
            case=case,
            data=services.TaskData(owner=social, description="Mere", due_date=timezone.localdate()),
        )


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["socialraadgiver", "koordinator"])
def test_start_page_case_list_and_case_page_do_not_grow(
    demo: Municipality, users: dict[str, User], client_for: Any, role: str
) -> None:
    client = client_for(role)
    add_cases(users, 2, start=1)
    case = Case.objects.filter(young_person__first_name="Ung1").get()
    urls = ["/", "/sager/", f"/sager/{case.pk}/", "/bekymringer/"]
    client.get("/")  # a session's first page remembers the confidentiality acknowledgement
    before = {url: count_queries(client, url) for url in urls}
    add_cases(users, 8, start=3)
    after = {url: count_queries(client, url) for url in urls}
    assert after == before
