"""Adding an agenda item through its page (`meetings:item_new`): the forum's managers add items
and attachments; members who do not manage the forum and non-members get 403 or 404 and
change nothing; invalid input changes nothing.

The demo's next meeting of the local group Øst: the coordinator manages it (SSP staff and
coordinator of the forum); the teacher, the social worker, the police officer and the housing
worker are ordinary members; the politician and the administrator are not members.
Clients log in before an `unchanged()` block: a login itself writes rows (last login, audit).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ssp.audit.models import AuditAction, AuditEvent
from ssp.meetings.models import AgendaItem, Attachment, Meeting, MeetingStatus, Visibility
from ssp.organisation.models import Municipality
from tests.helpers_db import unchanged

REFUSED = {403, 404}
INVALID = 400  # a DomainError page (ssp/errors.py)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(demo: Municipality) -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def add_item(client: Client, meeting: Meeting, data: dict[str, Any]) -> Any:
    return client.post(reverse("meetings:item_new", kwargs={"pk": meeting.pk}), data)


def item_data(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Sommerferiens aktiviteter",
        "description": "Klubben holder åbent i juli.",
        "visibility": Visibility.INTERNAL,
        **overrides,
    }


def test_it_adds_an_item_at_the_end_of_the_agenda(meeting: Meeting, client_for: Any) -> None:
    last = max(meeting.items.values_list("position", flat=True))
    events = AuditEvent.objects.filter(action=AuditAction.ITEM_ADDED).count()
    response = add_item(client_for("koordinator"), meeting, item_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", kwargs={"pk": meeting.pk})
    item = meeting.items.get(title="Sommerferiens aktiviteter")
    assert item.position == last + 1
    assert item.visibility == Visibility.INTERNAL
    assert item.description == "Klubben holder åbent i juli."
    assert AuditEvent.objects.filter(action=AuditAction.ITEM_ADDED).count() == events + 1


def test_it_adds_a_closed_item_in_a_forum_that_discusses_individuals(
    meeting: Meeting, client_for: Any
) -> None:
    response = add_item(client_for("koordinator"), meeting, item_data(visibility=Visibility.CLOSED))
    assert response.status_code == 302
    assert meeting.items.get(title="Sommerferiens aktiviteter").is_closed


def test_it_stores_the_attachment_with_the_item(meeting: Meeting, client_for: Any) -> None:
    upload = SimpleUploadedFile("program.txt", b"Program for juli.\n", content_type="text/plain")
    response = add_item(client_for("koordinator"), meeting, item_data(attachment=upload))
    assert response.status_code == 302
    item = meeting.items.get(title="Sommerferiens aktiviteter")
    attachment = Attachment.objects.get(item=item)
    assert attachment.name == "program.txt"


@pytest.mark.parametrize("role", ["laerer", "socialraadgiver", "politi", "boligsocial"])
def test_it_refuses_a_member_who_does_not_manage_the_forum(
    meeting: Meeting, client_for: Any, role: str
) -> None:
    client = client_for(role)
    with unchanged():
        response = add_item(client, meeting, item_data())
    assert response.status_code in REFUSED


@pytest.mark.parametrize("role", ["politiker", "admin"])
def test_it_refuses_someone_outside_the_forum(meeting: Meeting, client_for: Any, role: str) -> None:
    client = client_for(role)
    with unchanged():
        response = add_item(client, meeting, item_data())
    assert response.status_code in REFUSED


def test_it_rejects_an_item_without_a_title(meeting: Meeting, client_for: Any) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = add_item(client, meeting, item_data(title=""))
    assert response.status_code == INVALID


def test_it_rejects_a_closed_item_where_individuals_may_not_be_discussed(
    demo: Municipality, client_for: Any
) -> None:
    """The steering group discusses no named individuals: no closed items on its agenda."""
    steering = (
        Meeting.objects.filter(forum__key="styregruppe", status=MeetingStatus.PLANNED)
        .order_by("starts_at")
        .first()
    )
    assert steering is not None
    assert not steering.forum.may_discuss_individuals
    client = client_for("koordinator")
    with unchanged():
        response = add_item(client, steering, item_data(visibility=Visibility.CLOSED))
    assert response.status_code == INVALID
    assert not AgendaItem.objects.filter(meeting=steering, visibility=Visibility.CLOSED).exists()


def test_it_rejects_an_unknown_visibility(meeting: Meeting, client_for: Any) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = add_item(client, meeting, item_data(visibility="secret"))
    assert response.status_code == INVALID


def test_it_hides_a_meeting_that_does_not_exist(meeting: Meeting, client_for: Any) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = client.post(reverse("meetings:item_new", kwargs={"pk": 10**6}), item_data())
    assert response.status_code == 404
