"""Reads of meetings. Every channel (page, PDF, iCal, API, public page, forwarded minutes) gets
its agenda through `agenda_for`, which is where closed items are redacted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor
from ssp.meetings import access as meeting_access
from ssp.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    ForwardedMinutes,
    Meeting,
    MeetingStatus,
    MeetingTask,
    MeetingTaskStatus,
    Visibility,
)
from ssp.organisation.models import Forum


class Mode(Enum):
    MEMBER = "member"  # a member of the forum (closed items by authority)
    ORIENTATION = "orientation"  # forwarded minutes: no closed items at all
    PUBLIC = "public"  # the published version: public items only


@dataclass
class ItemView:
    pk: int
    position: int
    title: str
    visibility: str
    redacted: bool
    description: str = ""
    decision: str = ""
    responsible: str = ""
    deadline: date | None = None
    attachments: list[Any] = field(default_factory=list)
    contributions: list[Any] = field(default_factory=list)
    kind: str = ""
    concern_id: int | None = None
    case_id: int | None = None


def _view(item: AgendaItem, *, redact: bool, public: bool = False) -> ItemView:
    if redact:
        return ItemView(
            pk=item.pk,
            position=item.position,
            title=_("Lukket punkt"),
            visibility=item.visibility,
            redacted=True,
        )
    return ItemView(
        pk=item.pk,
        position=item.position,
        title=item.title,
        visibility=item.visibility,
        redacted=False,
        description=item.description,
        decision=item.decision,
        responsible=item.responsible.name if item.responsible else "",
        deadline=item.deadline,
        attachments=[] if public else list(item.attachments.all()),
        contributions=[] if public else list(item.contributions.all()),
        kind=item.kind,
        concern_id=item.concern_id,
        case_id=item.case_id,
    )


def agenda_for(actor: Actor | None, meeting: Meeting, mode: Mode) -> list[ItemView]:
    """The agenda as this actor may see it in this mode."""
    items = list(
        meeting.items.select_related("responsible").prefetch_related(
            "attachments", "contributions__member"
        )
    )
    if mode is Mode.PUBLIC:
        return [
            _view(i, redact=False, public=True) for i in items if i.visibility == Visibility.PUBLIC
        ]
    if mode is Mode.ORIENTATION:
        return [_view(i, redact=i.is_closed) for i in items]
    sees_closed = actor is not None and access.can_see_closed_items(actor)
    return [_view(i, redact=i.is_closed and not sees_closed) for i in items]


def mode_for(actor: Actor, meeting: Meeting) -> Mode:
    return Mode.MEMBER if meeting_access.is_member_of(actor, meeting) else Mode.ORIENTATION


def get_meeting_for(actor: Actor, meeting_id: int) -> Meeting:
    meeting: Meeting = access.get_or_404(
        meeting_access.visible_meetings(actor).select_related(
            "forum__municipality", "forum__parent"
        ),
        pk=meeting_id,
    )
    return meeting


def get_attachment_for(actor: Actor, meeting: Meeting, attachment_id: int) -> Attachment:
    """An attachment of an item the actor sees unredacted in this meeting, else 404."""
    visible = {v.pk for v in agenda_for(actor, meeting, mode_for(actor, meeting)) if not v.redacted}
    found: Attachment = access.get_or_404(
        Attachment.objects.filter(item__meeting=meeting, item_id__in=visible), pk=attachment_id
    )
    return found


def get_item_for(actor: Actor, meeting_id: int, item_id: int) -> AgendaItem:
    meeting = get_meeting_for(actor, meeting_id)
    item: AgendaItem = access.get_or_404(AgendaItem.objects.filter(meeting=meeting), pk=item_id)
    return item


def meetings_for(actor: Actor, *, past: bool = False) -> QuerySet[Meeting]:
    now = timezone.now()
    meetings = (
        meeting_access.visible_meetings(actor)
        .filter(forum__in=_member_fora(actor))
        .select_related("forum")
    )
    if past:
        return meetings.filter(starts_at__lt=now).order_by("-starts_at")
    return (
        meetings.filter(starts_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )


def _member_fora(actor: Actor) -> QuerySet[Forum]:
    if access.is_ssp_staff(actor):
        return Forum.objects.filter(municipality_id=access.municipality_of(actor))
    return Forum.objects.filter(pk__in=actor.forum_ids)


def my_fora(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(pk__in=actor.forum_ids).order_by("name")


def forwarded_to(actor: Actor) -> QuerySet[ForwardedMinutes]:
    return (
        ForwardedMinutes.objects.filter(to_forum_id__in=actor.forum_ids)
        .select_related("meeting__forum", "to_forum")
        .order_by("-forwarded_at")
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(forum=meeting.forum, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("member").order_by("member__name"))


def my_open_tasks(actor: Actor) -> list[MeetingTask]:
    if actor.member_id is None:
        return []
    return list(
        MeetingTask.objects.filter(owner_id=actor.member_id, status=MeetingTaskStatus.OPEN)
        .select_related("item__meeting__forum")
        .order_by("due_date")[:50]
    )


def open_tasks_of(actor: Actor) -> QuerySet[MeetingTask]:
    return MeetingTask.objects.filter(owner_id=actor.member_id, status=MeetingTaskStatus.OPEN)


def published_meetings(municipality_slug: str) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(
            forum__municipality__slug=municipality_slug, published_at__isnull=False
        )
        .select_related("forum")
        .order_by("-starts_at")
    )


def get_published_meeting(meeting_id: int) -> Meeting:
    meeting: Meeting = access.get_or_404(
        Meeting.objects.filter(published_at__isnull=False).select_related("forum__municipality"),
        pk=meeting_id,
    )
    return meeting


def calendar_meetings(actor: Actor, forum: Forum | None = None) -> QuerySet[Meeting]:
    meetings = meeting_access.visible_meetings(actor).filter(forum__in=_member_fora(actor))
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    return (
        meetings.exclude(status=MeetingStatus.CANCELLED)
        .select_related("forum")
        .order_by("starts_at")
    )


def get_forum_for_calendar(actor: Actor, forum_id: int) -> Forum:
    forum: Forum = access.get_or_404(_member_fora(actor), pk=forum_id)
    return forum


def meetings_with_items(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.prefetch_related(
        Prefetch("items", queryset=AgendaItem.objects.order_by("position"))
    )
