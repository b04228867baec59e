"""Issue 14, decision numbers and order: decisions numbered per forum and year ("STY 2026-14"),
restarting each year and never renumbered; the first item approves the previous minutes;
open decision tasks come back on the next agenda; a meeting cannot be closed while an item is
undecided, and is signed only after closing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.utils import timezone

from ssp.access import get_actor
from ssp.errors import DomainError
from ssp.meetings import decisions, services
from ssp.meetings.models import (
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
    MeetingTaskStatus,
)
from ssp.organisation.models import Municipality
from tests.meetings.governance_helpers import forum, member, steering_meeting

pytestmark = pytest.mark.django_db


def at(year: int) -> datetime:
    return timezone.make_aware(datetime(year, 3, 4, 15, 0))  # noqa: DTZ001 - made aware


def decide(users: dict[str, User], meeting: Meeting, **texts: str) -> None:
    items = {item.title: item for item in meeting.items.all()}
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={items[title].pk: services.DecisionData(text) for title, text in texts.items()},
    )


def test_decision_numbers_per_forum_and_year_restart_each_year_and_stay(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    first, _item = steering_meeting(users, starts_at=at(2024), title="A")
    services.add_item(actor_user=users["koordinator"], meeting=first, title="B")
    decide(users, first, A="Godkendt.", B="Taget til efterretning.")
    numbers = dict(first.items.values_list("title", "decision_number"))
    assert numbers == {"A": "STY 2024-1", "B": "STY 2024-2"}
    decide(users, first, A="Godkendt med en rettelse.")  # a changed decision keeps its number
    assert first.items.get(title="A").decision_number == "STY 2024-1"
    second, _item = steering_meeting(users, starts_at=at(2025), title="C")
    decide(users, second, C="Godkendt.")
    assert second.items.get(title="C").decision_number == "STY 2025-1"  # a new year: 1 again
    # Findable by number, for those who may see it; the page, the API and the PDF show it.
    found = decisions.find(get_actor(users["politiker"]), "sty 2025 - 1")
    assert found.meeting_id == second.pk
    with pytest.raises(Http404):
        decisions.find(get_actor(users["laerer"]), "STY 2025-1")  # not her forum
    response = client_for("politiker").get("/moeder/beslutninger/?nummer=STY+2025-1")
    assert response.status_code == 302 and f"/moeder/{second.pk}/" in response["Location"]
    # A number she may not see (or none): back to the meeting list, with the reason.
    missing = client_for("laerer").get("/moeder/beslutninger/?nummer=STY+2025-1", follow=True)
    assert missing.redirect_chain[-1][0] == "/moeder/"
    assert "ingen beslutning med nummeret „STY 2025-1“" in missing.content.decode()
    assert "STY 2025-1" in client_for("politiker").get(f"/moeder/{second.pk}/").content.decode()
    api = client_for("politiker").get(f"/api/v1/meetings/meetings/{second.pk}").json()
    assert api["items"][0]["decision_number"] == "STY 2025-1"


def test_a_meeting_with_an_undecided_item_cannot_be_closed_nor_signed(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users, title="Årsrapport")
    services.add_item(actor_user=users["koordinator"], meeting=meeting, title="Økonomi")
    decide(users, meeting, **{"Årsrapport": "Godkendt."})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # saving the minutes does not end it
    with pytest.raises(DomainError, match="først underskrives, når mødet er afsluttet"):
        services.sign_protocol(actor_user=users["politiker"], meeting=meeting)
    response = client_for("koordinator").post(f"/moeder/{meeting.pk}/afslut/")
    assert response.status_code == 400
    assert "Mangler: 2. Økonomi" in response.content.decode()
    decide(users, meeting, **{"Økonomi": "Taget til efterretning."})
    assert client_for("koordinator").post(f"/moeder/{meeting.pk}/afslut/").status_code == 302
    assert client_for("koordinator").post(f"/moeder/{meeting.pk}/afslut/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_held
    services.sign_protocol(actor_user=users["politiker"], meeting=meeting)
    with pytest.raises(DomainError, match="skal have en beslutning"):
        decide(users, meeting, **{"Økonomi": ""})


def test_a_meeting_that_has_not_started_cannot_be_closed(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, _item = steering_meeting(users, starts_at=timezone.now() + timedelta(days=3))
    with pytest.raises(DomainError, match="begyndt"):
        services.close_meeting(actor_user=users["koordinator"], meeting=meeting)


def test_the_next_agenda_approves_the_previous_minutes_and_follows_up_open_tasks(
    demo: Municipality, users: dict[str, User]
) -> None:
    steering = forum("styregruppe")
    held = Meeting.objects.get(forum=steering, status=MeetingStatus.HELD)
    task = MeetingTask.objects.get(item__meeting=held)
    assert task.status == MeetingTaskStatus.OPEN and task.item.decision_number
    upcoming = services.create_meeting(
        actor_user=users["koordinator"],
        forum=steering,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=20),
    )
    services.add_item(actor_user=users["koordinator"], meeting=upcoming, title="Årshjul")
    # The previous minutes, the decision follow-up, and (the demo chair's term ends within 60
    # days) the election.
    assert services.prepare_agenda(actor_user=users["koordinator"], meeting=upcoming) == 3
    assert upcoming.items.filter(kind=ItemKind.ELECTION).count() == 1
    items = list(upcoming.items.order_by("position"))
    assert items[0].kind == ItemKind.PREVIOUS_MINUTES and items[0].position == 1
    assert items[0].title == "Godkendelse af referat fra sidste møde"
    assert items[1].title == "Årshjul" and items[1].position == 2
    follow_up = upcoming.items.get(kind=ItemKind.DECISION_FOLLOW_UP)
    assert follow_up.title == "Opfølgning på beslutninger"
    assert task.item.decision_number in follow_up.description
    assert task.description in follow_up.description and "Mette Holm" in follow_up.description
    assert services.prepare_agenda(actor_user=users["koordinator"], meeting=upcoming) == 0  # once
    # A finished task does not come back.
    task.status = MeetingTaskStatus.DONE
    task.save(update_fields=["status"])
    later = services.create_meeting(
        actor_user=users["koordinator"],
        forum=steering,
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() + timedelta(days=40),
    )
    services.prepare_agenda(actor_user=users["koordinator"], meeting=later)
    assert not later.items.filter(kind=ItemKind.DECISION_FOLLOW_UP).exists()
    assert member("Mette Holm").pk == task.owner_id
