"""Issue 14: invitations, notices, reminders to sign and notices of publication by e-mail,
through the task worker (the immediate backend in tests) into Django's outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ssp.meetings import notices, services
from ssp.meetings.models import (
    Guest,
    Meeting,
    MeetingStatus,
    Notice,
    NoticeKind,
    Signature,
    Visibility,
)
from ssp.organisation.models import Member, Membership, Municipality

pytestmark = pytest.mark.django_db


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def texts_of(message: Any) -> list[str]:
    """The body and every attachment of an e-mail, as text."""
    parts = [message.body, message.subject]
    for attachment in message.attachments:
        content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
        parts.append(content.decode() if isinstance(content, bytes) else str(content))
    return parts


def addresses(outbox: list[Any]) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def forum_addresses(meeting: Meeting) -> list[str]:
    current = Membership.objects.current().filter(forum=meeting.forum)
    return sorted(
        Member.objects.filter(pk__in=current.values("member_id"), meeting_emails=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def test_it_sends_one_invitation_per_recipient_with_the_agenda_and_no_closed_contents(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    closed = meeting.items.get(visibility=Visibility.CLOSED)
    internal = meeting.items.filter(visibility=Visibility.INTERNAL).first()
    assert internal is not None
    Member.objects.filter(pk=member("boligsocial").pk).update(meeting_emails=False)
    Guest.objects.create(meeting=meeting, name="Gæst Udefra", email="gaest@example.invalid")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = notices.send_invitations(now=meeting.starts_at - timedelta(days=5))
    assert sent >= 1
    mine = [m for m in mail.outbox if meeting.display_title in m.subject]
    expected = [*forum_addresses(meeting), "gaest@example.invalid"]
    assert addresses(mine) == sorted(expected)
    assert all(len(message.to) == 1 for message in mine)  # one e-mail each, no shared list
    assert "boligsocial@aadal.invalid" not in addresses(mine)  # she opted out
    for message in mine:
        for text in texts_of(message):
            assert closed.title not in text
            assert closed.description not in text or not closed.description
        assert "Lukket punkt" in message.body
        assert f"/moeder/{meeting.pk}/" in message.body
        assert len(message.attachments) == 1
        assert "METHOD:REQUEST" in texts_of(message)[2]
        assert f"UID:meeting-{meeting.pk}@ssp" in texts_of(message)[2]
    guest_mail = next(m for m in mine if m.to == ["gaest@example.invalid"])
    member_mail = next(m for m in mine if m.to != ["gaest@example.invalid"])
    assert internal.title in member_mail.body
    assert internal.title not in guest_mail.body and "Internt punkt" in guest_mail.body
    notice = Notice.objects.get(meeting=meeting, kind=NoticeKind.INVITATION)
    assert notice.recipients == len(mine)


def test_the_invitation_is_sent_once_even_when_the_command_runs_twice(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_meeting_notices")
    first = len(mail.outbox)
    assert first > 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_meeting_notices")
        assert notices.send_invitations() == 0
    assert len(mail.outbox) == first
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.INVITATION).count() == 1


def test_it_invites_no_earlier_than_the_municipality_rule_says(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_invitations(now=meeting.starts_at - timedelta(days=8))
    assert not Notice.objects.filter(meeting=meeting).exists()
    demo.rules = {**(demo.rules or {}), "agenda_days_before": 10}
    demo.save(update_fields=["rules"])
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_invitations(now=meeting.starts_at - timedelta(days=8))
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.INVITATION).exists()


def test_a_cancelled_meeting_gets_no_invitation(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_invitations(now=meeting.starts_at - timedelta(days=2))
    assert not Notice.objects.filter(meeting=meeting).exists()


def held_steering_meeting() -> Meeting:
    meeting = Meeting.objects.filter(forum__key="styregruppe", starts_at__lt=timezone.now()).latest(
        "starts_at"
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.HELD, approved_at=None, published_at=None
    )
    meeting.refresh_from_db()
    return meeting


def test_signers_who_have_not_signed_are_reminded_at_most_every_third_day(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = held_steering_meeting()
    waiting = notices.unsigned_signers(meeting)
    assert waiting
    signed = set(Signature.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.send_sign_reminders(now=now) >= 1
    mine = [m for m in mail.outbox if meeting.display_title in m.subject]
    expected = sorted(m.email for m in waiting if m.meeting_emails and m.email)
    assert addresses(mine) == expected
    signer_emails = set(Member.objects.filter(pk__in=signed).values_list("email", flat=True))
    assert not signer_emails & set(addresses(mine)) or not signed
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_sign_reminders(now=now + timedelta(days=1))
        notices.send_sign_reminders(now=now + timedelta(days=2))
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.SIGN_REMINDER).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_sign_reminders(now=now + timedelta(days=3))
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.SIGN_REMINDER).count() == 2


def test_no_reminder_on_the_day_of_the_meeting(
    demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = held_steering_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_sign_reminders(now=meeting.ends_at + timedelta(minutes=5))
    assert not Notice.objects.filter(meeting=meeting, kind=NoticeKind.SIGN_REMINDER).exists()


def test_publication_tells_the_members_once(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    meeting = held_steering_meeting()
    Notice.objects.filter(meeting=meeting).delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        findings = services.publish(actor_user=users["koordinator"], meeting=meeting)
    meeting.refresh_from_db()
    assert findings == [] and meeting.published_at is not None
    mine = [m for m in mail.outbox if meeting.display_title in m.subject]
    assert addresses(mine) == forum_addresses(meeting)
    assert all(f"/offentlig/moeder/{meeting.pk}/" in m.body for m in mine)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.notify_published(meeting.pk) is False
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.PUBLISHED).count() == 1


def test_the_member_chooses_meeting_emails_on_the_account_page(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("laerer")
    page = client.get("/konto/")
    assert "Send mig mødeindkaldelser og -meddelelser på e-mail" in page.content.decode()
    response = client.post("/konto/moedemails/", {})
    assert response.status_code == 302
    assert member("laerer").meeting_emails is False
    client.post("/konto/moedemails/", {"meeting_emails": "on"})
    assert member("laerer").meeting_emails is True
