"""Issue 16 (8): a network council's invitations reach people: one e-mail per professional with
an address (time, place, purpose, a link; nothing about the child), sent once; a letter (PDF)
for the family without the offence or the police reference; audited with ids only."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import CustodyHolder
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality
from ssp.police import council_invitations
from ssp.police.models import Deadline, NetworkCouncil
from tests.police.test_councils import at, call, council_post, fresh_council_deadline

pytestmark = pytest.mark.django_db

PLACE = "Rådhuset, mødelokale 2"


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def called_council(users: dict[str, User], client_for: Any, **fields: Any) -> NetworkCouncil:
    """A council called from the deadline board for a robbery registered today (R5-1)."""
    deadline: Deadline = fresh_council_deadline(users)
    CustodyHolder.objects.create(
        young_person=deadline.young_person,
        name="Hanne Hånd",
        relation="mor",
        address="Skovvej 3, 4690 Ådal",
    )
    data = council_post(
        at(2),
        professionals=[member("socialraadgiver").pk, member("politi").pk, member("laerer").pk],
        network="Træneren Kurt",
        **fields,
    )
    response = call(client_for("koordinator"), deadline, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return NetworkCouncil.objects.get(deadline=deadline)


def invite(client: Client, council: NetworkCouncil, **data: str) -> Any:
    return client.post(f"/netvaerkssamraad/{council.pk}/inviter/", data)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brev.pdf"
    path.write_bytes(content)
    result = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


# --- The place ---------------------------------------------------------------------------------


def test_a_new_council_needs_a_place(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    deadline = fresh_council_deadline(users)
    data = council_post(at(2))
    del data["place"]
    response = call(client_for("koordinator"), deadline, data)
    assert response.status_code == 400
    assert 'name="place"' in response.content.decode()
    assert not NetworkCouncil.objects.filter(deadline=deadline).exists()


def test_the_place_is_kept_and_shown(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    assert council.place == PLACE
    page = client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/").content.decode()
    assert PLACE in page
    assert "Ikke sendt endnu" in page
    assert "Send invitationer" in page


# --- The e-mails ---------------------------------------------------------------------------


def test_one_email_per_professional_with_an_address_and_nothing_about_the_child(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    council = called_council(users, client_for)
    Member.objects.filter(user__username="laerer").update(email="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for("koordinator"), council)
    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [member("socialraadgiver").email, member("politi").email]
    )
    for message in mail.outbox:
        assert len(message.to) == 1
        text = f"{message.subject} {message.body}"
        assert "netværkssamråd" in text
        assert PLACE in text
        assert f"/netvaerkssamraad/{council.pk}/" in message.body
        assert "Formålet er at lave en fælles plan for et barn/en ung" in message.body
        for secret in ("Hans", "Hånd", "Røveri", "R5-1", "Kurt", "Hanne"):
            assert secret not in text, secret
    council.refresh_from_db()
    assert council.invitations_sent_at is not None
    event = AuditEvent.objects.get(action=AuditAction.COUNCIL_INVITATIONS_SENT)
    assert event.data == {"council": council.pk, "emails": 2}


def test_a_second_click_sends_nothing(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    council = called_council(users, client_for)
    client = client_for("koordinator")
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, council)
    sent_at = NetworkCouncil.objects.get(pk=council.pk).invitations_sent_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, council)
    assert response.status_code == 302
    assert mail.outbox == []
    assert NetworkCouncil.objects.get(pk=council.pk).invitations_sent_at == sent_at
    assert AuditEvent.objects.filter(action=AuditAction.COUNCIL_INVITATIONS_SENT).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Invitationerne er allerede sendt" in page
    assert "Send invitationer" not in page


def test_professionals_without_an_email_are_listed_on_the_page(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    Member.objects.filter(user__username="laerer").update(email="")
    page = client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/").content.decode()
    assert "Har ingen e-mail: kontakt dem selv" in page
    assert "Lars Berg" in page


def test_a_council_without_a_place_asks_for_it_before_sending(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    council = called_council(users, client_for)
    NetworkCouncil.objects.filter(pk=council.pk).update(place="")
    client = client_for("koordinator")
    refused = invite(client, council)
    assert refused.status_code == 400
    assert 'name="place"' in refused.content.decode()
    assert NetworkCouncil.objects.get(pk=council.pk).invitations_sent_at is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, council, place="Familiehuset").status_code == 302
    council.refresh_from_db()
    assert council.place == "Familiehuset"
    assert all("Familiehuset" in message.body for message in mail.outbox)
    assert len(mail.outbox) == 3


def test_a_place_with_control_characters_is_a_form_error(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    NetworkCouncil.objects.filter(pk=council.pk).update(place="")
    response = invite(client_for("koordinator"), council, place="Sted\x07")
    assert response.status_code == 400
    assert NetworkCouncil.objects.get(pk=council.pk).invitations_sent_at is None


def test_no_invitations_for_a_council_that_has_passed(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    NetworkCouncil.objects.filter(pk=council.pk).update(
        meeting_at=timezone.now() - timedelta(hours=1)
    )
    council.refresh_from_db()
    with pytest.raises(DomainError, match="passeret"):
        council_invitations.send_invitations(actor_user=users["koordinator"], council=council)
    response = invite(client_for("koordinator"), council)
    assert response.status_code == 400
    assert "passeret" in response.content.decode()


@pytest.mark.parametrize("username", ["laerer", "politiker", "admin", "socialraadgiver"])
def test_only_those_who_call_councils_send_invitations_and_print_letters(
    demo: Municipality, users: dict[str, User], client_for: Any, username: str
) -> None:
    council = called_council(users, client_for)
    client = client_for(username)
    assert invite(client, council).status_code in (403, 404)
    assert client.get(f"/netvaerkssamraad/{council.pk}/brev.pdf").status_code in (403, 404)
    assert NetworkCouncil.objects.get(pk=council.pk).invitations_sent_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.COUNCIL_LETTER_PRINTED).exists()
    with pytest.raises(DomainError):
        council_invitations.send_invitations(actor_user=users[username], council=council)


def test_the_invite_is_post_only(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    assert (
        client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/inviter/").status_code == 405
    )


# --- The family's letter -------------------------------------------------------------------


def test_the_letter_has_time_and_place_and_nothing_about_the_offence(
    demo: Municipality, users: dict[str, User], client_for: Any, tmp_path: Path
) -> None:
    council = called_council(users, client_for)
    response = client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/brev.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="netvaerkssamraad-{council.pk}-brev.pdf"'
    text = pdf_text(response.content, tmp_path)
    assert PLACE in text
    local = timezone.localtime(council.meeting_at)
    assert f"kl. {local:%H.%M}" in text
    assert f"{local.day}." in text
    assert "Hanne Hånd" in text  # a page to the custody holder
    assert "Skovvej 3, 4690 Ådal" in text
    assert "Hans Hånd" in text  # and one to the young person, invited by default
    assert "hændelse, som I allerede kender til" in text
    assert "Mette Holm" in text  # the coordinator who called it is the contact
    assert "Myndighedssagsbehandler" in text  # professionals by function
    for secret in ("Røveri", "R5-1", "Kurt", "Sofie Dahl"):
        assert secret not in text, secret
    event = AuditEvent.objects.get(action=AuditAction.COUNCIL_LETTER_PRINTED)
    assert event.data == {"council": council.pk}


def test_the_letter_has_a_page_per_invited_family_member(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    council = called_council(users, client_for)
    CustodyHolder.objects.create(young_person=council.young_person, name="Ib Hånd")
    pages = council_invitations.letter_pages(council)
    assert [page.name for page in pages] == ["Hanne Hånd", "Ib Hånd", "Hans Hånd"]
    assert pages[-1].address == "Skovvej 3, 4690 Ådal"
    council.invited_young_person = False
    assert [page.name for page in council_invitations.letter_pages(council)] == [
        "Hanne Hånd",
        "Ib Hånd",
    ]
    council.invited_custody_holders = False
    assert len(council_invitations.letter_pages(council)) == 1
