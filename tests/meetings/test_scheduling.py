"""Issue 14: edit, move and cancel a meeting with notice (and the iCal feed follows),
pre-meetings for their participants only, joint events for all their fora's members."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from ssp.access import get_actor
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import notices, scheduling, selectors
from ssp.meetings.calendar import feed_token
from ssp.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Notice,
    NoticeKind,
    Visibility,
)
from ssp.organisation.models import Forum, Member, MembershipRole, Municipality
from ssp.versioning import StaleEdit

pytestmark = pytest.mark.django_db


def forum(key: str) -> Forum:
    return Forum.objects.get(municipality__slug="aadal", key=key)


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def login_for(name: str) -> User:
    """A login for a demo member who has none."""
    person = Member.objects.get(name=name)
    if person.user is None:
        person.user = User.objects.create_user(username=name.split()[0].lower())
        person.save(update_fields=["user"])
    return person.user


def ics_of(message: Any) -> str:
    attachment = message.attachments[0]
    content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
    return content.decode() if isinstance(content, bytes) else str(content)


def feed_event(client: Client, user: User, meeting: Meeting) -> Any:
    """The meeting's event in the user's calendar feed."""
    feed = Calendar.from_ical(client.get(f"/kalender/{feed_token(user)}.ics").content)
    uid = f"meeting-{meeting.pk}@ssp"
    return next(e for e in feed.walk("VEVENT") if str(e["UID"]) == uid)


def move(meeting: Meeting, user: User, *, days: int, **changes: Any) -> Meeting:
    return scheduling.change_meeting(
        actor_user=user,
        meeting=meeting,
        expected_version=meeting.version,
        title=changes.get("title", meeting.title),
        location=changes.get("location", meeting.location),
        starts_at=meeting.starts_at + timedelta(days=days),
        ends_at=meeting.ends_at + timedelta(days=days),
    )


def test_moving_a_meeting_notifies_and_updates_the_ical_feed(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    meeting = upcoming_local()
    closed = meeting.items.get(visibility=Visibility.CLOSED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = move(meeting, users["koordinator"], days=2)
    assert moved.sequence == 1
    notice = Notice.objects.get(meeting=meeting, kind=NoticeKind.MOVED)
    assert notice.recipients == len(mail.outbox) > 0
    new_start = moved.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for message in mail.outbox:
        ics = ics_of(message)
        assert "SEQUENCE:1" in ics and new_start in ics and "METHOD:REQUEST" in ics
        assert closed.title not in message.body and closed.title not in ics
        assert "flyttet" in message.body
    event = feed_event(client_for("laerer"), users["laerer"], meeting)
    assert event["SEQUENCE"] == 1 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == moved.starts_at


def test_a_change_of_place_is_a_change_and_two_editors_do_not_overwrite_each_other(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    opened = meeting.version
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.change_meeting(
            actor_user=users["koordinator"],
            meeting=meeting,
            expected_version=opened,
            title=meeting.title,
            location="Klubben",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
        )
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.CHANGED).count() == 1
    other = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(StaleEdit):
        scheduling.change_meeting(
            actor_user=users["koordinator"],
            meeting=other,
            expected_version=opened,
            title=other.title,
            location="Biblioteket",
            starts_at=other.starts_at,
            ends_at=other.ends_at,
        )
    assert Meeting.objects.get(pk=meeting.pk).location == "Klubben"


def test_cancel_sends_a_cancelling_ics_once_and_the_feed_shows_it_cancelled(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    meeting = upcoming_local()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.cancel_meeting(
            actor_user=users["koordinator"], meeting=meeting, reason="For få kan deltage"
        )
        scheduling.cancel_meeting(
            actor_user=users["koordinator"], meeting=meeting, reason="For få kan deltage"
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert Notice.objects.filter(meeting=meeting, kind=NoticeKind.CANCELLED).count() == 1
    assert mail.outbox
    for message in mail.outbox:
        ics = ics_of(message)
        assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
        assert "For få kan deltage" in message.body
    event = feed_event(client_for("laerer"), users["laerer"], meeting)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    with pytest.raises(DomainError, match="aflyst"):
        move(meeting, users["koordinator"], days=1)


def test_a_cancel_needs_a_reason_without_personal_data(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    with pytest.raises(DomainError, match="hvorfor"):
        scheduling.cancel_meeting(actor_user=users["koordinator"], meeting=meeting, reason=" ")
    with pytest.raises(DomainError, match="CPR"):
        scheduling.cancel_meeting(
            actor_user=users["koordinator"], meeting=meeting, reason="Ring 12345678"
        )
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_a_held_meeting_cannot_be_moved_or_cancelled(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    meeting.refresh_from_db()
    with pytest.raises(DomainError, match="afholdt"):
        move(meeting, users["koordinator"], days=1)
    with pytest.raises(DomainError, match="afholdt"):
        scheduling.cancel_meeting(actor_user=users["koordinator"], meeting=meeting, reason="Nej")


def test_only_the_manager_edits_a_meeting(demo: Municipality, client_for: Any) -> None:
    meeting = upcoming_local()
    assert client_for("laerer").get(f"/moeder/{meeting.pk}/ret/").status_code == 403
    assert client_for("politiker").get(f"/moeder/{meeting.pk}/ret/").status_code == 404
    coordinator = client_for("koordinator")
    assert coordinator.get(f"/moeder/{meeting.pk}/ret/").status_code == 200
    assert "Ret mødet" in coordinator.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Ret mødet" not in client_for("laerer").get(f"/moeder/{meeting.pk}/").content.decode()


def test_the_edit_page_moves_and_a_refused_cancel_keeps_the_input(
    demo: Municipality, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = upcoming_local()
    client = client_for("koordinator")
    start = timezone.localtime(meeting.starts_at + timedelta(days=1))
    end = timezone.localtime(meeting.ends_at + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moeder/{meeting.pk}/ret/",
            {
                "title": "Flyttet møde",
                "location": meeting.location,
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
                "version": meeting.version,
            },
        )
    assert response.status_code == 302
    page = client.get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Flyttet møde sendt" in page or "Flyttet møde" in page
    assert 'data-testid="notices"' in page
    refused = client.post(f"/moeder/{meeting.pk}/aflys/", {"reason": "Sygdom"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Sygdom" in body and "Sæt kryds" in body
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def steering_pre_meeting(users: dict[str, User]) -> Meeting:
    meeting = Meeting.objects.filter(forum__key="styregruppe", kind=MeetingKind.PRE_MEETING).first()
    assert meeting is not None, "the demo's calendar plans the steering group's pre-meetings"
    return meeting


def test_a_pre_meeting_is_visible_and_sent_only_to_its_participants(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    pre = steering_pre_meeting(users)
    names = set(scheduling.pre_meeting_participants(pre).values_list("name", flat=True))
    assert names == {"Poul Madsen", "Ole Svendsen"}  # the chair and the head of centre
    vice_chair = get_actor(login_for("Hanne Vestergaard"))
    chair = get_actor(users["politiker"])
    staff = get_actor(users["koordinator"])
    assert not meeting_access.visible_meetings(vice_chair).filter(pk=pre.pk).exists()
    assert (
        meeting_access.visible_meetings(vice_chair)
        .filter(forum__key="styregruppe", kind=MeetingKind.REGULAR)
        .exists()
    )
    assert meeting_access.visible_meetings(chair).filter(pk=pre.pk).exists()
    assert meeting_access.visible_meetings(staff).filter(pk=pre.pk).exists()
    assert not selectors.meetings_for_member(vice_chair).filter(pk=pre.pk).exists()
    hanne = Client()
    hanne.force_login(login_for("Hanne Vestergaard"))
    assert hanne.get(f"/moeder/{pre.pk}/").status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_invitations(now=pre.starts_at - timedelta(days=1))
    to = sorted(a for m in mail.outbox if pre.display_title in m.subject for a in m.to)
    assert to == sorted(
        Member.objects.filter(name__in=["Poul Madsen", "Ole Svendsen"]).values_list(
            "email", flat=True
        )
    )


def test_a_joint_event_invites_all_the_fora_members_and_shows_in_their_lists(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    host, others = forum("lokal-ssp-midt"), [forum("lokal-ssp-oest"), forum("lokal-ssp-vest")]
    event = scheduling.create_joint_event(
        actor_user=users["koordinator"],
        forum=host,
        joint_fora=others,
        starts_at=timezone.now() + timedelta(days=4),
        title="Fælles konference for områdegrupperne",
        location="Kulturhuset",
    )
    assert event.kind == MeetingKind.ANNUAL_EVENT
    teacher = get_actor(users["laerer"])  # a member of Øst, not of Midt
    assert selectors.upcoming_meetings(teacher).object_list
    assert event in list(selectors.upcoming_meetings(teacher).object_list)
    assert meeting_access.visible_meetings(teacher).filter(pk=event.pk).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_invitations(now=timezone.now())
    to = {a for m in mail.outbox if event.display_title in m.subject for a in m.to}
    expected = {
        m.email
        for f in [host, *others]
        for m in Member.objects.filter(memberships__forum=f, meeting_emails=True).exclude(email="")
    }
    assert to == expected
    assert len(to) == sum(1 for m in mail.outbox if event.display_title in m.subject)


def test_joint_fora_are_only_fora_the_manager_plans_for(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="planlægger"):
        scheduling.create_joint_event(
            actor_user=users["politiker"],
            forum=forum("styregruppe"),
            joint_fora=[forum("lokal-ssp-oest")],
            starts_at=timezone.now() + timedelta(days=4),
            title="Konference",
        )


@pytest.mark.parametrize("manager", ["koordinator", "boligsocial"])
def test_the_meeting_page_offers_to_cancel_until_attendance_or_a_decision_is_recorded(
    demo: Municipality, users: dict[str, User], client_for: Any, manager: str
) -> None:
    """The page answers from the attendance and items it read (no queries of its own): a
    decision on a closed item counts, also for a chair who sees that item redacted."""
    meeting = upcoming_local()
    if manager == "boligsocial":  # a chair who is no authority person
        meeting.forum.memberships.filter(member__user=users["boligsocial"]).update(
            role=MembershipRole.CHAIR
        )
    client = client_for(manager)

    def offers_cancel() -> bool:
        page = client.get(f"/moeder/{meeting.pk}/").content.decode()
        assert 'data-testid="meeting-edit"' in page
        return 'data-testid="meeting-cancel"' in page

    assert offers_cancel()
    closed = meeting.items.get(visibility=Visibility.CLOSED)
    AgendaItem.objects.filter(pk=closed.pk).update(decision="Sagen fortsætter.")
    assert not offers_cancel()
    AgendaItem.objects.filter(pk=closed.pk).update(decision="")
    assert offers_cancel()
    member = meeting.forum.memberships.first()
    assert member is not None
    Attendance.objects.create(meeting=meeting, member=member.member, status="present")
    assert not offers_cancel()
