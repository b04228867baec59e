"""Issue 14, review findings (helper N2): a begun meeting keeps its time and its decision
numbers (3); the minutes go outside the platform only once published, and the worker sends
only what is still published (5); the public protocol shows no version of the whole text (13);
every meeting date in words (14)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import forwarding, notices, scheduling, services
from ssp.meetings.models import (
    AgendaItem,
    Attendance,
    ForwardedMinutes,
    Meeting,
    MeetingStatus,
    MinutesMailed,
    NoticeKind,
    Signature,
    SignedPart,
    Visibility,
)
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Municipality,
)
from ssp.organisation.services import load_preset
from ssp.templatetags.ssp_dates import dato, dato_tid

pytestmark = pytest.mark.django_db


# --- 3. A begun meeting is not moved or cancelled ----------------------------------------------


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def begun_local_with_a_decision(user: User) -> tuple[Meeting, AgendaItem]:
    """The demo's local-group meeting, begun an hour ago, with a numbered decision."""
    meeting = upcoming_local()
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    item = meeting.items.exclude(visibility=Visibility.CLOSED).order_by("position").first()
    assert item is not None
    services.record_minutes(
        actor_user=user,
        meeting=meeting,
        attendance={},
        decisions={item.pk: services.DecisionData("Vedtaget.")},
    )
    item.refresh_from_db()
    assert item.decision_number
    meeting.refresh_from_db()
    return meeting, item


def change(meeting: Meeting, user: User, **changes: Any) -> Meeting:
    return scheduling.change_meeting(
        actor_user=user,
        meeting=meeting,
        expected_version=meeting.version,
        title=changes.get("title", meeting.title),
        location=changes.get("location", meeting.location),
        starts_at=changes.get("starts_at", meeting.starts_at),
        ends_at=changes.get("ends_at", meeting.ends_at),
    )


def test_a_begun_meeting_with_a_decision_is_neither_moved_nor_cancelled(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    meeting, item = begun_local_with_a_decision(users["koordinator"])
    number = item.decision_number
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(DomainError, match="begyndt"):
        change(meeting, users["koordinator"], starts_at=later, ends_at=later + timedelta(hours=2))
    with pytest.raises(DomainError, match="begyndt"):
        scheduling.cancel_meeting(
            actor_user=users["koordinator"], meeting=meeting, reason="For få kan deltage"
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and meeting.sequence == 0
    assert AgendaItem.objects.get(pk=item.pk).decision_number == number
    # Title and place may still be corrected (and the participants are told).
    with django_capture_on_commit_callbacks(execute=True):
        change(meeting, users["koordinator"], location="Klubben")
    meeting.refresh_from_db()
    assert meeting.location == "Klubben" and meeting.sequence == 1
    assert meeting.notices.filter(kind=NoticeKind.CHANGED).count() == 1
    assert not scheduling.can_move(meeting) and scheduling.can_reschedule(meeting)


def test_attendance_or_a_decision_fixes_a_meetings_time_and_year(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    assert scheduling.can_move(meeting)
    member = Membership.objects.filter(forum=meeting.forum).first()
    assert member is not None
    attended = Attendance.objects.create(meeting=meeting, member_id=member.member_id)
    with pytest.raises(DomainError, match="fremmøde"):
        change(
            meeting,
            users["koordinator"],
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
        )
    with pytest.raises(DomainError, match="fremmøde"):
        scheduling.cancel_meeting(actor_user=users["koordinator"], meeting=meeting, reason="Nej")
    attended.delete()
    # A decision number is of the meeting's year: no move into another year.
    item = meeting.items.order_by("position").first()
    assert item is not None
    year = timezone.localtime(meeting.starts_at).year
    AgendaItem.objects.filter(pk=item.pk).update(decision="Vedtaget.", decision_number="LOK 1-1")
    next_year = timezone.localtime(meeting.starts_at).replace(year=year + 1)
    with pytest.raises(DomainError, match=f"numre fra {year}"):
        change(
            meeting,
            users["koordinator"],
            starts_at=next_year,
            ends_at=next_year + (meeting.ends_at - meeting.starts_at),
        )
    with pytest.raises(DomainError, match="beslutninger"):
        change(
            meeting,
            users["koordinator"],
            starts_at=meeting.starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
        )
    with pytest.raises(DomainError, match="beslutninger"):
        scheduling.cancel_meeting(actor_user=users["koordinator"], meeting=meeting, reason="Nej")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_the_pages_refuse_a_move_and_a_cancel_of_a_begun_meeting_with_the_input_kept(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, _item = begun_local_with_a_decision(users["koordinator"])
    client = client_for("koordinator")
    page = client.get(f"/moeder/{meeting.pk}/ret/").content.decode()
    assert 'data-testid="move-refused"' in page and 'data-testid="not-cancellable"' in page
    assert 'data-testid="meeting-cancel-form"' not in page
    detail = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert 'data-testid="meeting-edit"' in detail
    assert 'data-testid="meeting-cancel"' not in detail
    later = timezone.localtime(timezone.now() + timedelta(days=3))
    refused = client.post(
        f"/moeder/{meeting.pk}/ret/",
        {
            "title": "Et nyt navn til mødet",
            "location": meeting.location,
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "version": meeting.version,
        },
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Mødet er begyndt og kan ikke længere flyttes" in body
    assert "Et nyt navn til mødet" in body and later.strftime("%Y-%m-%dT%H:%M") in body
    cancel = client.post(
        f"/moeder/{meeting.pk}/aflys/", {"reason": "Sygdom i gruppen", "confirmed": "on"}
    )
    assert cancel.status_code == 400
    body = cancel.content.decode()
    assert "Mødet er begyndt" in body and "Sygdom i gruppen" in body
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and meeting.title != "Et nyt navn til mødet"


# --- 5. Outside the platform only once published -----------------------------------------------


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
def kredsraad() -> tuple[Meeting, User, AgendaItem]:
    """A held meeting of Høje-Taastrup's Kredsråd (a line down to the Lokalråd, two lines out
    by e-mail) with a public and a closed item, and its chair."""
    municipality = load_preset(name="hoeje-taastrup").municipality
    forum = Forum.objects.get(key="kredsraad", police_district__slug="koebenhavns-vestegn")
    chair = _person(municipality, "politidirektoer", forum, MembershipRole.CHAIR)
    starts = timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(
        forum=forum,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=MeetingStatus.HELD,
    )
    public = AgendaItem.objects.create(
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
    return meeting, chair, public


def publish(meeting: Meeting, chair: User) -> list[services.Finding]:
    """`services.publish`, then the external lines as publication triggers them (the lead adds
    that one call into `services.publish`; until then the test makes it)."""
    findings = services.publish(actor_user=chair, meeting=meeting)
    if not findings:
        meeting.refresh_from_db()
        forwarding.forward_external(meeting, actor_user=chair)
    return findings


def test_approval_serves_the_fora_and_only_publication_mails_outside(
    kredsraad: tuple[Meeting, User, AgendaItem], django_capture_on_commit_callbacks: Any
) -> None:
    meeting, chair, public = kredsraad
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(actor_user=chair, meeting=meeting)
    assert ForwardedMinutes.objects.filter(meeting=meeting, to_forum__key="lokalraad").exists()
    assert not MinutesMailed.objects.filter(meeting=meeting).exists() and not mail.outbox

    # The publication check stops it: a phone number in a public decision.
    AgendaItem.objects.filter(pk=public.pk).update(decision="Ring til Jens på 22 33 44 55.")
    meeting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(meeting, chair)
    # Even called on a meeting marked published, the external lines run the check themselves.
    Meeting.objects.filter(pk=meeting.pk).update(published_at=timezone.now())
    meeting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert forwarding.forward_external(meeting, actor_user=chair) == 0
    assert not mail.outbox
    Meeting.objects.filter(pk=meeting.pk).update(published_at=None)
    AgendaItem.objects.filter(pk=public.pk).update(decision="Godkendt.")
    meeting.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert publish(meeting, chair) == []
    with django_capture_on_commit_callbacks(execute=True):
        forwarding.forward_external(meeting, actor_user=chair)  # a repeat sends nothing
    assert sorted(message.to[0] for message in mail.outbox) == [
        "byraadet@example.dk",
        "direktionen.politiet@example.dk",
    ]
    for message in mail.outbox:
        assert "Hemmeligt" not in message.body
        ((_name, content, _mimetype),) = message.attachments
        assert content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.MINUTES_MAILED).count() == 2


def test_minutes_published_before_the_approval_go_out_at_the_approval(
    kredsraad: tuple[Meeting, User, AgendaItem], django_capture_on_commit_callbacks: Any
) -> None:
    meeting, chair, _public = kredsraad
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(meeting, chair) == []
    assert not mail.outbox  # published, not approved
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(actor_user=chair, meeting=meeting)
    assert len(mail.outbox) == 2


def test_the_worker_sends_nothing_once_the_publication_is_taken_down(
    kredsraad: tuple[Meeting, User, AgendaItem], django_capture_on_commit_callbacks: Any
) -> None:
    meeting, chair, public = kredsraad
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(actor_user=chair, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert publish(meeting, chair) == []
    assert MinutesMailed.objects.filter(meeting=meeting).count() == 2
    # Before the worker runs, an edit voids the approval and takes the publication down.
    services.update_item(
        actor_user=chair,
        item=public,
        title="Rammer for nye tiltag (rettet)",
        description="",
        visibility=Visibility.PUBLIC,
    )
    meeting.refresh_from_db()
    assert meeting.published_at is None
    for callback in queued:
        callback()
    assert not mail.outbox
    assert not MinutesMailed.objects.filter(meeting=meeting).exists()  # the claims released
    assert not AuditEvent.objects.filter(action=AuditAction.MINUTES_MAILED).exists()


# --- 13. The public protocol shows no version of the whole text --------------------------------


def test_the_public_protocol_shows_a_version_only_for_open_part_signatures(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = Meeting.objects.get(forum__key="styregruppe", published_at__isnull=False)
    Signature.objects.filter(meeting=meeting).delete()
    full_hash = services.protocol_hash(meeting, SignedPart.FULL)
    open_hash = services.protocol_hash(meeting, SignedPart.OPEN)
    signers = list(
        Membership.objects.filter(forum=meeting.forum, member__user__isnull=False)
        .select_related("member")
        .order_by("pk")[:2]
    )
    for membership, part, text_hash in zip(
        signers, (SignedPart.FULL, SignedPart.OPEN), (full_hash, open_hash), strict=True
    ):
        user = membership.member.user
        assert user is not None
        Signature.objects.create(
            meeting=meeting, member=membership.member, text_hash=text_hash, part=part, user=user
        )
    public_page = Client().get(f"/offentlig/moeder/{meeting.pk}/").content.decode()
    assert "hele protokollen" in public_page and "den åbne del" in public_page
    assert full_hash[:12] not in public_page
    assert f"version <code>{open_hash[:12]}</code>" in public_page
    member_page = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert f"version <code>{full_hash[:12]}</code>" in member_page
    public_pdf = render_to_string(
        "meetings/meeting_pdf.html",
        {
            "meeting": meeting,
            "items": [],
            "public": True,
            "printed_at": timezone.now(),
            "signatures": services.signature_lines(meeting, public=True),
        },
    )
    assert full_hash[:12] not in public_pdf and open_hash[:12] in public_pdf


# --- 14. Dates in words ------------------------------------------------------------------------


def test_the_meeting_pages_the_pdf_and_the_signatures_show_dates_in_words(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = Meeting.objects.get(forum__key="styregruppe", published_at__isnull=False)
    signer = (
        Membership.objects.filter(forum=meeting.forum, member__user__isnull=False)
        .select_related("member__user")
        .first()
    )
    assert signer is not None and signer.member.user is not None
    Signature.objects.filter(meeting=meeting).delete()
    signature = Signature.objects.create(
        meeting=meeting,
        member=signer.member,
        text_hash=services.protocol_hash(meeting, SignedPart.OPEN),
        part=SignedPart.OPEN,
        user=signer.member.user,
    )
    when = dato_tid(meeting.starts_at)
    signed = f"underskrevet {dato_tid(signature.signed_at)}"
    for page in (
        client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode(),
        Client().get(f"/offentlig/moeder/{meeting.pk}/").content.decode(),
    ):
        assert when in page and signed in page
        assert not re.search(r"underskrevet \d", page)
    pdf_html = render_to_string(
        "meetings/meeting_pdf.html",
        {
            "meeting": meeting,
            "items": [],
            "public": False,
            "printed_at": timezone.now(),
            "signatures": services.signature_lines(meeting),
        },
    )
    assert (
        when in pdf_html and signed in pdf_html and "Udskrevet " + dato(timezone.now()) in pdf_html
    )


def test_a_notice_of_a_meeting_past_midnight_names_the_day_it_ends(demo: Municipality) -> None:
    meeting = upcoming_local()
    start = datetime(2030, 3, 7, 20, 0, tzinfo=timezone.get_current_timezone())
    meeting.starts_at, meeting.ends_at = start, start + timedelta(hours=6)
    _subject, body = notices.compose(meeting, NoticeKind.CHANGED, member=True)
    assert f"{dato_tid(start)}–{dato_tid(meeting.ends_at)}" in body
    meeting.ends_at = start + timedelta(hours=2)
    _subject, body = notices.compose(meeting, NoticeKind.CHANGED, member=True)
    assert f"{dato_tid(start)}–22.00" in body
