"""The access lookups of the meetings app (`ssp.meetings.access`): what is not visible is 404,
a visible meeting one may not change is 403, and a closed item comes back redacted for those
who may not see closed items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from ssp.access import Actor, get_actor
from ssp.meetings import access as meeting_access
from ssp.meetings import services
from ssp.meetings.models import (
    AgendaItem,
    Contribution,
    ForwardedMinutes,
    Meeting,
    MeetingStatus,
    MeetingTask,
    Visibility,
)
from ssp.organisation.models import Forum, Member, Membership, MembershipRole, Municipality

pytestmark = pytest.mark.django_db


def actor(users: dict[str, User], username: str) -> Actor:
    return get_actor(users[username])


def upcoming_local() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def closed_item(meeting: Meeting) -> AgendaItem:
    return meeting.items.get(visibility=Visibility.CLOSED)


def open_item(meeting: Meeting) -> AgendaItem:
    item = meeting.items.exclude(visibility=Visibility.CLOSED).first()
    assert item is not None
    return item


def orientation_reader(meeting: Meeting) -> User:
    """Karin Lund chairs the coordination group (which receives the local group's minutes)
    without sitting in the local group: give her a login and forward the minutes to her."""
    assert meeting.forum.parent is not None
    ForwardedMinutes.objects.create(meeting=meeting, to_forum=meeting.forum.parent)
    chair = Member.objects.get(name="Karin Lund")
    chair.user = User.objects.create_user("karin")
    chair.save(update_fields=["user"])
    return chair.user


def test_it_finds_a_meeting_of_ones_own_forum(demo: Municipality, users: dict[str, User]) -> None:
    meeting = upcoming_local()
    assert meeting_access.get_meeting_for(actor(users, "boligsocial"), meeting.pk) == meeting


def test_it_answers_404_for_a_meeting_outside_ones_fora(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(Http404):
        meeting_access.get_meeting_for(actor(users, "politiker"), upcoming_local().pk)


def test_it_answers_403_to_a_member_who_does_not_manage_the_forum(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied):
        meeting_access.get_meeting_for(actor(users, "laerer"), upcoming_local().pk, for_change=True)


def test_it_gives_the_forums_coordinator_the_meeting_to_change(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    assert meeting_access.get_meeting_for(actor(users, "koordinator"), meeting.pk, for_change=True)


def test_it_answers_404_to_a_reader_of_forwarded_minutes_who_wants_to_change_them(
    demo: Municipality,
) -> None:
    meeting = upcoming_local()
    reader = get_actor(orientation_reader(meeting))
    assert meeting_access.get_meeting_for(reader, meeting.pk) == meeting
    with pytest.raises(Http404):
        meeting_access.get_meeting_for(reader, meeting.pk, for_change=True)


def test_it_redacts_a_closed_item_for_a_non_authority_member(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    item = closed_item(meeting)
    view = meeting_access.get_item_for(actor(users, "boligsocial"), meeting, item.pk)
    assert view.redacted and view.title == "Lukket punkt"
    assert view.description == "" and view.attachments == [] and view.concern_id is None


def test_it_shows_a_closed_item_to_an_authority_member(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    item = closed_item(meeting)
    view = meeting_access.get_item_for(actor(users, "socialraadgiver"), meeting, item.pk)
    assert not view.redacted and view.title == item.title


def test_it_redacts_a_closed_item_in_forwarded_minutes_even_for_authority_persons(
    demo: Municipality,
) -> None:
    meeting = upcoming_local()
    reader = orientation_reader(meeting)
    Member.objects.filter(user=reader).update(is_authority=True)
    view = meeting_access.get_item_for(get_actor(reader), meeting, closed_item(meeting).pk)
    assert view.redacted


def test_it_answers_404_for_an_item_of_another_meeting(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    other = Meeting.objects.exclude(pk=meeting.pk).filter(items__isnull=False).first()
    assert other is not None
    foreign = other.items.first()
    assert foreign is not None
    with pytest.raises(Http404):
        meeting_access.get_item_for(actor(users, "koordinator"), meeting, foreign.pk)


def test_it_answers_404_to_a_non_authority_chair_who_wants_to_change_a_closed_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    Membership.objects.filter(forum=meeting.forum, member__user=users["boligsocial"]).update(
        role=MembershipRole.CHAIR
    )
    chair = actor(users, "boligsocial")
    with pytest.raises(Http404):
        meeting_access.get_item_for(chair, meeting, closed_item(meeting).pk, for_change=True)
    item = open_item(meeting)
    assert meeting_access.get_item_for(chair, meeting, item.pk, for_change=True) == item


def test_a_member_manages_the_fora_she_chairs_and_the_actor_knows_them_without_a_query(
    demo: Municipality, users: dict[str, User], django_assert_num_queries: Any
) -> None:
    meeting = upcoming_local()
    other = Forum.objects.filter(municipality=demo).exclude(pk=meeting.forum_id).first()
    assert other is not None
    user = User.objects.get(pk=users["boligsocial"].pk)
    assert not meeting_access.can_manage(get_actor(user), meeting.forum)
    Membership.objects.filter(forum=meeting.forum, member__user=users["boligsocial"]).update(
        role=MembershipRole.CHAIR
    )
    chair = get_actor(User.objects.get(pk=users["boligsocial"].pk))
    assert chair.managed_forum_ids == {meeting.forum_id}
    with django_assert_num_queries(0):
        assert meeting_access.can_manage(chair, meeting.forum)
        assert meeting_access.can_manage_meeting(chair, meeting)
        assert not meeting_access.can_manage(chair, other)
    assert list(meeting_access.managed_fora(chair)) == [meeting.forum]
    # A dissolved forum she chaired is still hers to manage (its last minutes), but not listed.
    meeting.forum.dissolved_at = timezone.now()
    meeting.forum.save(update_fields=["dissolved_at"])
    chair = get_actor(User.objects.get(pk=users["boligsocial"].pk))
    assert meeting.forum_id not in chair.forum_ids
    assert meeting_access.can_manage(chair, meeting.forum)
    assert list(meeting_access.managed_fora(chair)) == []
    # Her term over, the next request's actor manages nothing.
    Membership.objects.filter(forum=meeting.forum, member__user=users["boligsocial"]).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    assert not get_actor(User.objects.get(pk=users["boligsocial"].pk)).managed_forum_ids


def test_it_answers_403_to_a_member_who_wants_to_change_an_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    with pytest.raises(PermissionDenied):
        meeting_access.get_item_for(
            actor(users, "laerer"), meeting, open_item(meeting).pk, for_change=True
        )


def test_a_non_authority_member_hands_in_a_contribution_she_cannot_read_back(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    """København: the contribution is write-only; only those who see the item read it."""
    meeting = upcoming_local()
    item = closed_item(meeting)
    client = client_for("boligsocial")
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/bidrag/", {"text": "Jeg kender familien."}
    )
    assert response.status_code == 302
    assert Contribution.objects.get(item=item).member.user == users["boligsocial"]
    assert "Jeg kender familien." not in client.get(f"/moeder/{meeting.pk}/").content.decode()
    koordinator = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Jeg kender familien." in koordinator


def test_a_reader_of_forwarded_minutes_hands_in_no_contribution(demo: Municipality) -> None:
    meeting = upcoming_local()
    client = Client()
    client.force_login(orientation_reader(meeting))
    item = closed_item(meeting)
    response = client.post(f"/moeder/{meeting.pk}/punkter/{item.pk}/bidrag/", {"text": "Hej"})
    assert response.status_code == 404
    assert not Contribution.objects.filter(item=item).exists()


def test_a_contribution_to_an_item_of_another_meeting_is_404(
    demo: Municipality, client_for: Any
) -> None:
    meeting = upcoming_local()
    other = Meeting.objects.filter(forum__key="styregruppe", items__isnull=False).first()
    assert other is not None
    foreign = other.items.first()
    assert foreign is not None
    response = client_for("boligsocial").post(
        f"/moeder/{meeting.pk}/punkter/{foreign.pk}/bidrag/", {"text": "Hej"}
    )
    assert response.status_code == 404
    assert not Contribution.objects.filter(item=foreign).exists()


def test_only_the_forums_permanent_members_may_sign(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    Membership.objects.filter(forum=meeting.forum, member__user=users["laerer"]).update(
        role=MembershipRole.OBSERVER
    )
    with pytest.raises(PermissionDenied):
        meeting_access.get_meeting_to_sign(actor(users, "laerer"), meeting.pk)
    assert meeting_access.get_meeting_to_sign(actor(users, "politi"), meeting.pk) == meeting
    with pytest.raises(Http404):
        meeting_access.get_meeting_to_sign(actor(users, "politiker"), meeting.pk)


def test_a_task_is_found_only_by_its_owner(demo: Municipality, users: dict[str, User]) -> None:
    meeting = upcoming_local()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())  # minutes from the start
    meeting.refresh_from_db()
    item = open_item(meeting)
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData(
                "Gadeteamet kigger forbi.", Member.objects.get(user=users["politi"])
            )
        },
    )
    task = MeetingTask.objects.get(item=item)
    assert meeting_access.get_task_for(actor(users, "politi"), task.pk) == task
    with pytest.raises(Http404):
        meeting_access.get_task_for(actor(users, "laerer"), task.pk)


def test_a_closed_items_decision_needs_an_authority_person_as_responsible(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = upcoming_local()
    bente = Member.objects.get(user=users["boligsocial"])
    assert not meeting_access.may_be_responsible(bente, closed_item(meeting))
    assert meeting_access.may_be_responsible(bente, open_item(meeting))
    candidates = Member.objects.filter(municipality=demo)
    assert bente not in meeting_access.responsible_candidates(candidates, closed_item(meeting))


def test_a_public_meeting_is_found_only_when_published(demo: Municipality) -> None:
    published = Meeting.objects.get(published_at__isnull=False)
    assert meeting_access.get_public_meeting(published.pk) == published
    with pytest.raises(Http404):
        meeting_access.get_public_meeting(upcoming_local().pk)
