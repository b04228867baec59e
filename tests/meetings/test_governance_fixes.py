"""Issue 14, review findings (helper P2): a held meeting's agenda stays as decided (1); no
automatic item moves a begun agenda (2); an election keeps the meeting's signers and voters
(4); pre-meeting tasks stay out of the follow-up (6); one rule for closed items (7); a deputy
for one member only (8); the quorum at closing (9); the public version names staff by function
(10); a guest sees public items only, and gets in (11); queries do not grow with the items
(12); votes follow the attendance (15)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import services, terms
from ssp.meetings.models import (
    AgendaItem,
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
    SignedPart,
    Visibility,
    Vote,
    VoteKind,
)
from ssp.organisation.models import AccessRole, Member, Membership, Municipality
from tests.meetings.governance_helpers import forum, member, steering_meeting

pytestmark = pytest.mark.django_db

A = services.AttendanceData
VOTERS = ("Poul Madsen", "Hanne Vestergaard", "Jens Kofoed", "Birgitte Krag")


def _vote_all(users: dict[str, User], meeting: Meeting, items: list[AgendaItem]) -> None:
    """Every item decided by a recorded vote of the four members with the vote."""
    choices = dict(zip(VOTERS, ("for", "for", "against", "abstain"), strict=True))
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData(
                f"Beslutning om {item.title}.",
                vote_kind=VoteKind.RECORDED,
                votes={member(name).pk: choice for name, choice in choices.items()},
            )
            for item in items
        },
    )


def _close(users: dict[str, User], meeting: Meeting) -> None:
    services.close_meeting(actor_user=users["koordinator"], meeting=meeting)
    meeting.refresh_from_db()


# --- 1. A held or cancelled meeting's agenda ---------------------------------------------


def test_no_item_is_added_to_or_deleted_from_a_held_or_cancelled_meeting(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users)
    second = services.add_item(actor_user=users["koordinator"], meeting=meeting, title="Budget")
    _vote_all(users, meeting, [item, second])
    _close(users, meeting)
    numbers = list(meeting.items.order_by("position").values_list("decision_number", flat=True))
    with pytest.raises(DomainError, match="Mødet er afsluttet"):
        services.add_item(actor_user=users["koordinator"], meeting=meeting, title="Eftertanke")
    with pytest.raises(DomainError, match="Mødet er afsluttet"):
        services.delete_item(actor_user=users["koordinator"], item=item)
    # On the page: the reason, the input kept.
    client = client_for("koordinator")
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/", {"title": "Eftertanke", "visibility": "internal"}
    )
    assert response.status_code == 400
    assert "Mødet er afsluttet" in response.content.decode()
    assert "Eftertanke" in response.content.decode()
    response = client.post(
        f"/moeder/{meeting.pk}/punkter/{item.pk}/ret/",
        {"delete": "1", "title": item.title, "visibility": "public", "version": item.version},
    )
    assert response.status_code == 400 and "Mødet er afsluttet" in response.content.decode()
    assert (
        list(meeting.items.order_by("position").values_list("decision_number", flat=True))
        == numbers
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    with pytest.raises(DomainError, match="Mødet er aflyst"):
        services.add_item(actor_user=users["koordinator"], meeting=meeting, title="Eftertanke")


def test_a_numbered_decision_is_not_deleted_from_a_planned_meeting(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    second = services.add_item(actor_user=users["koordinator"], meeting=meeting, title="Budget")
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={item.pk: services.DecisionData("Vedtaget.")},
    )
    item.refresh_from_db()
    with pytest.raises(DomainError, match=f"beslutning nr. {item.decision_number}"):
        services.delete_item(actor_user=users["koordinator"], item=item)
    services.delete_item(actor_user=users["koordinator"], item=second)  # no number: goes
    assert list(meeting.items.values_list("pk", flat=True)) == [item.pk]


# --- 2. A begun agenda is not moved ------------------------------------------------------


def test_preparing_a_begun_meetings_agenda_moves_no_item_and_adds_no_governance_item(
    demo: Municipality, users: dict[str, User]
) -> None:
    steering = forum("styregruppe")
    assert Meeting.objects.filter(forum=steering, status=MeetingStatus.HELD).exists()
    meeting, item = steering_meeting(users)  # begun an hour ago, an earlier meeting held
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={member("Jens Kofoed").pk: A(left_before=1)},
        decisions={},
    )
    services.prepare_agenda(actor_user=users["koordinator"], meeting=meeting)
    services.prepare_next_agendas(today=timezone.localdate())
    item.refresh_from_db()
    assert item.position == 1
    kinds = set(meeting.items.values_list("kind", flat=True))
    assert ItemKind.PREVIOUS_MINUTES not in kinds and ItemKind.ELECTION not in kinds
    assert ItemKind.DECISION_FOLLOW_UP not in kinds


def test_a_planned_meeting_not_begun_still_gets_the_previous_minutes_first(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users, starts_at=timezone.now() + timedelta(days=3))
    services.prepare_agenda(actor_user=users["koordinator"], meeting=meeting)
    first = meeting.items.get(position=1)
    assert first.kind == ItemKind.PREVIOUS_MINUTES
    item.refresh_from_db()
    assert item.position == 2


# --- 4. An election keeps the meeting's signers and voters ------------------------------


def _election_item(meeting: Meeting, membership: Membership) -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=meeting,
        position=2,
        title="Valg",
        kind=ItemKind.ELECTION,
        visibility=Visibility.INTERNAL,
        election_for=membership,
        decision="Karin Lund blev valgt.",
    )


def test_an_election_leaves_the_signers_and_voters_of_the_meeting_that_held_it(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    jens = member("Jens Kofoed")
    old = Membership.objects.current().get(forum=meeting.forum, member=jens)
    Membership.objects.filter(pk=old.pk).update(
        term_ends_on=timezone.localdate() + timedelta(days=10)
    )
    election = _election_item(meeting, old)
    voters_before = [m.name for m in meeting_access.voting_members(meeting.forum)]
    terms.record_election(
        actor_user=users["koordinator"],
        item=AgendaItem.objects.select_related("meeting__forum").get(pk=election.pk),
        new_member=member("Karin Lund"),
        new_term_ends_on=timezone.localdate() + timedelta(days=900),
    )
    day = meeting_access.meeting_day(meeting)
    assert [m.name for m in meeting_access.voting_members(meeting.forum, on=day)] == voters_before
    assert jens.pk in services.voters_for(meeting, item)
    assert member("Karin Lund").pk not in services.voters_for(meeting, item)
    signers = {m.name for m in services.signers_needed(meeting)}
    assert "Jens Kofoed" in signers and "Karin Lund" not in signers
    # The election takes effect the day after.
    tomorrow = day + timedelta(days=1)
    later = {m.name for m in meeting_access.voting_members(meeting.forum, on=tomorrow)}
    assert "Karin Lund" in later and "Jens Kofoed" not in later
    # Her successor is elected: no new election is proposed, the start page's box is quiet.
    ending = terms.terms_ending(get_actor(users["koordinator"]), timezone.localdate())
    assert old.pk not in {t.membership.pk for t in ending}
    upcoming, _first = steering_meeting(users, starts_at=timezone.now() + timedelta(days=5))
    terms.propose_elections(upcoming)
    assert not upcoming.items.filter(kind=ItemKind.ELECTION, election_for=old).exists()


def test_an_election_on_a_membership_begun_after_the_meeting_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, _item = steering_meeting(users)
    old = Membership.objects.current().get(forum=meeting.forum, member=member("Jens Kofoed"))
    Membership.objects.filter(pk=old.pk).update(
        start_date=meeting_access.meeting_day(meeting) + timedelta(days=1)
    )
    election = _election_item(meeting, old)
    with pytest.raises(DomainError, match="kan ikke slutte før, det begyndte"):
        terms.record_election(
            actor_user=users["koordinator"],
            item=AgendaItem.objects.select_related("meeting__forum").get(pk=election.pk),
            new_member=member("Karin Lund"),
            new_term_ends_on=timezone.localdate() + timedelta(days=900),
        )


# --- 6. Pre-meeting tasks ---------------------------------------------------------------


def test_a_pre_meetings_open_tasks_stay_out_of_the_decision_follow_up(
    demo: Municipality, users: dict[str, User]
) -> None:
    steering = forum("styregruppe")
    past = timezone.now() - timedelta(days=20)
    pre = Meeting.objects.create(
        forum=steering,
        kind=MeetingKind.PRE_MEETING,
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        status=MeetingStatus.HELD,
    )
    regular = Meeting.objects.create(
        forum=steering,
        kind=MeetingKind.REGULAR,
        starts_at=past + timedelta(days=1),
        ends_at=past + timedelta(days=1, hours=2),
        status=MeetingStatus.HELD,
    )
    for meeting, text in ((pre, "Formødets hemmelige opgave"), (regular, "Mødets opgave")):
        decided = AgendaItem.objects.create(
            meeting=meeting, position=1, title="Punkt", decision=text
        )
        MeetingTask.objects.create(item=decided, owner=member("Poul Madsen"), description=text)
    upcoming, _item = steering_meeting(users, starts_at=timezone.now() + timedelta(days=2))
    services.prepare_agenda(actor_user=users["koordinator"], meeting=upcoming)
    follow_up = upcoming.items.get(kind=ItemKind.DECISION_FOLLOW_UP)
    assert "Mødets opgave" in follow_up.description
    assert "Formødets hemmelige opgave" not in follow_up.description


# --- 7. One rule for closed items -------------------------------------------------------


def test_the_signed_part_follows_the_closed_item_rule_not_the_authority_flag(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, _item = steering_meeting(users)
    AgendaItem.objects.create(
        meeting=meeting, position=2, title="Navngivet", visibility=Visibility.CLOSED
    )
    politician = member("Poul Madsen")
    politician.is_authority = True  # a flag the access role does not honour
    politician.save(update_fields=["is_authority"])
    staff = member("Mette Holm")
    staff.is_authority = False  # SSP staff read closed items all the same
    staff.save(update_fields=["is_authority"])
    assert meeting_access.signed_part(politician, meeting) == SignedPart.OPEN
    assert meeting_access.signed_part(staff, meeting) == SignedPart.FULL
    assert meeting_access.signed_part(member("Ole Svendsen"), meeting) == SignedPart.FULL
    supervisor = Member.objects.get(user__username="tilsyn")
    assert supervisor.access_role == AccessRole.SUPERVISOR
    assert not meeting_access.reads_closed_items(supervisor)
    readers = meeting_access.closed_item_readers(Member.objects.filter(municipality=demo))
    assert staff in readers and politician not in readers and supervisor not in readers


# --- 8. Deputies ------------------------------------------------------------------------


def test_a_deputy_is_no_permanent_member_and_stands_in_for_one_member_only(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users)
    hanne, jens, poul = member("Hanne Vestergaard"), member("Jens Kofoed"), member("Poul Madsen")
    karin = member("Karin Lund")
    base = {"version": meeting.version, f"decision_{item.pk}": "Drøftet."}
    client = client_for("koordinator")
    response = client.post(
        f"/moeder/{meeting.pk}/referat/",
        base | {f"status_{jens.pk}": AttendanceStatus.APOLOGIES, f"deputy_{jens.pk}": str(poul.pk)},
    )
    assert response.status_code == 400
    assert "Poul Madsen er selv fast medlem" in response.content.decode()
    response = client.post(
        f"/moeder/{meeting.pk}/referat/",
        base
        | {
            f"status_{jens.pk}": AttendanceStatus.APOLOGIES,
            f"deputy_{jens.pk}": str(karin.pk),
            f"status_{hanne.pk}": AttendanceStatus.APOLOGIES,
            f"deputy_{hanne.pk}": str(karin.pk),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Karin Lund er allerede stedfortræder" in page and "Drøftet." in page
    assert not meeting.attendance.exists()
    with pytest.raises(DomainError, match="kun være stedfortræder for ét medlem"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={
                jens.pk: A(status=AttendanceStatus.APOLOGIES, deputy=karin),
                hanne.pk: A(status=AttendanceStatus.ABSENT, deputy=karin),
            },
            decisions={},
        )


# --- 9. Quorum for every decision -------------------------------------------------------


def test_a_meeting_without_quorum_cannot_be_closed(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={
            member("Hanne Vestergaard").pk: A(status=AttendanceStatus.APOLOGIES),
            member("Jens Kofoed").pk: A(status=AttendanceStatus.ABSENT),
        },
        decisions={item.pk: services.DecisionData("Fravær er fokusområde.")},
    )
    with pytest.raises(DomainError, match="kan ikke afsluttes: .*ikke beslutningsdygtig"):
        services.close_meeting(actor_user=users["koordinator"], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    # With a deputy for one of them, it can.
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={
            member("Jens Kofoed").pk: A(
                status=AttendanceStatus.ABSENT, deputy=member("Karin Lund")
            ),
        },
        decisions={},
    )
    _close(users, meeting)
    assert meeting.is_held
    # A held meeting's attendance cannot be changed into one without quorum.
    with pytest.raises(DomainError, match="ikke beslutningsdygtig"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={member("Jens Kofoed").pk: A(status=AttendanceStatus.ABSENT)},
            decisions={},
        )


# --- 10. The public version names staff by function --------------------------------------


def test_the_public_version_names_the_police_voter_by_function(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users)
    _vote_all(users, meeting, [item])
    _close(users, meeting)
    assert services.publish(actor_user=users["koordinator"], meeting=meeting) == []
    page = Client().get(f"/offentlig/moeder/{meeting.pk}/").content.decode()
    assert "Ledelsesrepræsentant for Politiet: undlod" in page
    assert "Poul Madsen: for" in page  # elected members by name
    assert "Birgitte Krag" not in page
    # Members read the names.
    inside = client_for("koordinator").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Birgitte Krag: undlod" in inside


# --- 11. Guests -------------------------------------------------------------------------


def test_a_guest_with_a_login_and_no_forum_opens_the_meeting_and_sees_public_items_only(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, public = steering_meeting(users)
    internal = services.add_item(
        actor_user=users["koordinator"],
        meeting=meeting,
        title="Intern budgetdrøftelse",
        description="Kun for styregruppen.",
    )
    guest_user = User.objects.create_user("gaest")
    guest = Member.objects.create(
        user=guest_user,
        municipality=demo,
        name="Gitte Gæst",
        access_role=AccessRole.EMPLOYEE,
    )
    services.add_guest(actor_user=users["koordinator"], meeting=meeting, name="", member=guest)
    client = Client()
    client.force_login(guest_user)
    response = client.get(f"/moeder/{meeting.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert public.title in page
    assert "Internt punkt" in page
    assert internal.title not in page and "Kun for styregruppen." not in page
    api = client.get(f"/api/v1/meetings/meetings/{meeting.pk}").json()
    assert [i["title"] for i in api["items"]] == [public.title, "Internt punkt"]
    # Another meeting stays closed to her.
    other = Meeting.objects.exclude(pk=meeting.pk).first()
    assert other is not None
    assert client.get(f"/moeder/{other.pk}/").status_code == 404


# --- 12. Queries do not grow with the items ---------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_meeting_page_and_the_minutes_form_cost_the_same_for_2_and_8_voted_items(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    counts = []
    for size in (2, 8):
        meeting, item = steering_meeting(users, title=f"Punkt 1 af {size}")
        items = [item] + [
            services.add_item(
                actor_user=users["koordinator"], meeting=meeting, title=f"Punkt {n} af {size}"
            )
            for n in range(2, size + 1)
        ]
        _vote_all(users, meeting, items)
        assert Vote.objects.filter(item__meeting=meeting).count() == 4 * size
        _close(users, meeting)
        client = client_for("koordinator")
        counts.append(
            (
                _queries(client, f"/moeder/{meeting.pk}/"),
                _queries(client, f"/moeder/{meeting.pk}/referat/"),
            )
        )
    assert counts[0] == counts[1]


# --- 15. Votes follow the attendance -----------------------------------------------------


def test_a_vote_by_someone_no_longer_present_is_removed_and_the_result_counted_again(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData(
                "Vedtaget.",
                vote_kind=VoteKind.RECORDED,
                votes={
                    member("Poul Madsen").pk: "for",
                    member("Hanne Vestergaard").pk: "against",
                    member("Jens Kofoed").pk: "for",
                },
            )
        },
    )
    item.refresh_from_db()
    assert item.vote_carried is True
    jens = member("Jens Kofoed")
    # The item is not in this save (as for an item the editor does not see).
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={jens.pk: A(left_before=item.position)},
        decisions={},
    )
    item.refresh_from_db()
    assert set(Vote.objects.filter(item=item).values_list("member__name", flat=True)) == {
        "Poul Madsen",
        "Hanne Vestergaard",
    }
    assert item.vote_carried is False  # 1 for, 1 against
    assert "vote: 1 for, 1 against, 0 abstain" in services.protocol_text(meeting)
    event = AuditEvent.objects.filter(action=AuditAction.VOTES_RECORDED).latest("pk")
    assert event.data["removed"] == [jens.pk] and event.data["item"] == item.pk


# --- 16. The minutes form of a long agenda ---------------------------------------------


def test_the_minutes_form_of_88_items_stays_under_150_kb_with_six_digit_ids(
    demo: Municipality, client_for: Any
) -> None:
    """PostgreSQL's ids grow through a test run (its sequences are not reset): the form stays
    under the limit of `tests/test_bounded_pages.py` with six-digit item ids too."""
    now = timezone.now()
    meeting = Meeting.objects.create(
        pk=99_999,
        forum=forum("koordinationsgruppe"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(
            pk=100_000 + n,
            meeting=meeting,
            position=n,
            title=f"Punkt om fritidstilbud nummer {n}",
        )
        for n in range(1, 89)
    )
    response = client_for("koordinator").get(f"/moeder/{meeting.pk}/referat/")
    html = response.content.decode()
    assert html.count('data-testid="minutes-item"') == 88
    assert html.count('<label class="form-label" for="id_resp_100088">Ansvarlig</label>') == 1
    assert len(response.content) < 150 * 1024
