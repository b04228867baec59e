"""Edit, move and cancel a meeting, and joint events (R6, issue 14). Each sends its notice.

- The forum's manager (`access.can_manage_meeting`) changes a planned meeting's title, place
  and time; a held or cancelled meeting is not changed, moved or cancelled. Once the meeting
  has begun, has attendance recorded or a decision (with its number "STY 2026-4"), it is not
  moved (a new start or end) nor cancelled: its minutes, numbers and year stand
  (`move_refusal`); its title and place may still be corrected. A move never takes a meeting
  whose items have decision numbers into another year. A change is saved
  with the version the editor opened (`Meeting` is `Versioned`), so two editors do not
  overwrite each other, and raises the meeting's iCal SEQUENCE, so calendars replace the event.
- Cancelling needs a reason (`Meeting.cancel_reason`), said in the notice; cancelling twice
  cancels once and sends one notice.
- A joint event is an annual event of one forum held with other fora (`Meeting.joint_fora`):
  one conference for all Områdegrupper, all their members invited. The joint fora are fora the
  manager manages (the picker offers no others).
- Who takes part in a pre-meeting: `participants.pre_meeting_participants`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.access import Actor, get_actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.personal_data import find_personal_data
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import notices
from ssp.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus, NoticeKind
from ssp.meetings.participants import pre_meeting_participants
from ssp.organisation.models import Forum
from ssp.validation import check_date_range, max_length_of, reject_control_characters
from ssp.versioning import StaleEdit, save_versioned

__all__ = [
    "can_move",
    "can_reschedule",
    "cancel_meeting",
    "change_meeting",
    "create_joint_event",
    "joinable_fora",
    "move_refusal",
    "pre_meeting_participants",
]

TITLE_MAX = max_length_of(Meeting, "title")
LOCATION_MAX = max_length_of(Meeting, "location")
REASON_MAX = max_length_of(Meeting, "cancel_reason")
# A meeting lasts at most a day (a conference included).
LONGEST_MEETING = timedelta(hours=24)
JOINT_FORA_MAX = 100
JOINT_EVENT_LENGTH = timedelta(hours=3)


def _checked_text(value: str, *, max_length: int) -> str:
    try:
        reject_control_characters(value)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None
    if len(value) > max_length:
        raise DomainError(_("Teksten må højst være %(n)s tegn lang.") % {"n": max_length})
    return value.strip()


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError(_("Angiv mødets tidspunkt med tidszone."))
    for moment in (starts_at, ends_at):
        try:
            check_date_range(moment)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from None
    if ends_at <= starts_at:
        raise DomainError(_("Mødet skal slutte efter, det begynder."))
    if ends_at - starts_at > LONGEST_MEETING:
        raise DomainError(_("Et møde kan højst vare et døgn."))


def _lock(meeting: Meeting) -> None:
    """The meeting's row lock for the rest of the transaction, its state read anew: changes,
    moves, cancellations and the protocol's steps of one meeting run one at a time."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True))
    meeting.refresh_from_db(
        fields=[
            "status",
            "version",
            "sequence",
            "title",
            "location",
            "starts_at",
            "ends_at",
            "cancel_reason",
        ]
    )


def _require_manager(actor_user: User, meeting: Meeting) -> Actor:
    actor = get_actor(actor_user)
    if not meeting_access.can_manage_meeting(actor, meeting):
        raise DomainError(_("Kun forummets formand, sekretær eller SSP-medarbejdere kan gøre det."))
    return actor


def can_reschedule(meeting: Meeting) -> bool:
    """Whether the meeting may still be changed, moved or cancelled: it is planned."""
    return meeting.status == MeetingStatus.PLANNED


def move_refusal(
    meeting: Meeting, *, has_attendance: bool | None = None, has_decisions: bool | None = None
) -> str | None:
    """Why the meeting may no longer be moved or cancelled (Danish, for the page and the
    refusal), or None while it may: it has begun, has attendance recorded, or a decision.
    `has_attendance`, `has_decisions`: what the caller has read of the meeting already (the
    meeting page: its attendance and all its items); else they are asked here."""
    if meeting.has_started:
        return _(
            "Mødet er begyndt og kan ikke længere flyttes eller aflyses. "
            "Titel og sted kan stadig rettes."
        )
    if meeting.attendance.exists() if has_attendance is None else has_attendance:
        return _(
            "Der er registreret fremmøde til mødet, så det kan ikke længere flyttes eller "
            "aflyses. Titel og sted kan stadig rettes."
        )
    if _has_decisions(meeting) if has_decisions is None else has_decisions:
        return _(
            "Mødet har beslutninger og kan ikke længere flyttes eller aflyses. "
            "Titel og sted kan stadig rettes."
        )
    return None


def can_move(
    meeting: Meeting, *, has_attendance: bool | None = None, has_decisions: bool | None = None
) -> bool:
    """Whether the meeting may still be moved or cancelled (see `move_refusal`)."""
    return (
        can_reschedule(meeting)
        and move_refusal(meeting, has_attendance=has_attendance, has_decisions=has_decisions)
        is None
    )


def _has_decisions(meeting: Meeting) -> bool:
    return meeting.items.exclude(decision="", decision_number="").exists()


def any_decided(items: Iterable[AgendaItem]) -> bool:
    """`_has_decisions` for items already read (all of a meeting's, also those a reader sees
    redacted): one has a decision or a decision number."""
    return any(item.decision or item.decision_number for item in items)


def _numbered_year(meeting: Meeting) -> int | None:
    """The year of the meeting's decision numbers, when any item has one."""
    if meeting.items.exclude(decision_number="").exists():
        return timezone.localtime(meeting.starts_at).year
    return None


def _require_planned(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("Mødet er afholdt og kan ikke ændres, flyttes eller aflyses."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("Mødet er aflyst og kan ikke ændres."))


def _audit(actor_user: User, action: AuditAction, meeting: Meeting, **data: Any) -> None:
    record_event(
        actor=actor_user,
        action=action,
        obj=meeting,
        municipality_id=meeting.forum.municipality_id,
        data=data,
    )


def edit_content(meeting: Meeting) -> dict[str, Any]:
    """What an editor saw, to show back after a refused stale save."""
    return {
        "title": meeting.title,
        "location": meeting.location,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
    }


@transaction.atomic
def change_meeting(
    *,
    actor_user: User,
    meeting: Meeting,
    expected_version: int,
    title: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
) -> Meeting:
    """Change a planned meeting's title, place or time, and tell its participants: a new time
    is a move (notice "flyttet"), a new title or place a change; both raise SEQUENCE. Saving
    what is stored already changes nothing and sends nothing. A meeting that has begun, has
    attendance or a decision is not moved (`move_refusal`); its title and place may change."""
    _require_manager(actor_user, meeting)
    title = _checked_text(title, max_length=TITLE_MAX)
    location = _checked_text(location, max_length=LOCATION_MAX)
    _check_times(starts_at, ends_at)
    _lock(meeting)
    _require_planned(meeting)
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    changed = (title, location) != (meeting.title, meeting.location)
    if not moved and not changed:
        if meeting.version != expected_version:
            raise StaleEdit(current=edit_content(meeting), version=meeting.version)
        return meeting
    if moved:
        year = _numbered_year(meeting)
        if year is not None and timezone.localtime(starts_at).year != year:
            raise DomainError(
                _(
                    "Mødets beslutninger har numre fra %(year)s, så mødet kan ikke flyttes til "
                    "et andet år."
                )
                % {"year": year}
            )
        refusal = move_refusal(meeting)
        if refusal is not None:
            raise DomainError(refusal)
    if moved and starts_at < timezone.now():
        raise DomainError(_("Et møde kan ikke flyttes til et tidspunkt, der er gået."))
    previous = meeting.starts_at
    meeting.title, meeting.location = title, location
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.sequence += 1
    try:
        save_versioned(
            meeting,
            expected_version=expected_version,
            fields=["title", "location", "starts_at", "ends_at", "sequence"],
        )
    except StaleEdit as stale:
        meeting.refresh_from_db()
        raise StaleEdit(current=edit_content(meeting), version=stale.version) from None
    if moved:
        _audit(
            actor_user,
            AuditAction.MEETING_MOVED,
            meeting,
            starts_at=starts_at.isoformat(),
            previous=previous.isoformat(),
            sequence=meeting.sequence,
        )
    else:
        _audit(actor_user, AuditAction.MEETING_CHANGED, meeting, sequence=meeting.sequence)
    notices.notify_change(
        meeting,
        NoticeKind.MOVED if moved else NoticeKind.CHANGED,
        actor_user=actor_user,
        extra={"previous": previous},
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, actor_user: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting that has not begun (`move_refusal`) with a reason and tell its
    participants (the .ics cancels the event). A second cancellation finds it cancelled and
    does nothing. The reason goes out by e-mail, so it may hold no CPR number, e-mail address
    or phone number."""
    _require_manager(actor_user, meeting)
    reason = _checked_text(reason, max_length=REASON_MAX)
    if not reason:
        raise DomainError(_("Skriv, hvorfor mødet aflyses. Begrundelsen sendes til deltagerne."))
    if find_personal_data(reason):
        raise DomainError(
            _(
                "Begrundelsen sendes på e-mail og må ikke indeholde CPR-numre, e-mailadresser "
                "eller telefonnumre."
            )
        )
    _lock(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    _require_planned(meeting)
    refusal = move_refusal(meeting)
    if refusal is not None:
        raise DomainError(refusal)
    Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED).update(
        status=MeetingStatus.CANCELLED, cancel_reason=reason, sequence=F("sequence") + 1
    )
    meeting.refresh_from_db(fields=["status", "cancel_reason", "sequence"])
    _audit(actor_user, AuditAction.MEETING_CANCELLED, meeting, sequence=meeting.sequence)
    notices.notify_change(meeting, NoticeKind.CANCELLED, actor_user=actor_user)
    return meeting


def joinable_fora(actor: Actor, forum: Forum | None = None) -> QuerySet[Forum]:
    """The fora a joint event may be held with: those the actor manages, not the host."""
    fora = meeting_access.managed_fora(actor)
    return fora.exclude(pk=forum.pk) if forum is not None else fora


@transaction.atomic
def create_joint_event(
    *,
    actor_user: User,
    forum: Forum,
    joint_fora: list[Forum],
    starts_at: datetime,
    title: str,
    location: str = "",
) -> Meeting:
    """An annual event of `forum` held together with `joint_fora` (e.g. one conference for all
    Områdegrupper): every member of every one of them is invited (`participants.invitees`) and
    sees it in her meeting list. The invitation goes out with the daily job, as for any
    meeting."""
    actor = get_actor(actor_user)
    if not meeting_access.can_manage(actor, forum):
        raise DomainError(_("Kun forummets formand, sekretær eller SSP-medarbejdere kan gøre det."))
    title = _checked_text(title, max_length=TITLE_MAX)
    location = _checked_text(location, max_length=LOCATION_MAX)
    if not title:
        raise DomainError(_("Giv arrangementet en titel."))
    if not joint_fora:
        raise DomainError(_("Vælg de fora, arrangementet holdes sammen med."))
    if len(joint_fora) > JOINT_FORA_MAX:
        raise DomainError(_("Vælg højst %(n)s fora.") % {"n": JOINT_FORA_MAX})
    allowed = set(joinable_fora(actor, forum).values_list("pk", flat=True))
    if any(other.pk not in allowed for other in joint_fora):
        raise DomainError(_("Arrangementet kan kun holdes sammen med fora, du planlægger for."))
    ends_at = starts_at + JOINT_EVENT_LENGTH
    _check_times(starts_at, ends_at)
    if starts_at < timezone.now():
        raise DomainError(_("Vælg et tidspunkt, der ikke er gået."))
    meeting = Meeting.objects.create(
        forum=forum,
        kind=MeetingKind.ANNUAL_EVENT,
        title=title,
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    meeting.joint_fora.set(joint_fora)
    _audit(
        actor_user,
        AuditAction.MEETING_CREATED,
        meeting,
        kind=MeetingKind.ANNUAL_EVENT,
        joint_fora=sorted(other.pk for other in joint_fora),
    )
    return meeting
