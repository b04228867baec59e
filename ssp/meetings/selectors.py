"""Reads of meetings. Every channel (page, PDF, iCal, API, public page, forwarded minutes) gets
its agenda through `agenda_for`, which redacts closed items through `access.item_view`. Who sees
what is decided in `ssp.meetings.access`; these functions only shape the queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ssp.access import Actor
from ssp.cases.models import YoungPerson
from ssp.cases.personal_data import normalise_name
from ssp.meetings import access as meeting_access
from ssp.meetings import participants, votes
from ssp.meetings.access import (
    PREFETCHED_ATTACHMENTS,
    PREFETCHED_CONTRIBUTIONS,
    ItemView,
    Mode,
)
from ssp.meetings.models import (
    AgendaItem,
    Attendance,
    Contribution,
    ForwardedMinutes,
    Meeting,
    MeetingStatus,
    MeetingTask,
)
from ssp.organisation.models import Forum

OPEN_TASKS_SHOWN = 20  # on the start page


def agenda_for(actor: Actor | None, meeting: Meeting, mode: Mode) -> list[ItemView]:
    """The agenda as this actor may see it in this mode."""
    return [view for view, _item in agenda_with_items(actor, meeting, mode)]


def agenda_with_items(
    actor: Actor | None, meeting: Meeting, mode: Mode
) -> list[tuple[ItemView, AgendaItem]]:
    """The agenda as this actor may see it in this mode, each item's view with the item it was
    made from, so that the page reads what an item links to without reading the items again
    (`services.item_links`: only for the items whose view is not redacted)."""
    # Lists on the items (`to_attr`), not querysets: `item_view` reads them without cloning a
    # queryset per item (issue 11: an agenda of 88 items).
    items = meeting.items.select_related("responsible").prefetch_related(
        Prefetch("attachments", to_attr=PREFETCHED_ATTACHMENTS),
        Prefetch(
            "contributions",
            queryset=Contribution.objects.select_related("member"),
            to_attr=PREFETCHED_CONTRIBUTIONS,
        ),
        votes.prefetch(),  # issue 14: the votes of every item in one query
    )
    # The public version names voters as its signatures do: read once for the agenda.
    labels = meeting_access.public_vote_labels(meeting) if mode is Mode.PUBLIC else None
    views = (
        (meeting_access.item_view(actor, item, mode, public_labels=labels), item) for item in items
    )
    return [(view, item) for view, item in views if view is not None]


def minutes_items(actor: Actor, meeting: Meeting) -> list[AgendaItem]:
    """The items whose minutes the actor writes (`access.changeable_items`), with their votes
    read in one query (issue 14: the minutes form costs the same for 2 items as for 88)."""
    return list(meeting_access.changeable_items(actor, meeting).prefetch_related(votes.prefetch()))


def has_begun(meeting: Meeting) -> bool:
    """Whether the meeting has begun (issue 14): its start has passed, or minutes are written
    for it (attendance, a decision). Its agenda then only grows at the end by hand; no
    automatic item (previous minutes, decision follow-up, election) is put on it and no
    position moves: attendance ("left before item N") and votes refer to the positions."""
    return (
        meeting.has_started
        or meeting.attendance.exists()
        or meeting.items.exclude(decision="").exists()
    )


def meetings_for(actor: Actor, *, past: bool = False) -> QuerySet[Meeting]:
    now = timezone.now()
    meetings = (
        meeting_access.visible_meetings(actor)
        .filter(forum__in=meeting_access.member_fora(actor))
        .select_related("forum")
    )
    if past:
        return meetings.filter(starts_at__lt=now).order_by("-starts_at")
    return (
        meetings.filter(starts_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )


# The meeting list's window: the meetings of the next UPCOMING_DAYS (paginated) and of the
# last RECENT_DAYS; older and later meetings are found by year (`meeting_archive`).
UPCOMING_DAYS = 90
RECENT_DAYS = 30
MEETING_PAGE_SIZE = 25


# A meeting's row in the meeting list: `Meeting.display_title` uses title, kind and forum name.
LISTED_MEETING_COLUMNS = ("starts_at", "title", "kind", "status", "approved_at", "forum__name")


def _listed_meetings(actor: Actor, forum: Forum | None) -> QuerySet[Meeting]:
    meetings = meetings_for_member(actor)
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    # What the meeting list shows of a meeting (its time, title, status and forum): issue 11.
    return meetings.select_related("forum").only(*LISTED_MEETING_COLUMNS)


def meetings_for_member(actor: Actor) -> QuerySet[Meeting]:
    """The meetings of the fora the actor attends as a member (no order, no window).

    `member_fora` decides which fora those are; their meetings are a part of
    `visible_meetings` (which adds forwarded minutes), so they are read by forum alone: one
    indexable condition instead of `visible_meetings`' OR of id lists, which PostgreSQL can
    only check row by row (issue 11: the meeting list of a coordinator in 200 fora)."""
    # Issue 14 (N): without the pre-meetings she does not attend, with her fora's joint events.
    return Meeting.objects.filter(
        participants.scope(actor, Q(forum__in=meeting_access.member_fora(actor)))
    )


def upcoming_meetings(actor: Actor, *, forum: Forum | None = None, page: int = 1) -> Page[Meeting]:
    """The meetings of the next UPCOMING_DAYS days, soonest first, not the cancelled ones."""
    now = timezone.now()
    meetings = (
        _listed_meetings(actor, forum)
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )
    return Paginator(meetings, MEETING_PAGE_SIZE).get_page(page)


def recent_meetings(actor: Actor, *, forum: Forum | None = None, limit: int) -> list[Meeting]:
    """The meetings of the last RECENT_DAYS days, latest first (at most `limit`)."""
    now = timezone.now()
    return list(
        _listed_meetings(actor, forum)
        .filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=RECENT_DAYS))
        .order_by("-starts_at", "-pk")[:limit]
    )


def meeting_archive(
    actor: Actor, *, year: int, forum: Forum | None = None, page: int = 1
) -> Page[Meeting]:
    """Every meeting of one year (cancelled ones too, as the list of past meetings shows them),
    latest first."""
    start = timezone.make_aware(datetime(year, 1, 1))  # noqa: DTZ001 - made aware here
    end = timezone.make_aware(datetime(year + 1, 1, 1))  # noqa: DTZ001 - made aware here
    meetings = (
        _listed_meetings(actor, forum)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("-starts_at", "-pk")
    )
    return Paginator(meetings, MEETING_PAGE_SIZE).get_page(page)


def my_fora(actor: Actor) -> QuerySet[Forum]:
    return meeting_access.own_fora(actor).order_by("name")


def forwarded_to(actor: Actor) -> QuerySet[ForwardedMinutes]:
    return (
        meeting_access.received_minutes(actor)
        .select_related("meeting__forum", "to_forum")
        .only(*(f"meeting__{column}" for column in LISTED_MEETING_COLUMNS), "to_forum__name")
        .order_by("-forwarded_at")
    )


def forwards_of(meeting: Meeting) -> list[ForwardedMinutes]:
    """Where a meeting's approved minutes were sent for orientation."""
    return list(meeting.forwards.select_related("to_forum"))


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(forum=meeting.forum, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("member").order_by("member__name"))


def attendance_by_member(meeting: Meeting) -> dict[int, Attendance]:
    return {attendance.member_id: attendance for attendance in meeting.attendance.all()}


def my_open_tasks(actor: Actor) -> list[MeetingTask]:
    """The actor's open meeting tasks, with what the start page and the meeting page show of
    each: its text, deadline, meeting and forum (issue 11: only those columns are read)."""
    return list(
        meeting_access.own_open_tasks(actor)
        .select_related("item__meeting__forum")
        .only(
            "description",
            "due_date",
            "item__meeting__forum__name",
        )
        .order_by("due_date")[:OPEN_TASKS_SHOWN]
    )


def published_meetings(municipality_slug: str) -> QuerySet[Meeting]:
    return (
        meeting_access.published_meetings()
        .filter(forum__municipality__slug=municipality_slug)
        .select_related("forum")
        .order_by("-starts_at")
    )


def calendar_meetings(actor: Actor, forum: Forum | None = None) -> QuerySet[Meeting]:
    """The feed's meetings; a cancelled one stays in it as cancelled (issue 14: the calendar
    shows it so, instead of the event vanishing without a word)."""
    meetings = meetings_for_member(actor)
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    return meetings.select_related("forum").order_by("starts_at")


def registered_names(forum: Forum) -> list[str]:
    """The normalised names of the young people registered where a forum works: its
    municipality, or for a police district's forum (Kredsråd) every municipality of the
    district. For the publication check (`ssp.cases.personal_data`)."""
    people = YoungPerson.objects.all()
    if forum.municipality_id is not None:
        people = people.filter(municipality_id=forum.municipality_id)
    else:
        people = people.filter(municipality__police_district_id=forum.police_district_id)
    return [
        normalise_name(first, last) for first, last in people.values_list("first_name", "last_name")
    ]
