"""No lost update: minutes and agenda items carry a version, a stale save is refused with what
the other person saved and keeps the user's text; signing and approving are race-safe and
idempotent. The thread tests need PostgreSQL (row locks) and are skipped on SQLite only."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.meetings import services
from ssp.meetings.models import Meeting, MeetingStatus, Signature
from ssp.organisation.models import Municipality
from ssp.versioning import StaleEdit

STALE_MESSAGE = "En anden har gemt ændringer, mens du skrev."


def started_meeting() -> Meeting:
    """The local group Øst's next meeting, begun an hour ago: its minutes can be written."""
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


def hidden_version(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the form carries no version"
    return int(found.group(1))


@pytest.mark.django_db
def test_repro_two_sessions_save_the_minutes_and_the_stale_one_is_refused(
    demo: Municipality, client_for: Any
) -> None:
    meeting = started_meeting()
    item = meeting.items.get(title="Aftener ved klubben")
    url = reverse("meetings:minutes", kwargs={"pk": meeting.pk})
    session_a, session_b = client_for("koordinator"), client_for("koordinator")
    version_a = hidden_version(session_a.get(url).content.decode())
    version_b = hidden_version(session_b.get(url).content.decode())
    assert version_a == version_b

    saved = session_a.post(
        url, {"version": version_a, f"decision_{item.pk}": "A: gadeteamet kigger forbi."}
    )
    assert saved.status_code == 302
    refused = session_b.post(
        url, {"version": version_b, f"decision_{item.pk}": "B: klubben holder længere åbent."}
    )

    assert refused.status_code == 409
    page = refused.content.decode()
    assert STALE_MESSAGE in page
    assert "B: klubben holder længere åbent." in page  # B's text is kept
    assert "A: gadeteamet kigger forbi." in page  # and A's is shown
    assert hidden_version(page) == version_a + 1  # saving again is a deliberate choice
    item.refresh_from_db()
    assert item.decision == "A: gadeteamet kigger forbi."


@pytest.mark.django_db
def test_after_seeing_the_other_save_the_user_can_save_again(
    demo: Municipality, client_for: Any
) -> None:
    meeting = started_meeting()
    item = meeting.items.get(title="Aftener ved klubben")
    url = reverse("meetings:minutes", kwargs={"pk": meeting.pk})
    client = client_for("koordinator")
    client.post(url, {"version": meeting.version, f"decision_{item.pk}": "Først."})
    refused = client.post(url, {"version": meeting.version, f"decision_{item.pk}": "Bagefter."})
    again = client.post(
        url,
        {"version": hidden_version(refused.content.decode()), f"decision_{item.pk}": "Bagefter."},
    )
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.decision == "Bagefter."


@pytest.mark.django_db
def test_repro_two_sessions_edit_an_agenda_item_and_the_stale_one_is_refused(
    demo: Municipality, client_for: Any
) -> None:
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    item = meeting.items.get(title="Aftener ved klubben")
    url = reverse("meetings:item_edit", kwargs={"pk": meeting.pk, "item": item.pk})
    session_a, session_b = client_for("koordinator"), client_for("koordinator")
    version = hidden_version(session_a.get(url).content.decode())
    assert hidden_version(session_b.get(url).content.decode()) == version

    saved = session_a.post(
        url,
        {
            "version": version,
            "title": "Aftener ved klubben",
            "description": "A: opsøgende indsats fra uge 30.",
            "visibility": "internal",
        },
    )
    assert saved.status_code == 302
    refused = session_b.post(
        url,
        {
            "version": version,
            "title": "Klubbens aftener",
            "description": "B: drøftes med klubben først.",
            "visibility": "internal",
        },
    )

    assert refused.status_code == 409
    page = refused.content.decode()
    assert STALE_MESSAGE in page
    assert "B: drøftes med klubben først." in page and 'value="Klubbens aftener"' in page
    assert "A: opsøgende indsats fra uge 30." in page
    assert hidden_version(page) == version + 1
    item.refresh_from_db()
    assert item.description == "A: opsøgende indsats fra uge 30."
    assert item.title == "Aftener ved klubben"


@pytest.mark.django_db
def test_an_editing_form_without_a_version_is_refused(demo: Municipality, client_for: Any) -> None:
    meeting = started_meeting()
    item = meeting.items.get(title="Aftener ved klubben")
    response = client_for("koordinator").post(
        reverse("meetings:minutes", kwargs={"pk": meeting.pk}),
        {f"decision_{item.pk}": "Uden version."},
    )
    assert response.status_code == 400
    assert "Siden er for gammel. Hent den igen." in response.content.decode()


def _held(users: dict[str, User]) -> Meeting:
    meeting = started_meeting()
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={i.pk: services.DecisionData("Besluttet.") for i in meeting.items.all()},
    )
    # Issue 14: signing and approval after "Afslut mødet".
    services.close_meeting(actor_user=users["koordinator"], meeting=meeting)
    return meeting


def _events(meeting: Meeting, action: AuditAction) -> int:
    events = AuditEvent.objects.filter(action=action, object_repr=f"meetings.meeting:{meeting.pk}")
    return events.count()


@pytest.mark.django_db
def test_signing_twice_gives_one_signature_and_one_event(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = _held(users)
    first = services.sign_protocol(actor_user=users["laerer"], meeting=meeting)
    second = services.sign_protocol(actor_user=users["laerer"], meeting=meeting)
    assert first.pk == second.pk
    assert Signature.objects.filter(meeting=meeting).count() == 1
    assert _events(meeting, AuditAction.PROTOCOL_SIGNED) == 1


@pytest.mark.django_db
def test_approving_twice_gives_one_approval_and_one_event(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = _held(users)
    assert not meeting.forum.protocol_signed
    services.approve_minutes(actor_user=users["koordinator"], meeting=meeting)
    approved_at = Meeting.objects.get(pk=meeting.pk).approved_at
    services.approve_minutes(actor_user=users["koordinator"], meeting=meeting)
    assert Meeting.objects.get(pk=meeting.pk).approved_at == approved_at
    assert _events(meeting, AuditAction.MINUTES_APPROVED) == 1
    assert _events(meeting, AuditAction.MINUTES_FORWARDED) == 1


@pytest.mark.django_db
def test_publishing_twice_gives_one_publication_event(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = _held(users)
    assert services.publish(actor_user=users["koordinator"], meeting=meeting) == []
    assert services.publish(actor_user=users["koordinator"], meeting=meeting) == []
    assert _events(meeting, AuditAction.PUBLISHED) == 1


# --- Real concurrency (PostgreSQL) ---------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent sessions need PostgreSQL"
)


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_repro_two_stale_edits_of_minutes_on_postgresql_give_one_save_and_one_refusal(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = started_meeting()
    item = meeting.items.get(title="Aftener ved klubben")
    version = meeting.version

    def save(text: str) -> Callable[[], object]:
        return lambda: services.record_minutes(
            actor_user=users["koordinator"],
            meeting=Meeting.objects.get(pk=meeting.pk),
            attendance={},
            decisions={item.pk: services.DecisionData(text)},
            expected_version=version,
        )

    results = run_at_once(save("Fra session A."), save("Fra session B."))

    saved = [r for r in results if isinstance(r, Meeting)]
    refused = [r for r in results if isinstance(r, StaleEdit)]
    assert len(saved) == 1 and len(refused) == 1, results
    item.refresh_from_db()
    assert refused[0].current["items"][item.pk]["decision"] == item.decision
    assert item.decision in {"Fra session A.", "Fra session B."}
    assert Meeting.objects.get(pk=meeting.pk).version == version + 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_last_two_signers_at_once_on_postgresql_approve_once(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = started_meeting()
    meeting.forum.protocol_signed = True
    meeting.forum.save(update_fields=["protocol_signed"])
    services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={
            item.pk: services.DecisionData("Taget til efterretning.")
            for item in meeting.items.all()
        },
    )
    services.close_meeting(actor_user=users["koordinator"], meeting=meeting)
    signers = [m.user for m in services.signers_needed(meeting) if m.user]
    assert len(signers) >= 2
    for user in signers[:-2]:
        services.sign_protocol(actor_user=user, meeting=meeting)

    def sign(user: User) -> Callable[[], object]:
        return lambda: services.sign_protocol(
            actor_user=user, meeting=Meeting.objects.get(pk=meeting.pk)
        )

    last_two = signers[-2:]
    results = run_at_once(sign(last_two[0]), sign(last_two[1]), sign(last_two[1]))

    assert all(isinstance(r, Signature) for r in results), results
    assert Signature.objects.filter(meeting=meeting).count() == len(signers)
    assert Meeting.objects.get(pk=meeting.pk).approved_at is not None
    assert _events(meeting, AuditAction.MINUTES_APPROVED) == 1
    assert not any(isinstance(r, DomainError) for r in results)
