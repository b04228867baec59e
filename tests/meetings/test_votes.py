"""Issue 14, votes: the secretary records the votes of the entitled members present (Faxe's
steering group: the political and police members), or "enstemmigt"; the quorum rule; the
protocol shows the result and who voted how."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import services
from ssp.meetings.models import AttendanceStatus, Vote, VoteKind
from ssp.organisation.models import Municipality
from tests.meetings.governance_helpers import forum, member, steering_meeting

pytestmark = pytest.mark.django_db

A = services.AttendanceData


def test_the_faxe_steering_group_votes_with_its_political_and_police_members(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    steering = forum("styregruppe")
    assert steering.quorum == "half" and steering.votes_by_name
    assert {m.name for m in meeting_access.voting_members(steering)} == {
        "Poul Madsen",
        "Hanne Vestergaard",
        "Jens Kofoed",
        "Birgitte Krag",
    }  # the centre head (administrative) has no vote
    meeting, item = steering_meeting(users)
    votes = {
        member("Poul Madsen").pk: "for",
        member("Hanne Vestergaard").pk: "for",
        member("Jens Kofoed").pk: "against",
        member("Birgitte Krag").pk: "abstain",
    }
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData(
                "Fravær er fokusområde.", vote_kind=VoteKind.RECORDED, votes=votes
            )
        },
    )
    item.refresh_from_db()
    assert item.vote_kind == VoteKind.RECORDED and item.vote_carried is True
    assert Vote.objects.filter(item=item).count() == 4
    text = services.protocol_text(meeting)
    assert "vote: 2 for, 1 against, 1 abstain" in text
    assert "Jens Kofoed=against" in text  # by name: the forum's rule
    page = client_for("politiker").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Vedtaget: 2 for, 1 imod, 1 undlod" in page
    assert "Jens Kofoed: imod" in page
    api = client_for("politiker").get(f"/api/v1/meetings/meetings/{meeting.pk}").json()
    assert api["items"][0]["vote_result"] == "Vedtaget: 2 for, 1 imod, 1 undlod"


def test_only_entitled_members_votes_count_the_centre_heads_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    with pytest.raises(DomainError, match="Ole Svendsen har ikke stemmeret"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={
                item.pk: services.DecisionData(
                    "Fravær er fokusområde.",
                    vote_kind=VoteKind.RECORDED,
                    votes={member("Poul Madsen").pk: "for", member("Ole Svendsen").pk: "for"},
                )
            },
        )
    assert not Vote.objects.filter(item=item).exists()  # nothing saved


def test_a_vote_needs_more_than_half_of_the_entitled_members_present(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting, item = steering_meeting(users)
    away = {
        member("Hanne Vestergaard").pk: A(status=AttendanceStatus.APOLOGIES),
        member("Jens Kofoed").pk: A(status=AttendanceStatus.ABSENT),
    }
    with pytest.raises(DomainError, match="ikke beslutningsdygtig: 2 af 4 stemmeberettigede"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance=away,
            decisions={item.pk: services.DecisionData("Vedtaget.", vote_kind=VoteKind.UNANIMOUS)},
        )
    # A deputy attending for one of them makes the group quorate, and votes in her place.
    deputy = member("Karin Lund")
    away[member("Jens Kofoed").pk] = A(status=AttendanceStatus.APOLOGIES, deputy=deputy)
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance=away,
        decisions={
            item.pk: services.DecisionData(
                "Vedtaget.",
                vote_kind=VoteKind.RECORDED,
                votes={member("Jens Kofoed").pk: "for", member("Poul Madsen").pk: "against"},
            )
        },
    )
    item.refresh_from_db()
    assert item.vote_carried is False  # 1 for, 1 against: not carried
    assert set(Vote.objects.filter(item=item).values_list("member__name", flat=True)) == {
        "Karin Lund",
        "Poul Madsen",
    }
    # Hanne sent apologies and has no deputy: her vote is refused.
    with pytest.raises(DomainError, match="Hanne Vestergaard har ikke stemmeret"):
        services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={
                item.pk: services.DecisionData(
                    "Vedtaget.",
                    vote_kind=VoteKind.RECORDED,
                    votes={member("Hanne Vestergaard").pk: "for"},
                )
            },
        )


def test_a_unanimous_decision_through_the_minutes_form(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users)
    response = client_for("koordinator").post(
        f"/moeder/{meeting.pk}/referat/",
        {
            "version": meeting.version,
            f"decision_{item.pk}": "Fravær er fokusområde.",
            f"vote_kind_{item.pk}": VoteKind.UNANIMOUS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.vote_kind == VoteKind.UNANIMOUS and item.decision_number.startswith("STY ")
    page = client_for("politiker").get(f"/moeder/{meeting.pk}/").content.decode()
    assert "Vedtaget enstemmigt" in page and item.decision_number in page


def test_a_refused_vote_in_the_form_keeps_the_input_and_says_why(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting, item = steering_meeting(users)
    data: dict[str, Any] = {
        "version": meeting.version,
        f"decision_{item.pk}": "Fravær er fokusområde.",
        f"vote_kind_{item.pk}": VoteKind.RECORDED,
        f"vote_{item.pk}_{member('Poul Madsen').pk}": "for",
    }
    for name in ("Hanne Vestergaard", "Jens Kofoed"):
        data[f"status_{member(name).pk}"] = AttendanceStatus.APOLOGIES
    response = client_for("koordinator").post(f"/moeder/{meeting.pk}/referat/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "ikke beslutningsdygtig" in page and "Fravær er fokusområde." in page
