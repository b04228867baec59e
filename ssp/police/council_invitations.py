"""Issue 16: a network council's invitations reach people (R5).

- The place: `call_council` calls the council (`services.call_network_council`) and records
  where it is held, in one transaction. A council called before the place existed gets it when
  its invitations are sent.
- The professionals: one e-mail per invited professional with an address, queued for the task
  worker after the commit (`tasks.send_email`). An e-mail leaves the platform: it carries the
  time, the place, the purpose and a link to the council's page (behind the login), never the
  child's name, the offence, the police reference or the network. The sending is claimed once
  (a conditional UPDATE of `invitations_sent_at`): a second click sends nothing.
- The family: a letter (PDF, WeasyPrint), a page per invited custody holder and for the young
  person, with the time, the place, the purpose in plain words, who else takes part (the
  professionals' functions) and the SSP coordinator to contact. It says no more about the
  offence than the family already knows: no offence, no police reference, no description.
- Audit: ids and counts only (`COUNCIL_INVITATIONS_SENT`, `COUNCIL_LETTER_PRINTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import CustodyHolder
from ssp.errors import DomainError
from ssp.organisation.models import AccessRole, Member
from ssp.police import access as police_access
from ssp.police import services, tasks
from ssp.police.models import Deadline, NetworkCouncil
from ssp.templatetags.ssp_dates import dato_tid
from ssp.validation import has_control_characters, max_length_of

EMAIL_TEMPLATE = "police/email/council_invitation.txt"
LETTER_TEMPLATE = "police/council_letter.html"


@dataclass(frozen=True)
class InvitationResult:
    """What a click on "Send invitationer" did: `sent` is False when they had been sent
    already (nothing was sent now); `emails` is the number of e-mails queued now."""

    sent: bool
    emails: int
    sent_at: datetime | None


@dataclass(frozen=True)
class LetterPage:
    """One page of the family's letter: to whom, and where it goes."""

    name: str
    address: str


def clean_place(place: str) -> str:
    """The council's place, trimmed and bounded; DomainError (Danish) when it is not usable."""
    value = place.strip()
    if not value:
        raise DomainError(_("Skriv, hvor samrådet holdes."))
    if len(value) > max_length_of(NetworkCouncil, "place"):
        raise DomainError(
            _("Stedet må højst være %(n)s tegn.") % {"n": max_length_of(NetworkCouncil, "place")}
        )
    if has_control_characters(value):
        raise DomainError(_("Stedet indeholder ugyldige tegn."))
    return value


@transaction.atomic
def call_council(
    *, actor_user: User, deadline: Deadline, place: str, **council: Any
) -> NetworkCouncil:
    """`services.call_network_council` with the place it is held, in one transaction. Calling
    again for the same deadline returns the first council; its place is kept if it has one."""
    where = clean_place(place)
    called = services.call_network_council(actor_user=actor_user, deadline=deadline, **council)
    NetworkCouncil.objects.filter(pk=called.pk, place="").update(place=where)
    called.refresh_from_db(fields=["place"])
    return called


def professionals_with_email(council: NetworkCouncil) -> list[Member]:
    return [member for member in council.professionals.all() if member.email.strip()]


def professionals_without_email(council: NetworkCouncil) -> list[Member]:
    """The invited professionals the platform cannot reach: the page lists them."""
    return [member for member in council.professionals.all() if not member.email.strip()]


def council_url(council: NetworkCouncil) -> str:
    site: str = getattr(settings, "SSP_SITE_URL", "") or "http://localhost:8000"
    return site.rstrip("/") + reverse("police:council", args=[council.pk])


def compose_invitation(council: NetworkCouncil) -> tuple[str, str]:
    """The subject and body of the professionals' e-mail, in Danish whatever the sender's
    browser asked for. Time, place, purpose and a link: nothing about the child."""
    with translation.override(settings.LANGUAGE_CODE):
        when = dato_tid(council.meeting_at)
        subject = _("Invitation til netværkssamråd %(when)s") % {"when": when}
        body = render_to_string(
            EMAIL_TEMPLATE,
            {
                "when": when,
                "place": council.place,
                "url": council_url(council),
                "municipality": council.municipality.name,
            },
        )
    return subject, body


def _unique_addresses(members: list[Member]) -> list[str]:
    seen: set[str] = set()
    addresses = []
    for member in members:
        address = member.email.strip()
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


@transaction.atomic
def send_invitations(
    *, actor_user: User, council: NetworkCouncil, place: str = ""
) -> InvitationResult:
    """Send the invitations once. `place` is used only by a council that has none yet.

    The claim is a conditional UPDATE (`invitations_sent_at` still empty): of two clicks, or
    two coordinators, one sends; the other gets `sent=False` and nothing is sent."""
    services.enforce_for_service(police_access.can_send_council_invitations, actor_user)
    current = (
        NetworkCouncil.objects.select_for_update(of=("self",))
        .select_related("municipality")
        .get(pk=council.pk)
    )
    if current.invitations_sent_at is not None:
        return InvitationResult(sent=False, emails=0, sent_at=current.invitations_sent_at)
    if current.held_on is not None:
        raise DomainError(_("Samrådet er allerede holdt: der sendes ikke invitationer."))
    if current.meeting_at <= timezone.now():
        raise DomainError(_("Samrådets tidspunkt er passeret: der sendes ikke invitationer."))
    where = current.place or clean_place(place)
    now = timezone.now()
    claimed = NetworkCouncil.objects.filter(pk=current.pk, invitations_sent_at__isnull=True).update(
        invitations_sent_at=now, place=where
    )
    if not claimed:  # cannot happen under the row lock; keep the rule visible
        return InvitationResult(sent=False, emails=0, sent_at=current.invitations_sent_at)
    current.place = where
    current.invitations_sent_at = now
    addresses = _unique_addresses(professionals_with_email(current))
    subject, body = compose_invitation(current)
    for address in addresses:
        transaction.on_commit(partial(tasks.send_email.enqueue, [address], subject, body))
    record_event(
        actor=actor_user,
        action=AuditAction.COUNCIL_INVITATIONS_SENT,
        obj=current,
        municipality_id=current.municipality_id,
        data={"council": current.pk, "emails": len(addresses)},
    )
    council.place = where
    council.invitations_sent_at = now
    return InvitationResult(sent=True, emails=len(addresses), sent_at=now)


# --- The family's letter ---------------------------------------------------------------------


def letter_pages(council: NetworkCouncil) -> list[LetterPage]:
    """A page per invited custody holder, and one for the young person if invited (at the
    first custody holder's address). Nobody invited by name: one page to the family."""
    holders: list[CustodyHolder] = list(council.young_person.custody_holders.all())
    pages = []
    if council.invited_custody_holders:
        pages = [LetterPage(holder.name, holder.address) for holder in holders]
    if council.invited_young_person:
        home = next((holder.address for holder in holders if holder.address), "")
        pages.append(LetterPage(council.young_person.full_name, home))
    return pages or [LetterPage(_("Familien"), "")]


def invited_functions(council: NetworkCouncil) -> list[str]:
    """The professionals as the family reads them: their functions, not their names."""
    functions: list[str] = []
    for member in council.professionals.all():
        function = member.title or member.get_sector_display()
        if function not in functions:
            functions.append(function)
    return functions


def contact_of(council: NetworkCouncil) -> Member | None:
    """Whom the family contacts: the SSP staff member who called the council, else the
    municipality's first SSP staff member with a phone or an e-mail."""
    caller = Member.objects.filter(
        user_id=council.created_by_id,
        municipality_id=council.municipality_id,
        access_role=AccessRole.SSP_STAFF,
    ).first()
    if caller is not None:
        return caller
    return (
        Member.objects.filter(
            municipality_id=council.municipality_id, access_role=AccessRole.SSP_STAFF
        )
        .exclude(phone="", email="")
        .order_by("name", "pk")
        .first()
    )


def render_letter(council: NetworkCouncil) -> bytes:
    """The family's letter as a PDF, in Danish."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            LETTER_TEMPLATE,
            {
                "council": council,
                "municipality": council.municipality.name,
                "pages": letter_pages(council),
                "functions": invited_functions(council),
                "network": bool(council.network.strip()),
                "contact": contact_of(council),
                "today": timezone.localdate(),
            },
        )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


@transaction.atomic
def record_letter_printed(*, actor_user: User, council: NetworkCouncil) -> None:
    services.enforce_for_service(police_access.can_send_council_invitations, actor_user)
    record_event(
        actor=actor_user,
        action=AuditAction.COUNCIL_LETTER_PRINTED,
        obj=council,
        municipality_id=council.municipality_id,
        data={"council": council.pk},
    )


def letter_filename(council: NetworkCouncil) -> str:
    """The download's name: the council's number, never a name."""
    return f"netvaerkssamraad-{council.pk}-brev.pdf"
