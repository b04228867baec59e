"""Supervision (R4): the disclosures log and the audit trail, read-only, for the data protection
officer and the supervisory authority (Ankestyrelsen's spot checks, Fredericia).

No case contents: a disclosure is shown by date, legal basis, purpose, giver and receivers (by
function and unit) and case number, never by what was passed on or about whom; audit events by
time, user, kind and the ids they carry. Everything is scoped to the supervisor's municipality
and refused to everyone else (`access.can_supervise`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ssp import access
from ssp.access import Actor, municipality_of
from ssp.audit.models import AuditAction, AuditEvent
from ssp.audit.services import record_event
from ssp.audit.subject_access import staff_label
from ssp.cases.models import Disclosure, LegalBasis
from ssp.errors import DomainError
from ssp.organisation.models import Member
from ssp.spreadsheets import safe_row

PAGE_SIZE = 50
# An Excel export holds at most this many disclosures (a period of several years fits).
EXPORT_MAX_ROWS = 20_000
DISCLOSURES_FILENAME = "videregivelser"


# --- Scope ----------------------------------------------------------------------------------------


def supervised_disclosures(actor: Actor) -> QuerySet[Disclosure]:
    """The disclosures of the supervisor's municipality; none for anyone else."""
    if not access.can_supervise(actor):
        return Disclosure.objects.none()
    return Disclosure.objects.filter(case__municipality_id=municipality_of(actor))


def supervised_events(actor: Actor) -> QuerySet[AuditEvent]:
    """The municipality's audit events: those about its records and those of its users."""
    if not access.can_supervise(actor):
        return AuditEvent.objects.none()
    municipality = municipality_of(actor)
    users = Member.objects.filter(municipality_id=municipality, user__isnull=False).values(
        "user_id"
    )
    return AuditEvent.objects.filter(Q(municipality_id=municipality) | Q(actor_id__in=users))


def legal_bases_of(actor: Actor) -> QuerySet[LegalBasis]:
    if not access.can_supervise(actor):
        return LegalBasis.objects.none()
    return LegalBasis.objects.filter(municipality_id=municipality_of(actor)).order_by("title")


def users_of(actor: Actor) -> list[tuple[int, str]]:
    """The municipality's users, for the trail's filter: user name, function and unit."""
    if not access.can_supervise(actor):
        return []
    members = (
        Member.objects.filter(municipality_id=municipality_of(actor), user__isnull=False)
        .select_related("user", "unit")
        .order_by("user__username")
    )
    return [
        (m.user.pk, f"{m.user.get_username()} ({staff_label(m)})")
        for m in members
        if m.user is not None
    ]


# --- The disclosures log --------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureFilter:
    start: date | None = None
    end: date | None = None
    legal_basis: LegalBasis | None = None


@dataclass(frozen=True)
class DisclosureRow:
    disclosed_on: date
    case_number: int
    legal_basis: str
    legal_reference: str
    purpose: str
    given_by: str
    receivers: list[str]
    recorded_at: datetime


def _filtered(actor: Actor, chosen: DisclosureFilter) -> QuerySet[Disclosure]:
    disclosures = supervised_disclosures(actor)
    if chosen.start is not None:
        disclosures = disclosures.filter(disclosed_on__gte=chosen.start)
    if chosen.end is not None:
        disclosures = disclosures.filter(disclosed_on__lte=chosen.end)
    if chosen.legal_basis is not None:
        disclosures = disclosures.filter(legal_basis=chosen.legal_basis)
    # `information` (what was passed on) is case content: never loaded here.
    return (
        disclosures.select_related("legal_basis", "given_by__unit")
        .prefetch_related("receivers__unit")
        .defer("information")
        .order_by("-disclosed_on", "-pk")
    )


def _row(disclosure: Disclosure) -> DisclosureRow:
    return DisclosureRow(
        disclosed_on=disclosure.disclosed_on,
        case_number=disclosure.case_id,
        legal_basis=disclosure.legal_basis.title,
        legal_reference=disclosure.legal_basis.reference,
        purpose=disclosure.purpose,
        given_by=staff_label(disclosure.given_by),
        receivers=[staff_label(m) for m in disclosure.receivers.all()],
        recorded_at=timezone.localtime(disclosure.recorded_at),
    )


def disclosures_page(
    actor: Actor, chosen: DisclosureFilter, *, page: int = 1
) -> tuple[Page[Disclosure], list[DisclosureRow]]:
    result = Paginator(_filtered(actor, chosen), PAGE_SIZE).get_page(page)
    return result, [_row(d) for d in result.object_list]


def disclosure_rows(actor: Actor, chosen: DisclosureFilter) -> list[DisclosureRow]:
    return [_row(d) for d in _filtered(actor, chosen)[:EXPORT_MAX_ROWS]]


def disclosures_xlsx(rows: list[DisclosureRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:
        raise RuntimeError("a new workbook has an active sheet")
    sheet.title = _("Videregivelser")
    sheet.append(
        [
            _("Dato"),
            _("Sag nr."),
            _("Hjemmel"),
            _("Lovhenvisning"),
            _("Formål"),
            _("Givet af"),
            _("Modtagere"),
            _("Registreret"),
        ]
    )
    for row in rows:
        sheet.append(
            safe_row(
                [
                    row.disclosed_on,
                    row.case_number,
                    row.legal_basis,
                    row.legal_reference,
                    row.purpose,
                    row.given_by,
                    "; ".join(row.receivers),
                    row.recorded_at.replace(tzinfo=None),
                ]
            )
        )
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


# --- The audit trail ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    user_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class EventRow:
    sequence: int | None  # None while the event waits to be chained
    occurred_at: datetime
    user: str
    action: str
    object_ref: str
    subject_ref: str
    purpose: str


def _action_label(value: str) -> str:
    try:
        return str(AuditAction(value).label)
    except ValueError:
        return value


def events_page(
    actor: Actor, chosen: EventFilter, *, page: int = 1
) -> tuple[Page[AuditEvent], list[EventRow]]:
    events = supervised_events(actor)
    if chosen.user_id is not None:
        events = events.filter(actor_id=chosen.user_id)
    if chosen.action:
        events = events.filter(action=chosen.action)
    zone = timezone.get_current_timezone()
    if chosen.start is not None:
        events = events.filter(occurred_at__gte=datetime.combine(chosen.start, time.min, zone))
    if chosen.end is not None:
        events = events.filter(occurred_at__lte=datetime.combine(chosen.end, time.max, zone))
    result = Paginator(events.order_by("-id"), PAGE_SIZE).get_page(page)
    rows = [
        EventRow(
            sequence=event.sequence,
            occurred_at=timezone.localtime(event.occurred_at),
            user=event.actor_label or _("Systemet"),
            action=_action_label(event.action),
            object_ref=event.object_repr,
            subject_ref=event.subject_ref,
            purpose=event.purpose,
        )
        for event in result.object_list
    ]
    return result, rows


# --- Audit of the supervision itself --------------------------------------------------------------


@transaction.atomic
def record_supervision(*, actor_user: User, action: AuditAction, data: dict[str, object]) -> None:
    """The supervisor's reads are audited too (which log, which filter; no names)."""
    actor = access.get_actor(actor_user)
    if not access.can_supervise(actor):
        raise DomainError(_("Kun tilsynet kan se videregivelsesloggen og revisionssporet."))
    record_event(
        actor=actor_user,
        action=action,
        municipality_id=actor.municipality_id,
        purpose=_("Tilsyn med behandlingen af personoplysninger"),
        data=data,
    )
