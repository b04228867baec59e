"""Issue 14, forwarding along configured lines: Høje-Taastrup's Kredsråd sends its approved
minutes down to the Lokalråd and, once they are published, by e-mail with the public PDF to
the city council and the police management (placeholders on example.dk), once per meeting and
line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.meetings import forwarding, services
from ssp.meetings.models import (
    AgendaItem,
    ForwardedMinutes,
    Meeting,
    MeetingStatus,
    MinutesMailed,
    Visibility,
)
from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForwardDirection,
    Member,
    Membership,
    MembershipRole,
    Municipality,
)
from ssp.organisation.services import load_preset
from tests.helpers_db import no_deferred_loads

pytestmark = pytest.mark.django_db


def _person(municipality: Municipality, username: str, forum: Forum, role: str) -> User:
    user = User.objects.create_user(username)
    member = Member.objects.create(
        user=user,
        municipality=municipality,
        name=username.title(),
        access_role=AccessRole.EMPLOYEE,
        is_authority=True,
    )
    Membership.objects.create(forum=forum, member=member, role=role)
    return user


@pytest.fixture
def kredsraad_meeting() -> tuple[Meeting, User, User]:
    result = load_preset(name="hoeje-taastrup")
    municipality = result.municipality
    kredsraad = Forum.objects.get(key="kredsraad", police_district__slug="koebenhavns-vestegn")
    lokalraad = Forum.objects.get(key="lokalraad", municipality=municipality)
    chair = _person(municipality, "politidirektoer", kredsraad, MembershipRole.CHAIR)
    reader = _person(municipality, "lokalraadsmedlem", lokalraad, MembershipRole.MEMBER)
    starts = timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(
        forum=kredsraad,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=MeetingStatus.HELD,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        title="Rammer for nye tiltag",
        decision="Godkendt.",
        visibility=Visibility.PUBLIC,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title="Hemmeligt forhold i Område 3",
        decision="Drøftet.",
        visibility=Visibility.CLOSED,
    )
    return meeting, chair, reader


def test_the_preset_names_the_kredsraads_lines_as_the_source_does(
    kredsraad_meeting: tuple[Meeting, User, User],
) -> None:
    meeting, _chair, _reader = kredsraad_meeting
    lines = {
        (line.direction, line.to_forum.key if line.to_forum else line.recipient_name)
        for line in meeting.forum.forwarding_lines.select_related("to_forum")
    }
    assert lines == {
        (ForwardDirection.DOWN, "lokalraad"),
        (ForwardDirection.EXTERNAL, "Byrådet"),
        (ForwardDirection.EXTERNAL, "Direktionen i Politiet"),
    }
    assert all(
        line.recipient_email.endswith("@example.dk")
        for line in meeting.forum.forwarding_lines.filter(direction=ForwardDirection.EXTERNAL)
    )


def test_a_kredsraad_protocol_reaches_the_lokalraad_and_the_recipients_outside_once(
    kredsraad_meeting: tuple[Meeting, User, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    meeting, chair, reader = kredsraad_meeting
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(actor_user=chair, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(actor_user=chair, meeting=meeting)
        services.forward_minutes(actor_user=chair, meeting=meeting)

    forward = ForwardedMinutes.objects.get(meeting=meeting)
    assert forward.to_forum.key == "lokalraad"
    client = Client()
    client.force_login(reader)
    page = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Referat til orientering" in page
    assert "Rammer for nye tiltag" in page
    assert "Hemmeligt forhold" not in page
    # The reader's meeting list names the forwarded minutes, from the columns it reads
    # (`selectors.forwarded_to` reads with `.only`, issue 11).
    with no_deferred_loads():
        listing = client.get("/moeder/").content.decode()
    forwarded = listing.split('data-testid="forwarded"', 1)[1].split("</ul>", 1)[0]
    assert meeting.display_title in forwarded
    assert f"til {forward.to_forum.name}" in forwarded

    # Outside the platform only once the approved minutes are published (the publication
    # check passed): `forwarding.forward_external`, which `services.publish` triggers.
    assert not MinutesMailed.objects.filter(meeting=meeting).exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish(actor_user=chair, meeting=meeting) == []
        meeting.refresh_from_db()
        forwarding.forward_external(meeting, actor_user=chair)
    with django_capture_on_commit_callbacks(execute=True):
        forwarding.forward_external(meeting, actor_user=chair)
    assert MinutesMailed.objects.filter(meeting=meeting).count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "byraadet@example.dk",
        "direktionen.politiet@example.dk",
    ]
    for message in mail.outbox:
        assert "Kredsrådet" in message.subject
        assert "Hemmeligt" not in message.body
        ((name, content, mimetype),) = message.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert name == f"referat-{meeting.pk}.pdf"
    events = AuditEvent.objects.filter(action=AuditAction.MINUTES_MAILED)
    assert events.count() == 2
    assert all(set(event.data) == {"line"} for event in events)


def test_the_forum_page_shows_the_lines(
    kredsraad_meeting: tuple[Meeting, User, User], client_for: Any
) -> None:
    meeting, chair, _reader = kredsraad_meeting
    client = Client()
    client.force_login(chair)
    page = client.get(f"/organisation/fora/{meeting.forum.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="forwarding-lines"' in text
    assert "Lokalrådet" in text and "Byrådet" in text and "direktionen.politiet@example.dk" in text
