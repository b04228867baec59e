"""Issue 15: after an action agreement the message names who was actually told (the SSP team's
chair, by e-mail), and says so when no one could be told, instead of always claiming that "the
chair of the SSP team has been told". A concern's receipt never promises a meeting that is not
planned: it names the meeting when the concern is on one's agenda."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from ssp.cases import services
from ssp.cases.models import (
    ActionAgreement,
    Case,
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
)
from ssp.meetings import services as meeting_services
from ssp.meetings.models import Meeting, MeetingStatus
from ssp.organisation.models import (
    Forum,
    ForumType,
    Member,
    Membership,
    MembershipRole,
    Municipality,
)

pytestmark = pytest.mark.django_db


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def make_agreement(client_for: Any, capture: Any) -> tuple[HttpResponse, Case]:
    case = Case.objects.get(young_person__first_name="Ali")
    with capture(execute=True):
        response = client_for("koordinator").post(
            reverse("cases:agreement_new", args=[case.pk]),
            {
                "first_action": "Opfølgende møde med Ali og hans mor.",
                "coordinator": member("socialraadgiver").pk,
                "contact_person": member("koordinator").pk,
                "follow_up_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
            },
        )
    assert response.status_code == 302
    return response, case


def texts(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_message_names_the_chair_who_got_the_e_mail(
    demo: Municipality, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    chair = member("koordinator")
    response, case = make_agreement(client_for, django_capture_on_commit_callbacks)
    [message] = [t for t in texts(response) if "Handlingsaftalen er registreret" in t]
    assert chair.name in message
    assert "der er sendt en e-mail til" in message
    assert "formanden for SSP-teamet" not in message
    assert [m.to for m in mail.outbox] == [[chair.email]]
    assert ActionAgreement.objects.filter(case=case).latest("pk").chair_notified_at is not None


def test_the_message_says_so_when_no_one_could_be_told(
    demo: Municipality, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    team = Membership.objects.current().filter(
        forum__municipality=demo, forum__forum_type=ForumType.SSP_TEAM
    )
    Member.objects.filter(pk__in=team.values("member_id")).update(email="")
    response, case = make_agreement(client_for, django_capture_on_commit_callbacks)
    all_texts = texts(response)
    assert "Handlingsaftalen er registreret." in all_texts
    assert any(t.startswith("Ingen har fået besked") for t in all_texts)
    assert not any("sendt en e-mail" in t for t in all_texts)
    assert mail.outbox == []
    assert ActionAgreement.objects.filter(case=case).latest("pk").chair_notified_at is None


def test_a_chair_without_an_address_does_not_hide_a_coordinator_with_one(
    demo: Municipality, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The first chair or coordinator WITH an e-mail address is told (chairs first, then by
    id): a chair without an address no longer makes the page say that no one could be told."""
    team = Forum.objects.get(municipality=demo, forum_type=ForumType.SSP_TEAM)
    coordinator = member("koordinator")

    def chair(name: str, email: str) -> Member:
        person = Member.objects.create(
            municipality=demo, name=name, sector=coordinator.sector, email=email
        )
        Membership.objects.create(forum=team, member=person, role=MembershipRole.CHAIR)
        return person

    chair("Formand Uden Adresse", "")
    response, _case = make_agreement(client_for, django_capture_on_commit_callbacks)
    [message] = [t for t in texts(response) if "Handlingsaftalen er registreret" in t]
    assert coordinator.name in message and "Formand" not in message
    assert [m.to for m in mail.outbox] == [[coordinator.email]]

    mail.outbox.clear()
    with_address = chair("Formand Med Adresse", "formand@aadal.invalid")
    chair("Formand Senere", "senere@aadal.invalid")
    response, _case = make_agreement(client_for, django_capture_on_commit_callbacks)
    [message] = [t for t in texts(response) if "Handlingsaftalen er registreret" in t]
    assert with_address.name in message and coordinator.name not in message
    assert [m.to for m in mail.outbox] == [[with_address.email]]


# --- The concern's receipt never promises a meeting that is not planned -------------------


def awaiting_concern(demo: Municipality, forum_key: str | None) -> Concern:
    """A group concern the teacher raised that awaits a forum's decision."""
    return Concern.objects.create(
        municipality=demo,
        subject=ConcernSubject.GROUP,
        group_size=4,
        source=ConcernSource.STAFF,
        description="En gruppe hænger ud ved skolen om aftenen.",
        forum=Forum.objects.get(municipality=demo, key=forum_key) if forum_key else None,
        status=ConcernStatus.AWAITING_DECISION,
        raised_by=User.objects.get(username="laerer"),
    )


def next_step(client_for: Any, concern: Concern) -> str:
    response = client_for("laerer").get(reverse("cases:concern_receipt", args=[concern.pk]))
    assert response.status_code == 200
    found = re.search(r'data-testid="next-step">(.*?)</p>', response.content.decode(), re.S)
    assert found is not None
    return " ".join(found.group(1).split())


def test_without_a_planned_meeting_the_receipt_says_so_and_that_the_coordinator_knows(
    demo: Municipality, client_for: Any
) -> None:
    concern = awaiting_concern(demo, "lokal-ssp-oest")
    assert services.concern_receivers(concern)  # the forum has a coordinator or chair
    text = next_step(client_for, concern)
    assert text == "Der er ikke planlagt et møde endnu: koordinatoren har fået besked."
    assert "næste møde" not in text


def test_without_a_receiver_the_receipt_claims_no_one_was_told(
    demo: Municipality, client_for: Any
) -> None:
    concern = awaiting_concern(demo, None)
    assert services.concern_receivers(concern) == []
    text = next_step(client_for, concern)
    assert text.startswith("Der er ikke planlagt et møde endnu.")
    assert "har fået besked" not in text


def test_with_the_concern_on_a_planned_agenda_the_receipt_names_the_meeting_and_date(
    demo: Municipality, client_for: Any
) -> None:
    concern = awaiting_concern(demo, "lokal-ssp-oest")
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    meeting_services.prepare_agenda(
        actor_user=User.objects.get(username="koordinator"), meeting=meeting
    )
    assert meeting.items.filter(concern=concern).exists()
    text = next_step(client_for, concern)
    local = timezone.localtime(meeting.starts_at)
    assert meeting.forum.name in text
    assert date_format(local.date(), "j. F Y") in text
    assert "ikke planlagt" not in text


def test_the_other_participants_are_visible_without_unfolding(
    demo: Municipality, client_for: Any
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    response = client_for("koordinator").get(reverse("cases:agreement_new", args=[case.pk]))
    html = response.content.decode()
    form = html[html.index('data-testid="agreement-form"') :]
    assert "Øvrige deltagere" in form
    assert "<details" not in form
    assert 'id="id_participants"' in form
    assert 'data-testid="picker-participants"' in form
