"""The start page reads only the columns it shows (issue 11) and never a column more.

Its lists (`my_work`, the fora, the meeting tasks, the terms that end, the evaluation
invitations) are read with `.only(...)`. A template that shows a column left out would make
Django fetch it with one query per row (`refresh_from_db`): here that fails the test instead.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from ssp.cases import services as case_services
from ssp.cases.models import Case, CaseStatus
from ssp.organisation.models import Forum, Member, Municipality
from ssp.reports import evaluations
from tests.helpers_db import no_deferred_loads

pytestmark = pytest.mark.django_db

# Each box and how many rows the demo (and the invitation below) gives the coordinator at least.
FILLED_BOXES = {
    "ending-term": 1,
    "my-tasks": 1,
    "my-cases": 1,
    "follow-ups": 1,
    "new-concerns": 1,
    "my-concerns": 1,
    "meeting-tasks": 1,
    "my-fora": 1,
    "evaluation-invitation": 1,
}


def invite_the_coordinator(demo: Municipality, users: dict[str, User]) -> None:
    coordinator_fora = Forum.objects.filter(
        municipality=demo, memberships__member__user=users["koordinator"]
    ).exclude(forum_type="adhoc")
    first = coordinator_fora.order_by("pk").first()
    assert first is not None
    evaluation = evaluations.create_evaluation(
        actor_user=users["koordinator"],
        data=evaluations.EvaluationData(
            title="Evaluering af forummets arbejde",
            introduction="",
            closes_on=timezone.localdate() + timedelta(days=14),
            fora=[first],
        ),
    )
    evaluations.send_evaluation(
        actor_user=users["koordinator"], evaluation=evaluation, base_url="https://ssp.example/"
    )


def give_the_coordinator_a_task(demo: Municipality, users: dict[str, User]) -> None:
    case = Case.objects.filter(municipality=demo, status=CaseStatus.OPEN).order_by("pk").first()
    assert case is not None
    case_services.add_task(
        actor_user=users["koordinator"],
        case=case,
        data=case_services.TaskData(
            owner=Member.objects.get(user=users["koordinator"]),
            description="Ring til skolen",
            due_date=timezone.localdate() + timedelta(days=3),
        ),
    )


def rows_in(html: str, testid: str) -> int:
    """The list items of a box (a box marked on its `<li>` counts those)."""
    marked_items = len(re.findall(rf'<li[^>]*data-testid="{testid}"', html))
    if marked_items:
        return marked_items
    box = re.search(rf'data-testid="{testid}"(.*?)</(section|ul)>', html, re.S)
    return box.group(1).count("<li") if box else 0


def test_every_box_of_the_start_page_shows_its_rows_from_the_columns_read(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    invite_the_coordinator(demo, users)
    give_the_coordinator_a_task(demo, users)
    client = client_for("koordinator")
    with no_deferred_loads():
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for testid, least in FILLED_BOXES.items():
        assert rows_in(html, testid) >= least, testid
    # The names the boxes show come from the columns read (not from a query per row).
    assert "Valgperioden for" in html or "Formandens valgperiode" in html
    assert "Evaluering af forummets arbejde" in html
    assert "Ring til skolen" in html


@pytest.mark.parametrize("username", ["socialraadgiver", "laerer", "politi"])
def test_the_other_roles_start_pages_read_no_deferred_column(
    username: str, client_for: Any
) -> None:
    client = client_for(username)
    with no_deferred_loads():
        response = client.get("/")
    assert response.status_code == 200
    assert rows_in(response.content.decode(), "my-fora") >= 1
