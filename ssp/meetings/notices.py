"""Meeting notices by e-mail (R6, issue 14): the invitation with the agenda, notices of a
changed, moved or cancelled meeting, the reminder to sign, the notice of publication.

- Who gets them: the meeting's invitees (`participants.invitees`: the forum's current members,
  a restricted pre-meeting's participants only, the members of a joint event's fora) who keep
  `Member.meeting_emails` and have an address, and the meeting's guests with an address. One
  e-mail per address, sent by the task worker after the commit (`tasks.send_notice`).
- What they carry: the meeting, its time and place, a link to the meeting page, and for the
  invitation the agenda by number and title. A closed item is only "Lukket punkt", for every
  recipient (an e-mail leaves the platform: no closed title, no description, ever). Members get
  the titles of internal items; a guest - invited from outside, often without a login, for one
  item - gets the public items and "Internt punkt" for the internal ones, as on the public
  page but with the numbering kept. Descriptions and decisions are never in an e-mail.
- The .ics attached (`calendar.meeting_ics`) has the meeting's stable UID and its SEQUENCE, so a
  moved meeting replaces the event in the recipient's calendar and a cancelled one
  (METHOD:CANCEL) removes it.
- Each notice is a `Notice` row and an audit event (ids and counts only). The invitation is
  claimed once under the meeting's row lock: the daily job may run twice, or on two servers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.meetings import calendar, participants, tasks
from ssp.meetings.models import Meeting, MeetingStatus, Notice, NoticeKind, Visibility
from ssp.organisation.models import Member
from ssp.templatetags.ssp_dates import dato_tid

# The municipality's rule `agenda_days_before` lies between 1 and 60 (the preset's bounds).
DEFAULT_AGENDA_DAYS_BEFORE = 7
MAX_AGENDA_DAYS_BEFORE = 60
# A reminder to sign at most every REMINDER_INTERVAL, for meetings held in the last
# REMINDER_WINDOW (older unsigned protocols are the secretary's to chase, not the job's).
REMINDER_INTERVAL = timedelta(days=3)
REMINDER_WINDOW = timedelta(days=90)
# The notices the meeting page lists.
NOTICES_SHOWN = 10

TEMPLATES = {
    NoticeKind.INVITATION: "meetings/email/invitation.txt",
    NoticeKind.CHANGED: "meetings/email/changed.txt",
    NoticeKind.MOVED: "meetings/email/moved.txt",
    NoticeKind.CANCELLED: "meetings/email/cancelled.txt",
    NoticeKind.SIGN_REMINDER: "meetings/email/sign_reminder.txt",
    NoticeKind.PUBLISHED: "meetings/email/published.txt",
}


@dataclass(frozen=True)
class Recipient:
    """An address and whether it belongs to a member (internal items by title) or a guest."""

    email: str
    member: bool


@dataclass(frozen=True)
class AgendaLine:
    position: int
    title: str


def site_url() -> str:
    """The platform's address for links in e-mails (`SSP_SITE_URL`)."""
    url: str = getattr(settings, "SSP_SITE_URL", "") or "http://localhost:8000"
    return url.rstrip("/")


def meeting_url(meeting: Meeting) -> str:
    return site_url() + reverse("meetings:detail", args=[meeting.pk])


def when(moment: datetime) -> str:
    """ "torsdag 10. december 2026 kl. 14.00": the one Danish format (`ssp_dates`)."""
    return dato_tid(moment)


def ends(meeting: Meeting) -> str:
    """When the meeting ends: "16.00" on its day, the date too when it ends on another."""
    end = timezone.localtime(meeting.ends_at)
    if end.date() != timezone.localtime(meeting.starts_at).date():
        return dato_tid(end)
    return date_format(end, "H.i")


# --- Recipients and content ------------------------------------------------------------------


def _unique(addresses: Iterable[tuple[str, bool]]) -> list[Recipient]:
    seen: set[str] = set()
    result: list[Recipient] = []
    for address, member in addresses:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(Recipient(address.strip(), member))
    return result


def _member_addresses(members: QuerySet[Member]) -> list[str]:
    return list(
        members.filter(meeting_emails=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def recipients(meeting: Meeting, *, guests: bool = True) -> list[Recipient]:
    """Everyone the meeting is sent to: invitees who take meeting e-mails, then guests."""
    members = [(address, True) for address in _member_addresses(participants.invitees(meeting))]
    invited = (
        [
            (address, False)
            for address in meeting.guests.exclude(email="").values_list("email", flat=True)
        ]
        if guests
        else []
    )
    return _unique([*members, *invited])


def agenda_lines(meeting: Meeting, *, member: bool) -> list[AgendaLine]:
    """The agenda by number and title as an e-mail may carry it: a closed item as "Lukket punkt"
    for everybody; an internal item as "Internt punkt" for a guest."""
    lines = []
    for position, title, visibility in meeting.items.order_by("position").values_list(
        "position", "title", "visibility"
    ):
        if visibility == Visibility.CLOSED:
            shown = _("Lukket punkt")
        elif visibility == Visibility.INTERNAL and not member:
            shown = _("Internt punkt")
        else:
            shown = title
        lines.append(AgendaLine(position, shown))
    return lines


def subject(meeting: Meeting, kind: str) -> str:
    title = meeting.display_title
    subjects = {
        NoticeKind.INVITATION: _("Indkaldelse: %(title)s"),
        NoticeKind.CHANGED: _("Ændret møde: %(title)s"),
        NoticeKind.MOVED: _("Mødet er flyttet: %(title)s"),
        NoticeKind.CANCELLED: _("Mødet er aflyst: %(title)s"),
        NoticeKind.SIGN_REMINDER: _("Påmindelse: underskriv protokollen fra %(title)s"),
        NoticeKind.PUBLISHED: _("Referatet er offentliggjort: %(title)s"),
    }
    return subjects[NoticeKind(kind)] % {"title": title}


def compose(
    meeting: Meeting, kind: str, *, member: bool, extra: dict[str, Any] | None = None
) -> tuple[str, str]:
    """The subject and body of one notice for a member or a guest, in the municipality's
    language (Danish), whatever language the acting user's browser asked for."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "meeting": meeting,
            "forum": meeting.forum.name,
            "title": meeting.display_title,
            "when": when(meeting.starts_at),
            "ends": ends(meeting),
            "location": meeting.location,
            "url": meeting_url(meeting),
            "public_url": site_url() + reverse("meetings:public_meeting", args=[meeting.pk]),
            "member": member,
            "agenda": agenda_lines(meeting, member=member) if kind == NoticeKind.INVITATION else [],
            "joint_fora": list(meeting.joint_fora.order_by("name").values_list("name", flat=True)),
            **(extra or {}),
        }
        body = render_to_string(TEMPLATES[NoticeKind(kind)], context)
        return subject(meeting, kind), body


# --- Sending ---------------------------------------------------------------------------------


def _lock(meeting_id: int) -> Meeting | None:
    """The meeting under its row lock for the rest of the transaction, read anew."""
    return (
        # Only the meeting's row: a Kredsråd has no municipality (an outer join PostgreSQL
        # cannot lock).
        Meeting.objects.select_for_update(of=("self",))
        .filter(pk=meeting_id)
        .select_related("forum__municipality")
        .first()
    )


def deliver(
    meeting: Meeting,
    kind: str,
    to: list[Recipient],
    *,
    actor_user: User | None = None,
    extra: dict[str, Any] | None = None,
    attach_ics: bool = True,
) -> Notice:
    """Record the notice and queue one e-mail per recipient after the commit. Call inside the
    transaction that made the change (or claimed the notice)."""
    notice = Notice.objects.create(meeting=meeting, kind=kind, recipients=len(to))
    record_event(
        actor=actor_user,
        action=AuditAction.NOTICE_SENT,
        obj=meeting,
        municipality_id=meeting.forum.municipality_id,
        data={"kind": str(kind), "notice": notice.pk, "recipients": len(to)},
    )
    ics = calendar.meeting_ics(meeting, url=meeting_url(meeting)).decode() if attach_ics else ""
    texts = {
        flag: compose(meeting, kind, member=flag, extra=extra)
        for flag in {recipient.member for recipient in to}
    }
    for recipient in to:
        mail_subject, body = texts[recipient.member]
        transaction.on_commit(
            partial(tasks.send_notice.enqueue, [recipient.email], mail_subject, body, ics)
        )
    return notice


def notify_change(
    meeting: Meeting, kind: str, *, actor_user: User, extra: dict[str, Any] | None = None
) -> Notice:
    """A changed, moved or cancelled meeting, at once (inside the change's transaction)."""
    return deliver(meeting, kind, recipients(meeting), actor_user=actor_user, extra=extra)


def _local_day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def _invite(meeting_id: int) -> bool:
    """Claim and send one meeting's invitation; False when it was sent already."""
    meeting = _lock(meeting_id)
    if meeting is None or meeting.status != MeetingStatus.PLANNED:
        return False
    if meeting.notices.filter(kind=NoticeKind.INVITATION).exists():
        return False
    deliver(meeting, NoticeKind.INVITATION, recipients(meeting))
    return True


def days_before(meeting: Meeting) -> int:
    municipality = meeting.forum.municipality
    days = (
        municipality.rule("agenda_days_before", DEFAULT_AGENDA_DAYS_BEFORE)
        if municipality is not None
        else DEFAULT_AGENDA_DAYS_BEFORE
    )
    return max(1, min(int(days), MAX_AGENDA_DAYS_BEFORE))


def send_invitations(*, now: datetime | None = None) -> int:
    """The daily job: the invitation with the agenda for every planned meeting that starts
    within its municipality's `agenda_days_before` days and has none yet. Safe to run twice and
    in parallel (each meeting is claimed under its row lock). Returns the invitations sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = _local_day_start(today + timedelta(days=MAX_AGENDA_DAYS_BEFORE + 1))
    candidates = (
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED, starts_at__gte=now, starts_at__lt=horizon
        )
        .exclude(notices__kind=NoticeKind.INVITATION)
        .select_related("forum__municipality")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for meeting in candidates:
        if (timezone.localdate(meeting.starts_at) - today).days <= days_before(meeting):
            sent += _invite(meeting.pk)
    return sent


def unsigned_signers(meeting: Meeting) -> list[Member]:
    """The signers who have not signed the protocol's current text."""
    from ssp.meetings import services  # services hooks into this module: no import cycle

    signed = {signature.member_id for signature in services.current_signatures(meeting)}
    return [member for member in services.signers_needed(meeting) if member.pk not in signed]


@transaction.atomic
def _remind(meeting_id: int, now: datetime) -> bool:
    meeting = _lock(meeting_id)
    if meeting is None or meeting.status != MeetingStatus.HELD or meeting.approved_at:
        return False
    last = meeting.notices.filter(kind=NoticeKind.SIGN_REMINDER).order_by("-sent_at").first()
    if last is not None and timezone.localdate(last.sent_at) > timezone.localdate(
        now - REMINDER_INTERVAL
    ):
        return False
    waiting = [member.pk for member in unsigned_signers(meeting)]
    to = _unique(
        (address, True) for address in _member_addresses(Member.objects.filter(pk__in=waiting))
    )
    if not to:
        return False
    deliver(meeting, NoticeKind.SIGN_REMINDER, to, attach_ics=False)
    return True


def send_sign_reminders(*, now: datetime | None = None) -> int:
    """The daily job: remind the signers who have not signed the current text of a held,
    unapproved protocol, from the day after the meeting, at most every REMINDER_INTERVAL."""
    now = now or timezone.now()
    today_start = _local_day_start(timezone.localdate(now))
    candidates = Meeting.objects.filter(
        status=MeetingStatus.HELD,
        approved_at__isnull=True,
        forum__protocol_signed=True,
        ends_at__lt=today_start,
        ends_at__gte=today_start - REMINDER_WINDOW,
    ).order_by("starts_at", "pk")
    return sum(_remind(pk, now) for pk in candidates.values_list("pk", flat=True))


@transaction.atomic
def notify_published(meeting_id: int) -> bool:
    """The notice of publication to the forum's members, once per publication. Called after
    the publication commits (`services.publish`, `transaction.on_commit`)."""
    meeting = _lock(meeting_id)
    if meeting is None or meeting.published_at is None:
        return False
    if meeting.notices.filter(
        kind=NoticeKind.PUBLISHED, sent_at__gte=meeting.published_at
    ).exists():
        return False
    to = recipients(meeting, guests=False)
    deliver(meeting, NoticeKind.PUBLISHED, to, attach_ics=False)
    return True


def run_daily(*, now: datetime | None = None) -> tuple[int, int]:
    """What `manage.py send_meeting_notices` does: invitations, then reminders to sign."""
    return send_invitations(now=now), send_sign_reminders(now=now)


def notices_of(meeting: Meeting) -> list[Notice]:
    return list(meeting.notices.all()[:NOTICES_SHOWN])
