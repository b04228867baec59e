"""Issue 14, attendance and signing: apologies, a deputy, left before item N and guests in the
protocol; a guest never sees a closed item; members who may not read closed items sign the open
part only; the page and the public protocol state who signed which version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.access import get_actor
from ssp.meetings import access as meeting_access
from ssp.meetings import selectors, services
from ssp.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    SignedPart,
    Visibility,
)
from ssp.organisation.models import Municipality
from tests.meetings.governance_helpers import member

pytestmark = pytest.mark.django_db

A = services.AttendanceData


def local_meeting() -> Meeting:
    """The demo's upcoming local-group meeting (with closed items), started an hour ago."""
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


def decide_all(users: dict[str, User], meeting: Meeting, **attendance: Any) -> None:
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={member(name).pk: value for name, value in attendance.items()},
        decisions={
            item.pk: services.DecisionData(f"Beslutning {item.position}.")
            for item in meeting.items.all()
        },
    )
    services.close_meeting(actor_user=users["koordinator"], meeting=meeting)


def test_a_guest_never_sees_a_closed_item_on_the_page_the_pdf_or_the_api(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = local_meeting()
    closed = meeting.items.filter(visibility=Visibility.CLOSED).first()
    assert closed is not None and closed.description  # the young person's name
    # Karin Lund is an authority person outside the local group: a guest all the same.
    karin = member("Karin Lund")
    karin.user = User.objects.create_user("karin")
    karin.save(update_fields=["user"])
    response = client_for("koordinator").post(
        f"/moeder/{meeting.pk}/gaester/",
        {
            "guest-name": "",
            "guest-organisation": "Familie- og Ungeindsatsen",
            "guest-member": karin.pk,
        },
    )
    assert response.status_code == 302
    services.add_guest(
        actor_user=users["koordinator"], meeting=meeting, name="Ulla Gæst", organisation="Klubben"
    )
    guest = Client()
    guest.force_login(karin.user)
    actor = get_actor(karin.user)
    assert meeting_access.mode_for(actor, meeting) is meeting_access.Mode.GUEST
    page = guest.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Lukket punkt" in page and closed.description not in page
    assert "Ulla Gæst" in page and "Du er inviteret som gæst" in page
    views = selectors.agenda_for(actor, meeting, meeting_access.mode_for(actor, meeting))
    shown = next(v for v in views if v.pk == closed.pk)  # what the PDF is made from
    assert shown.redacted and shown.description == ""
    assert guest.get(f"/moeder/{meeting.pk}/pdf/").status_code == 200
    api = guest.get(f"/api/v1/meetings/meetings/{meeting.pk}").json()
    assert closed.description not in str(api) and "Lukket punkt" in str(api)
    attachment = closed.attachments.first()
    if attachment is not None:
        assert guest.get(f"/moeder/{meeting.pk}/bilag/{attachment.pk}/").status_code == 404
    # The guests are in the protocol.
    assert "guest: Ulla Gæst (Klubben)" in services.protocol_text(meeting)


def test_a_non_authority_member_signs_the_open_part_and_absent_members_do_not_sign(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = local_meeting()
    first_closed = meeting.items.filter(visibility=Visibility.CLOSED).order_by("position")[0]
    decide_all(
        users,
        meeting,
        **{
            "Bente Larsen": A(left_before=first_closed.position),
            "Sofie Dahl": A(status=AttendanceStatus.APOLOGIES, deputy=member("Karin Lund")),
        },
    )
    text = services.protocol_text(meeting)
    assert f"Bente Larsen: present, left before item {first_closed.position}" in text
    signers = {m.name for m in services.signers_needed(meeting)}
    assert "Sofie Dahl" not in signers and "Bente Larsen" in signers  # she was there
    bente = member("Bente Larsen")
    assert meeting_access.signed_part(bente, meeting) == SignedPart.OPEN
    signature = services.sign_protocol(actor_user=users["boligsocial"], meeting=meeting)
    assert signature.part == SignedPart.OPEN
    assert signature.text_hash == services.protocol_hash(meeting, SignedPart.OPEN)
    assert signature.text_hash != services.protocol_hash(meeting)
    assert first_closed.title not in services.protocol_text(meeting, SignedPart.OPEN)
    full = services.sign_protocol(actor_user=users["laerer"], meeting=meeting)
    assert full.part == SignedPart.FULL
    # A change to a closed item voids the full signatures, not the open ones.
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={first_closed.pk: services.DecisionData("Handlingsaftale.")},
    )
    current = {s.member.name for s in services.current_signatures(meeting)}
    assert current == {"Bente Larsen"}
    for name in signers - {"Bente Larsen"}:
        user = member(name).user
        assert user is not None
        services.sign_protocol(actor_user=user, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.approved_at is not None  # everyone signed their part of the current text
    page = client_for("laerer").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "den åbne del" in page and "hele protokollen" in page
    assert f"version <code>{signature.text_hash[:12]}</code>" in page
    assert "stedfortræder Karin Lund deltog" in page


def test_the_public_protocol_shows_who_signed_by_name_or_by_function(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = Meeting.objects.get(forum__key="styregruppe", published_at__isnull=False)
    services.sign_protocol(actor_user=User.objects.get(username="centerchef"), meeting=meeting)
    page = Client().get(f"/offentlig/moeder/{meeting.pk}/").content.decode()
    assert "Poul Madsen: underskrevet" in page  # elected: by name
    assert "Centerchef for Center for Familie, Social &amp; Beskæftigelse: underskrevet" in page
    assert "Ole Svendsen" not in page  # staff: by function
    assert "STY " in page and "Vedtaget enstemmigt" in page
