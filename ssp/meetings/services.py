"""Use cases for meetings (R6). Each is atomic and writes its audit event.

Input from any channel is checked here too (dates in the domain range, text without control
characters, attachments by content), so a caller that skips the form gets a `DomainError`, never
an exception further down. The protocol's state changes of one meeting (minutes, item changes,
signatures, approval, publication) take the meeting's row lock and run one at a time; signing and
approving twice give one signature and one approval."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ssp.access import Actor, get_actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import routing
from ssp.cases.models import ActionAgreement, CaseStatus, Concern, ConcernStatus
from ssp.cases.personal_data import FindingKind, find_personal_data
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import (
    adhoc_notices,
    forwarding,
    links,
    notices,
    police_review,
    selectors,
    terms,
    uploads,
    votes,
)
from ssp.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    AttendanceStatus,
    Contribution,
    DecisionCounter,
    ForwardedMinutes,
    Guest,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
    MeetingTaskStatus,
    Signature,
    SignedPart,
    Visibility,
    Vote,
    VoteChoice,
    VoteKind,
)
from ssp.organisation.district_members import may_sit_in
from ssp.organisation.models import Cadence, Forum, Member, Membership, StandingItem
from ssp.templatetags.ssp_dates import dato, dato_tid
from ssp.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    check_date_range,
    max_length_of,
    reject_control_characters,
)
from ssp.versioning import StaleEdit, save_versioned

MEETING_LENGTH = timedelta(hours=2)
ATTACHMENT_NAME_MAX = max_length_of(Attachment, "name")
TASK_DESCRIPTION_MAX = max_length_of(MeetingTask, "description")
ITEM_TITLE_MAX = max_length_of(AgendaItem, "title")
MEETING_TEXT_MAX = {
    "title": max_length_of(Meeting, "title"),
    "location": max_length_of(Meeting, "location"),
}
# Free text without a column length (descriptions, decisions, contributions).
LONG_TEXT_MAX = 10_000
# "n per year" (`Cadence.PER_YEAR`): at most weekly (the forum's check constraint).
MAX_MEETINGS_A_YEAR = 52


def _require_manager(user: User, forum: Forum) -> None:
    if not meeting_access.can_manage(get_actor(user), forum):
        raise DomainError(_("Kun forummets formand, sekretær eller SSP-medarbejdere kan gøre det."))


def _checked(check: Callable[[Any], None], value: Any) -> None:
    """Run a validator of `ssp.validation` and turn its refusal into a DomainError."""
    try:
        check(value)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


def _check_text(value: str, *, max_length: int = LONG_TEXT_MAX) -> None:
    _checked(reject_control_characters, value)
    if len(value) > max_length:
        raise DomainError(
            _("Teksten må højst være %(n)s tegn lang.") % {"n": max_length},
        )


def _lock(meeting: Meeting) -> None:
    """Take the meeting's row lock for the rest of the transaction and read its state anew:
    changes to one meeting's protocol and its signatures, approval and publication run one at
    a time, so a repeat sees the first one's result."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True))
    meeting.refresh_from_db(fields=["status", "approved_at", "published_at", "version"])


def _audit(user: User, action: AuditAction, meeting: Meeting, **data: Any) -> None:
    record_event(
        actor=user,
        action=action,
        obj=meeting,
        municipality_id=meeting.forum.municipality_id,
        data=data,
    )


# --- Calendar ------------------------------------------------------------------------------


def cadence_dates(
    cadence: str, year: int, weekday: int, *, per_year: int | None = None
) -> list[date]:
    """Meeting dates for a year from a forum's cadence, on the given weekday (0 = Monday).
    "n per year" (`Cadence.PER_YEAR`, `Forum.meetings_a_year`) spreads n meetings evenly: the
    year in n equal parts, a meeting on the weekday at or after the middle of each part."""

    def first_weekday(day: date) -> date:
        return day + timedelta(days=(weekday - day.weekday()) % 7)

    if cadence == Cadence.PER_YEAR:
        return _spread_over_year(year, per_year or 0, first_weekday)
    if cadence == Cadence.WEEKLY:
        step = 7
    elif cadence == Cadence.BIWEEKLY:
        step = 14
    else:
        months = {
            Cadence.MONTHLY: list(range(1, 13)),
            Cadence.QUARTERLY: [2, 5, 9, 11],
            Cadence.TWICE_YEARLY: [3, 10],
        }.get(Cadence(cadence), [])
        return [first_weekday(date(year, month, 1)) for month in months]
    days = []
    day = first_weekday(date(year, 1, 1))
    while day.year == year:
        days.append(day)
        day += timedelta(days=step)
    return days


def _spread_over_year(year: int, count: int, on_weekday: Callable[[date], date]) -> list[date]:
    if not 1 <= count <= MAX_MEETINGS_A_YEAR:
        return []
    start = date(year, 1, 1)
    length = (date(year + 1, 1, 1) - start).days
    days: list[date] = []
    for index in range(count):
        day = on_weekday(start + timedelta(days=(2 * index + 1) * length // (2 * count)))
        if day.year != year:  # the last part's middle late in December: the week before
            day -= timedelta(days=7)
        if day not in days:
            days.append(day)
    return days


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def generate_calendar(
    *, actor_user: User, forum: Forum, year: int, weekday: int = 1, hour: int = 14
) -> list[Meeting]:
    """R6: the year's meetings from the forum's cadence, pre-meetings a week before each when
    the forum holds them, and its annual event. Safe to run twice."""
    _require_manager(actor_user, forum)
    if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        raise DomainError(
            _("Vælg et år mellem %(first)s og %(last)s.")
            % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year}
        )
    if not (0 <= weekday <= 6 and 0 <= hour <= 23):
        raise DomainError(_("Vælg en ugedag og et klokkeslæt."))
    existing = set(
        Meeting.objects.filter(forum=forum, starts_at__year=year).values_list("kind", "starts_at")
    )
    created: list[Meeting] = []

    def make(kind: str, starts: datetime, **extra: Any) -> Meeting | None:
        if (kind, starts) in existing:
            return None
        meeting = Meeting.objects.create(
            forum=forum, kind=kind, starts_at=starts, ends_at=starts + MEETING_LENGTH, **extra
        )
        created.append(meeting)
        return meeting

    for day in cadence_dates(forum.cadence, year, weekday, per_year=forum.meetings_a_year):
        starts = _at(day, hour)
        meeting = make(MeetingKind.REGULAR, starts)
        if forum.pre_meeting:
            main = meeting or Meeting.objects.get(
                forum=forum, kind=MeetingKind.REGULAR, starts_at=starts
            )
            make(
                MeetingKind.PRE_MEETING,
                starts - timedelta(days=7),
                prepares=main,
                title=_("Formøde: %(forum)s") % {"forum": forum.name},
            )
    if forum.annual_event:
        make(MeetingKind.ANNUAL_EVENT, _at(date(year, 6, 1), 16), title=forum.annual_event)
    if created:
        record_event(
            actor=actor_user,
            action=AuditAction.CALENDAR_GENERATED,
            obj=forum,
            municipality_id=forum.municipality_id,
            data={"year": year, "created": len(created)},
        )
    return created


def _check_start(starts_at: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise DomainError(_("Angiv mødets tidspunkt med tidszone."))
    try:
        # A start at the edge of what Python can hold overflows in local time or at its end.
        timezone.localtime(starts_at + MEETING_LENGTH)
        timezone.localtime(starts_at - MEETING_LENGTH)
    except OverflowError:
        raise DomainError(
            _("Tidspunktet skal ligge mellem %(first)s og %(last)s.")
            % {
                "first": date_format(EARLIEST_DATE, "j. F Y"),
                "last": date_format(LATEST_DATE, "j. F Y"),
            }
        ) from None
    _checked(check_date_range, starts_at)
    _checked(check_date_range, starts_at + MEETING_LENGTH)


@transaction.atomic
def create_meeting(
    *,
    actor_user: User,
    forum: Forum,
    kind: str,
    starts_at: datetime,
    location: str = "",
    title: str = "",
) -> Meeting:
    """Extra and acute meetings, called by the chair. The start lies in the domain range
    (1900-2100), so the meeting's end and every page that shows it can be computed."""
    _require_manager(actor_user, forum)
    _check_start(starts_at)
    if kind not in MeetingKind.values:
        raise DomainError(_("Vælg mødets type."))
    for name, value in (("title", title), ("location", location)):
        _check_text(value, max_length=MEETING_TEXT_MAX[name])
    meeting = Meeting.objects.create(
        forum=forum,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + MEETING_LENGTH,
        location=location,
        title=title,
    )
    _audit(actor_user, AuditAction.MEETING_CREATED, meeting, kind=kind)
    return meeting


# --- Agenda --------------------------------------------------------------------------------


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_item(meeting: Meeting, *, title: str, description: str, visibility: str) -> None:
    """R6: a forum that may not discuss named persons has no closed items; every item a title."""
    if visibility == Visibility.CLOSED and not meeting.forum.may_discuss_individuals:
        raise DomainError(
            _("Forummet må ikke drøfte navngivne personer, så der kan ikke være lukkede punkter.")
        )
    if not title.strip():
        raise DomainError(_("Skriv en overskrift."))
    if visibility not in Visibility.values:
        raise DomainError(_("Vælg punktets synlighed."))
    _check_text(title, max_length=ITEM_TITLE_MAX)
    _check_text(description)


@transaction.atomic
def add_item(
    *,
    actor_user: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    visibility: str = Visibility.INTERNAL,
    attachment: File[bytes] | None = None,
    link: tuple[str, int] | None = None,
) -> AgendaItem:
    """A new item at the end of the agenda; `link` (kind key, object id) ties it to an object
    of another app that its decision acts on (`ssp.meetings.links`)."""
    _require_manager(actor_user, meeting.forum)
    _check_item(meeting, title=title, description=description, visibility=visibility)
    if link is not None:
        _check_link(actor_user, meeting, link, visibility=visibility)
    if attachment is not None:
        _check_attachment(attachment)
    _lock(meeting)
    _check_agenda_open(meeting)
    before = protocol_hash(meeting)
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=_next_position(meeting),
        title=title.strip(),
        description=description.strip(),
        visibility=visibility,
        link_kind=link[0] if link else "",
        link_id=link[1] if link else None,
    )
    _after_change(meeting, before)
    _audit(actor_user, AuditAction.ITEM_ADDED, meeting, item=item.pk, visibility=visibility)
    if link is not None:
        _audit_link(actor_user, item)
    if attachment is not None:
        add_attachment(actor_user=actor_user, item=item, upload=attachment)
    return item


@transaction.atomic
def add_attachment(*, actor_user: User, item: AgendaItem, upload: File[bytes]) -> Attachment:
    """An attachment shares its item's visibility: a closed item's files stay closed. Only the
    kinds of file on the allow-list of `uploads`, checked by content."""
    _require_manager(actor_user, item.meeting.forum)
    _check_attachment(upload)
    name = (upload.name or "bilag").rsplit("/", 1)[-1][:ATTACHMENT_NAME_MAX]
    attachment = Attachment.objects.create(item=item, file=upload, name=name)
    # The file name may name a child: the event refers to the attachment by its id only.
    _audit(
        actor_user,
        AuditAction.ATTACHMENT_ADDED,
        item.meeting,
        item=item.pk,
        attachment=attachment.pk,
    )
    return attachment


class _Keep(Enum):
    LINK = "keep"


# `update_item(link=KEEP_LINK)`: leave the item's link as it is (the default).
KEEP_LINK = _Keep.LINK


def _check_link(
    actor_user: User, meeting: Meeting, link: tuple[str, int], *, visibility: str
) -> None:
    """A new link: a registered kind, an object among the kind's choices for this forum (the
    owner bounds them by what the actor may see), and never on a closed item (it concerns a
    named child; the linked objects are the forum's shared work)."""
    if visibility == Visibility.CLOSED:
        raise DomainError(_("Et lukket punkt kan ikke tilknyttes noget."))
    key, object_id = link
    kind = links.link_kind(key)
    if kind is None:
        raise DomainError(_("Den valgte tilknytning findes ikke."))
    choices = kind.choices(get_actor(actor_user), meeting.forum)
    if object_id not in {choice_id for choice_id, _label in choices}:
        raise DomainError(
            _("%(kind)s kan ikke tilknyttes dette møde: vælg blandt mulighederne.")
            % {"kind": kind.label}
        )


def _audit_link(actor_user: User, item: AgendaItem) -> None:
    """The link by kind and id only: no titles in the trail."""
    _audit(
        actor_user,
        AuditAction.AGENDA_ITEM_LINKED,
        item.meeting,
        item=item.pk,
        kind=item.link_kind,
        object=item.link_id,
    )


def _check_attachment(upload: File[bytes]) -> None:
    try:
        uploads.check_attachment(upload, name=upload.name or "")
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


# A local forum's first notice of concerns handled elsewhere, before it has met: this period.
ROUTED_NOTICE_FIRST_PERIOD = timedelta(days=92)


def _routed_notice_texts(route: routing.IndividualRoute, count: int) -> tuple[str, str]:
    """The notice item's title and description: a number and where, never a name."""
    if route.forum is None:
        title = ngettext(
            "%(count)s ny bekymring behandles af SSP-medarbejderne",
            "%(count)s nye bekymringer behandles af SSP-medarbejderne",
            count,
        ) % {"count": count}
        description = _(
            "Automatisk orientering uden navne: bekymringer om navngivne børn og unge fra "
            "området drøftes ikke i dette forum, men behandles af SSP-medarbejderne."
        )
        return title[:ITEM_TITLE_MAX], description
    where = route.forum.name
    if route.adhoc_group:
        title = ngettext(
            "%(count)s ny bekymring behandles i ad hoc handlegruppe",
            "%(count)s nye bekymringer behandles i ad hoc handlegrupper",
            count,
        ) % {"count": count}
        description = _(
            "Automatisk orientering uden navne: bekymringer om navngivne børn og unge fra "
            "området drøftes ikke i dette forum, men i ad hoc handlegrupper, som nedsættes "
            "via %(forum)s."
        ) % {"forum": where}
    else:
        title = ngettext(
            "%(count)s ny bekymring behandles i %(forum)s",
            "%(count)s nye bekymringer behandles i %(forum)s",
            count,
        ) % {"count": count, "forum": where}
        description = _(
            "Automatisk orientering uden navne: bekymringer om navngivne børn og unge fra "
            "området drøftes ikke i dette forum, men i %(forum)s, hvor de må drøftes."
        ) % {"forum": where}
    return title[:ITEM_TITLE_MAX], description


def _add_routed_notice(meeting: Meeting) -> int:
    """R1/R6: a local forum that hands its named matters on (it may not discuss them) gets one
    anonymous item instead of the concerns: how many new risk-factor concerns from its area,
    raised since its previous meeting, are handled where the municipality's rule sends them.
    The item names no one and is not linked to any concern; a later run brings its number up
    to date. Returns the number of items added or changed."""
    forum = meeting.forum
    if forum.municipality is None or forum.school_district_id is None:
        return 0
    if meeting.status != MeetingStatus.PLANNED:
        return 0
    local = routing.local_forum_for(forum.municipality, forum.school_district)
    if local is None or local.pk != forum.pk:
        return 0
    route = routing.individual_route_from(forum, municipality=forum.municipality)
    if not route.handed_on:
        return 0
    previous = (
        Meeting.objects.filter(forum=forum, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    since = previous or meeting.starts_at - ROUTED_NOTICE_FIRST_PERIOD
    count = (
        Concern.objects.filter(
            municipality=forum.municipality,
            young_person__school_district_id=forum.school_district_id,
            raised_at__gte=since,
            raised_at__lt=meeting.starts_at,
        )
        .filter(routing.risk_factor_only())
        .exclude(forum=forum)
        .count()
    )
    if not count:
        return 0
    title, description = _routed_notice_texts(route, count)
    notice = meeting.items.filter(kind=ItemKind.FREE, description=description).first()
    if notice is None:
        AgendaItem.objects.create(
            meeting=meeting,
            position=_next_position(meeting),
            title=title,
            description=description,
            kind=ItemKind.FREE,
            visibility=Visibility.INTERNAL,
        )
        return 1
    if notice.title == title:
        return 0
    AgendaItem.objects.filter(pk=notice.pk).update(title=title, version=F("version") + 1)
    return 1


def _add_pending_items(meeting: Meeting) -> int:
    """Concerns awaiting the forum's decision and cases due for follow-up, as closed items,
    unless they already stand on a planned meeting's agenda. A forum that may not discuss
    named persons gets the anonymous notice of its area's concerns instead (R1)."""
    if not meeting.forum.may_discuss_individuals:
        return _add_routed_notice(meeting)
    added = 0
    concerns = Concern.objects.filter(
        forum=meeting.forum, status=ConcernStatus.AWAITING_DECISION
    ).exclude(agenda_items__meeting__status=MeetingStatus.PLANNED)
    for concern in concerns.select_related("young_person"):
        AgendaItem.objects.create(
            meeting=meeting,
            position=_next_position(meeting),
            title=_("Bekymring nr. %(n)s: henlæg eller lav handlingsaftale") % {"n": concern.pk},
            description=concern.young_person.full_name if concern.young_person else "",
            kind=ItemKind.CONCERN_DECISION,
            visibility=Visibility.CLOSED,
            concern=concern,
        )
        added += 1
    due = ActionAgreement.objects.filter(
        case__forum=meeting.forum,
        case__status=CaseStatus.OPEN,
        follow_up_date__lte=meeting.starts_at.date(),
    ).exclude(case__agenda_items__meeting__status=MeetingStatus.PLANNED)
    for case_id in sorted(set(due.values_list("case_id", flat=True))):
        AgendaItem.objects.create(
            meeting=meeting,
            position=_next_position(meeting),
            title=_("Opfølgning på sag nr. %(n)s") % {"n": case_id},
            kind=ItemKind.CASE_FOLLOW_UP,
            visibility=Visibility.CLOSED,
            case_id=case_id,
        )
        added += 1
    return added


def standing_titles(forum: Forum) -> list[str]:
    """The forum's own standing items, then those the municipality set for its forum type
    (issue 16, `StandingItem`), each once, in order."""
    titles = list(forum.standing_items or [])
    if forum.municipality_id is not None:
        titles += list(
            StandingItem.objects.filter(
                municipality_id=forum.municipality_id, forum_type=forum.forum_type
            ).values_list("title", flat=True)
        )
    return list(dict.fromkeys(titles))


def _add_standing_items(meeting: Meeting) -> int:
    """The standing items not yet on the agenda (by title), as internal items."""
    titles = set(meeting.items.values_list("title", flat=True))
    added = 0
    for standing in standing_titles(meeting.forum):
        if standing not in titles:
            AgendaItem.objects.create(
                meeting=meeting,
                position=_next_position(meeting),
                title=standing,
                kind=ItemKind.STANDING,
                visibility=Visibility.INTERNAL,
            )
            added += 1
    return added


@transaction.atomic
def prepare_next_agendas(*, today: date) -> int:
    """R6, the daily job: put waiting concerns and due follow-ups on the next planned meeting
    of the forum that handles them, without anyone having to remember it; a local forum that
    may not discuss named persons gets the anonymous notice of them instead (R1). Safe to run
    twice, also at once: each meeting's row lock lets the second run see the first's items."""
    added = 0
    # Every standing forum gets the governance items (previous minutes, decision follow-up,
    # elections of ending terms); concerns and cases only where they are handled.
    fora = Forum.objects.filter(dissolved_at__isnull=True).select_related("municipality")
    start = timezone.make_aware(datetime.combine(today, time.min))
    for forum in fora:
        meeting = (
            Meeting.objects.filter(
                forum=forum,
                status=MeetingStatus.PLANNED,
                starts_at__gte=start,
                kind__in=[MeetingKind.REGULAR, MeetingKind.EXTRA, MeetingKind.ACUTE],
            )
            .order_by("starts_at")
            .first()
        )
        if meeting is None:
            continue
        _lock(meeting)
        before = protocol_hash(meeting)
        count = (
            _add_governance_items(meeting)
            + terms.propose_elections(meeting)
            + police_review.add_review_item(meeting)
        )
        if forum.may_discuss_individuals or forum.forum_type in routing.LOCAL_FORUM_TYPES:
            count += _add_pending_items(meeting)
        if count:
            _after_change(meeting, before)
            record_event(
                actor=None,
                action=AuditAction.AGENDA_PREPARED,
                obj=meeting,
                municipality_id=forum.municipality_id,
                data={"added": count, "automatic": True},
            )
        added += count
    return added + adhoc_notices.add_pending_notices(today=today)


@transaction.atomic
def prepare_agenda(*, actor_user: User, meeting: Meeting) -> int:
    """R6: standing items from the forum; concerns awaiting the local group's decision (the
    worksheet rule) and cases due for follow-up as closed items. Safe to run twice, also at
    once (a double click): the meeting's row lock lets the second see the first's items."""
    _require_manager(actor_user, meeting.forum)
    _lock(meeting)
    before = protocol_hash(meeting)
    added = 0
    added += _add_standing_items(meeting)
    added += _add_governance_items(meeting)
    added += terms.propose_elections(meeting)
    added += police_review.add_review_item(meeting)
    added += _add_pending_items(meeting)
    if added:
        _after_change(meeting, before)
        _audit(actor_user, AuditAction.AGENDA_PREPARED, meeting, added=added)
    return added


# The meetings whose agenda approves the previous minutes and follows up on decisions.
GOVERNED_KINDS = (MeetingKind.REGULAR, MeetingKind.EXTRA, MeetingKind.ACUTE)


def _add_governance_items(meeting: Meeting) -> int:
    """Issue 14, once per meeting: the first item approves the previous minutes when the forum
    has held an earlier meeting; the decision tasks of earlier meetings still open come back as
    "Opfølgning på beslutninger" (decision number, task, responsible, deadline). Tasks of closed
    items are left out: the follow-up item is internal, and a closed item's task is followed up
    where the case is; so are the tasks of pre-meetings and other meetings not governed here
    (a pre-meeting's participants are its own). Nothing is added once the meeting has begun
    (`selectors.has_begun`): the items' positions are what attendance and votes refer to."""
    if (
        meeting.status != MeetingStatus.PLANNED
        or meeting.kind not in GOVERNED_KINDS
        or selectors.has_begun(meeting)
    ):
        return 0
    added = 0
    kinds = set(meeting.items.values_list("kind", flat=True))
    earlier_held = Meeting.objects.filter(
        forum=meeting.forum,
        starts_at__lt=meeting.starts_at,
        status=MeetingStatus.HELD,
        kind__in=GOVERNED_KINDS,
    ).exists()
    if earlier_held and ItemKind.PREVIOUS_MINUTES not in kinds:
        # First on the agenda: the items already there move one down.
        meeting.items.update(position=F("position") + 1)
        AgendaItem.objects.create(
            meeting=meeting,
            position=1,
            title=str(ItemKind.PREVIOUS_MINUTES.label),
            kind=ItemKind.PREVIOUS_MINUTES,
            visibility=Visibility.PUBLIC,
        )
        added += 1
    if ItemKind.DECISION_FOLLOW_UP not in kinds:
        tasks = list(
            MeetingTask.objects.filter(
                item__meeting__forum=meeting.forum,
                item__meeting__starts_at__lt=meeting.starts_at,
                item__meeting__kind__in=GOVERNED_KINDS,
                status=MeetingTaskStatus.OPEN,
            )
            .exclude(item__visibility=Visibility.CLOSED)
            .select_related("item", "owner")
            .order_by("due_date", "pk")
        )
        if tasks:
            AgendaItem.objects.create(
                meeting=meeting,
                position=_next_position(meeting),
                title=str(ItemKind.DECISION_FOLLOW_UP.label),
                description="\n".join(_follow_up_line(task) for task in tasks),
                kind=ItemKind.DECISION_FOLLOW_UP,
                visibility=Visibility.INTERNAL,
            )
            added += 1
    return added


def _follow_up_line(task: MeetingTask) -> str:
    number = task.item.decision_number or _("uden nummer")
    line = _("%(number)s: %(task)s – ansvarlig: %(owner)s") % {
        "number": number,
        "task": task.description,
        "owner": task.owner.name,
    }
    if task.due_date is not None:
        line += ", " + _("frist %(date)s") % {"date": dato(task.due_date)}
    return line


@transaction.atomic
def add_contribution(*, actor_user: User, item: AgendaItem, text: str) -> Contribution:
    """København: a non-authority member may hand in a concern before a closed item. Write-only:
    only those who see the closed item see the contribution."""
    actor = get_actor(actor_user)
    if actor.member_id is None or not meeting_access.can_contribute(actor, item.meeting):
        raise DomainError(_("Du er ikke medlem af forummet."))
    if not text.strip():
        raise DomainError(_("Skriv dit bidrag."))
    _check_text(text)
    if not item.is_closed:
        raise DomainError(_("Bidrag gives kun til lukkede punkter; tag andet op på mødet."))
    contribution = Contribution.objects.create(
        item=item, member_id=actor.member_id, text=text.strip()
    )
    _audit(actor_user, AuditAction.CONTRIBUTION_ADDED, item.meeting, item=item.pk)
    return contribution


# --- Minutes and protocol ------------------------------------------------------------------


@dataclass
class DecisionData:
    """An item's decision in the minutes. `vote_kind`: how it was taken (`VoteKind`; None
    leaves the recorded vote as it is); `votes`: for a recorded vote, the choice (`VoteChoice`)
    of each voting member by member id (a deputy votes in her member's place)."""

    decision: str
    responsible: Member | None = None
    deadline: date | None = None
    vote_kind: str | None = None
    votes: dict[int, str] = field(default_factory=dict)  # by entitled member id


@dataclass
class AttendanceData:
    """A permanent member's attendance (issue 14): status (`AttendanceStatus`), the deputy who
    attended in her place, and the item before which she left (None: she stayed)."""

    status: str = AttendanceStatus.PRESENT
    deputy: Member | None = None
    left_before: int | None = None


def protocol_text(meeting: Meeting, part: str = SignedPart.FULL) -> str:
    """The canonical text of the decision minutes that members sign: the whole protocol, or
    (`SignedPart.OPEN`) its open part, without the closed items, which a member who may not
    read them signs (issue 14). Decision numbers and votes are part of it."""
    starts = meeting.starts_at.astimezone(UTC).isoformat()  # the same text before and after saving
    lines = [f"{meeting.forum.name} {starts}"]
    if part == SignedPart.OPEN:
        lines.append("part: open")
    for attendance in meeting.attendance.select_related("member").order_by("member__name"):
        state = attendance.status
        if attendance.deputy_id is not None:
            state += f", deputy {attendance.deputy_id}"
        if attendance.left_before_position is not None:
            state += f", left before item {attendance.left_before_position}"
        lines.append(f"attendance: {attendance.member.name}: {state}")
    for guest in meeting.guests.all():
        lines.append(f"guest: {guest.name} ({guest.organisation})")
    items = (
        meeting.items.select_related("responsible", "meeting__forum")
        .prefetch_related(votes.prefetch())
        .order_by("position")
    )
    if part == SignedPart.OPEN:
        items = items.exclude(visibility=Visibility.CLOSED)
    for item in items:
        number = f"{item.decision_number}: " if item.decision_number else ""
        lines.append(
            f"{item.position}. {item.title} [{item.visibility}] | {number}{item.decision} | "
            f"{item.responsible.name if item.responsible else ''} | {item.deadline or ''}"
        )
        if vote_line := votes.protocol_line(item):
            lines.append(f"{item.position}. {vote_line}")
    return "\n".join(lines)


def protocol_hash(meeting: Meeting, part: str = SignedPart.FULL) -> str:
    return hashlib.sha256(protocol_text(meeting, part).encode()).hexdigest()


def protocol_hashes(meeting: Meeting) -> dict[str, str]:
    """The hash of each part of the protocol (`SignedPart`), for a page to read once and pass
    on (`current_signatures`, `signature_lines`)."""
    return {part: protocol_hash(meeting, part) for part in SignedPart.values}


def minutes_open_from(meeting: Meeting) -> str:
    """When the minutes of a meeting can be written, as users read it."""
    return dato_tid(meeting.starts_at)


def minutes_content(meeting: Meeting) -> dict[str, Any]:
    """What the minutes hold now, for a user whose save came too late: per item its decision,
    responsible and deadline (keyed by the item's id), and the attendance per member."""
    return {
        "items": {
            item.pk: {
                "decision": item.decision,
                "responsible": item.responsible.name if item.responsible else "",
                "deadline": item.deadline,
            }
            for item in meeting.items.select_related("responsible")
        },
        "attendance": {
            a.member_id: (a.present, a.left_before_position is not None)
            for a in meeting.attendance.all()
        },
    }


def _attendance_data(
    value: AttendanceData | tuple[bool, bool], first_closed: int | None
) -> AttendanceData:
    """An attendance as given: `AttendanceData`, or the older (present, left before the closed
    items) pair."""
    if isinstance(value, AttendanceData):
        return value
    present, left = value
    return AttendanceData(
        status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
        left_before=first_closed if left and present else None,
    )


def _check_attendance(meeting: Meeting, data: AttendanceData, positions: Set[int]) -> None:
    if data.status not in AttendanceStatus.values:
        raise DomainError(_("Vælg fremmøde: til stede, afbud eller fraværende."))
    if data.left_before is not None:
        if data.status != AttendanceStatus.PRESENT and data.deputy is None:
            raise DomainError(_("Kun den, der var til stede, kan forlade mødet før et punkt."))
        if data.left_before not in positions:
            raise DomainError(_("Mødet har intet punkt %(n)s.") % {"n": data.left_before})
    if data.deputy is not None:
        if data.status == AttendanceStatus.PRESENT:
            raise DomainError(
                _("En stedfortræder deltager kun for et medlem med afbud eller fravær.")
            )
        if data.deputy.municipality_id != meeting.forum.municipality_id:
            raise DomainError(_("Stedfortræderen skal være fra kommunen."))


@dataclass(frozen=True)
class Seats:
    """Who may vote at a meeting, read once: the entitled memberships of the meeting's day
    (`access.meeting_memberships`, `access.may_vote`) and the attendance by member id."""

    entitled: list[Membership]
    attendance: dict[int, Attendance]

    @classmethod
    def of(cls, meeting: Meeting) -> Seats:
        return cls(
            entitled=[
                ms
                for ms in meeting_access.meeting_memberships(meeting)
                if meeting_access.may_vote(ms)
            ],
            attendance={a.member_id: a for a in meeting.attendance.all()},
        )


def voters_for(meeting: Meeting, item: AgendaItem, seats: Seats | None = None) -> dict[int, int]:
    """Issue 14: who votes on an item, as {voting member id: entitled member id}: the forum's
    permanent members of the meeting's day with the vote (`access.may_vote`) present at the
    item (not gone before it), or the deputy who attended in the place of one with apologies
    or absent. `seats`: read once for several items (`Seats.of`)."""
    seats = seats or Seats.of(meeting)
    attendance = seats.attendance
    voters: dict[int, int] = {}
    for membership in seats.entitled:
        record = attendance.get(membership.member_id)
        if record is None:  # no attendance recorded: present, as the form has it
            voters[membership.member_id] = membership.member_id
            continue
        left = record.left_before_position
        if left is not None and left <= item.position:
            continue
        if record.status == AttendanceStatus.PRESENT:
            voters[membership.member_id] = membership.member_id
        elif record.deputy_id is not None:
            voters[record.deputy_id] = membership.member_id
    return voters


def entitled_count(meeting: Meeting) -> int:
    return len(Seats.of(meeting).entitled)


def _quorum_refusal(meeting: Meeting, item: AgendaItem, seats: Seats) -> str | None:
    """Why the forum could not decide the item (its quorum rule "half": more than half of the
    members with the vote present at the item, themselves or by deputy); None when it could."""
    if meeting.forum.quorum != "half":
        return None
    present = len(voters_for(meeting, item, seats))
    total = len(seats.entitled)
    if present * 2 > total:
        return None
    return _(
        "%(forum)s er ikke beslutningsdygtig: %(present)s af %(total)s "
        "stemmeberettigede er til stede (punkt %(n)s)."
    ) % {"forum": meeting.forum.name, "present": present, "total": total, "n": item.position}


def _quorum_failure(meeting: Meeting, items: Iterable[AgendaItem]) -> str | None:
    """Issue 14, the quorum rule for every decision: checked when the meeting is closed
    (`close_meeting`) and whenever the minutes of a held meeting are changed (its attendance
    or a decision), over every item with a decision; a recorded vote is checked as it is
    recorded (`_record_vote`). While the meeting runs, a decision is saved without the check:
    the attendance may still be filled in."""
    if meeting.forum.quorum != "half":
        return None
    seats = Seats.of(meeting)
    for item in sorted(items, key=lambda i: i.position):
        if not item.decision.strip():
            continue
        refusal = _quorum_refusal(meeting, item, seats)
        if refusal is not None:
            return refusal
    return None


def _check_deputies(meeting: Meeting, given: dict[int, AttendanceData]) -> None:
    """Issue 14: a deputy attends for one member, and is not a permanent member of the forum
    herself (she would vote twice, and the votes are kept by who cast them)."""
    permanent = set(meeting_access.meeting_memberships(meeting).values_list("member_id", flat=True))
    seen: set[int] = set()
    for presence in given.values():
        deputy = presence.deputy
        if deputy is None:
            continue
        if deputy.pk in permanent:
            raise DomainError(
                _("%(name)s er selv fast medlem af forummet og kan ikke være stedfortræder.")
                % {"name": deputy.name}
            )
        if deputy.pk in seen:
            raise DomainError(
                _("%(name)s kan kun være stedfortræder for ét medlem.") % {"name": deputy.name}
            )
        seen.add(deputy.pk)


def _drop_stale_votes(meeting: Meeting) -> dict[int, list[int]]:
    """Issue 14: after the attendance changed, a recorded vote by someone who no longer votes
    on the item (absent, gone before it, a deputy no longer attending) is removed and the
    result counted again, on every item (also those the editor does not see). Returns the
    removed voters' member ids by item id."""
    recorded = list(
        meeting.items.filter(vote_kind=VoteKind.RECORDED).prefetch_related(votes.prefetch())
    )
    if not recorded:
        return {}
    seats = Seats.of(meeting)
    removed: dict[int, list[int]] = {}
    for item in recorded:
        voters = voters_for(meeting, item, seats)
        stale = [v for v in votes.prefetched(item) if v.member_id not in voters]
        if not stale:
            continue
        Vote.objects.filter(pk__in=[v.pk for v in stale]).delete()
        item.vote_carried = votes.tally(list(item.votes.all())).carried
        item.save(update_fields=["vote_carried"])
        removed[item.pk] = sorted(v.member_id for v in stale)
    return removed


def _vote_state(item: AgendaItem) -> tuple[str, bool | None, list[tuple[int, str]]]:
    return (
        item.vote_kind,
        item.vote_carried,
        sorted(item.votes.values_list("member_id", "choice")),
    )


def _record_vote(meeting: Meeting, item: AgendaItem, data: DecisionData) -> bool:
    """The vote on an item's decision; True when it changed. Only entitled members present
    vote; a forum with a quorum rule decides only when more than half of them are present."""
    kind = data.vote_kind
    if kind is None:
        return False
    if kind not in VoteKind.values:
        raise DomainError(_("Vælg, hvordan beslutningen blev truffet."))
    before = _vote_state(item)
    voters: dict[int, int] = {}
    if kind != VoteKind.NONE:
        if not data.decision.strip():
            raise DomainError(
                _("Skriv beslutningen, før der stemmes: punkt %(n)s.") % {"n": item.position}
            )
        entitled = Seats.of(meeting)
        voters = voters_for(meeting, item, entitled)
        if (refusal := _quorum_refusal(meeting, item, entitled)) is not None:
            raise DomainError(refusal)
    item.votes.all().delete()
    item.vote_kind = kind
    item.vote_carried = True if kind == VoteKind.UNANIMOUS else None
    if kind == VoteKind.RECORDED:
        if not data.votes:
            raise DomainError(
                _("Registrér stemmerne, eller vælg enstemmigt: punkt %(n)s.") % {"n": item.position}
            )
        # The votes are given per entitled member; a deputy's is recorded as hers.
        seats = {entitled: voter for voter, entitled in voters.items()}
        for member_id, choice in data.votes.items():
            if member_id not in seats:
                name = Member.objects.filter(pk=member_id).values_list("name", flat=True).first()
                raise DomainError(
                    _(
                        "Kun stemmeberettigede medlemmer, der er til stede, kan stemme: "
                        "%(name)s har ikke stemmeret ved punkt %(n)s."
                    )
                    % {"name": name or member_id, "n": item.position}
                )
            if choice not in VoteChoice.values:
                raise DomainError(_("Vælg for, imod eller undlod."))
        Vote.objects.bulk_create(
            Vote(item=item, member_id=seats[member_id], choice=choice)
            for member_id, choice in sorted(data.votes.items())
        )
        item.vote_carried = votes.tally(list(item.votes.all())).carried
    item.save(update_fields=["vote_kind", "vote_carried"])
    return _vote_state(item) != before


def decision_prefix(forum: Forum) -> str:
    """The prefix of a forum's decision numbers: the preset's, else its key's first three
    letters in upper case."""
    return forum.decision_prefix or forum.key[:3].upper()


def _number_decision(meeting: Meeting, item: AgendaItem) -> bool:
    """Give a decision its number once ("STY 2026-14"), per forum and the meeting's year, from
    the counter's row (created once, then an UPDATE under its row lock, so two meetings of one
    forum never get the same number). Never renumbered. True when a number was given."""
    if item.decision_number or not item.decision:
        return False
    year = timezone.localtime(meeting.starts_at).year
    DecisionCounter.objects.get_or_create(forum=meeting.forum, year=year)
    counter = DecisionCounter.objects.filter(forum=meeting.forum, year=year)
    counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    item.decision_number = f"{decision_prefix(meeting.forum)} {year}-{last}"
    item.save(update_fields=["decision_number"])
    return True


@transaction.atomic
def record_minutes(
    *,
    actor_user: User,
    meeting: Meeting,
    attendance: dict[int, AttendanceData] | dict[int, tuple[bool, bool]],
    decisions: dict[int, DecisionData],
    expected_version: int | None = None,
    apply_links: Set[int] = frozenset(),
) -> Meeting:
    """R6: attendance and decision minutes; decisions with a responsible become tasks. A change
    after signing voids the approval: the new text needs a new signature round.

    Minutes are written from the meeting's start, not before. `expected_version` is the
    minutes' version the form was opened at: when somebody else saved the minutes since,
    `StaleEdit` carries what they saved (`minutes_content`) and nothing is written.

    `apply_links`: the linked items whose decision acts on the linked object now (approves the
    plan, sets the focus area): each needs a decision text; the owner's `apply` runs once per
    item (`links.apply_decision`), in this transaction, and its `DomainError` undoes the whole
    save.

    Issue 14: saving the minutes does not end the meeting ("Afslut mødet": `close_meeting`);
    `attendance` is `AttendanceData` per permanent member (status, deputy, left before item
    N; the older (present, left) pair is read too); a decision gets its number when first
    written (`_number_decision`) and its vote (`DecisionData.vote_kind`); a closed meeting's
    decision cannot be emptied. A deputy attends for one member and is no permanent member
    herself (`_check_deputies`). When the attendance changes, the recorded votes of every item
    (also those the editor does not see) are checked against it: a vote by someone who no
    longer votes on the item is removed, the result counted again, and the removal audited
    (`_drop_stale_votes`). On a held meeting, the quorum rule must still hold for every
    decision (`_quorum_failure`), else nothing is saved."""
    _require_manager(actor_user, meeting.forum)
    _lock(meeting)
    items = {item.pk: item for item in meeting.items.all()}
    actor = get_actor(actor_user)
    for item_id, data in decisions.items():
        item = items.get(item_id)
        if item is None:
            raise DomainError(_("Punktet hører ikke til mødet."))
        if not meeting_access.can_change_item(actor, item):
            raise DomainError(_("Kun myndighedspersoner skriver referat af lukkede punkter."))
        if data.responsible is not None and not meeting_access.may_be_responsible(
            data.responsible, item
        ):
            raise DomainError(
                _("Ansvarlig for et lukket punkt skal være en myndighedsperson: %(name)s er ikke.")
                % {"name": data.responsible.name}
            )
        _check_text(data.decision)
        _checked(check_date_range, data.deadline)
    for item_id in apply_links:
        item = items.get(item_id)
        if item is None:
            raise DomainError(_("Punktet hører ikke til mødet."))
        kind = links.link_kind(item.link_kind) if item.link_id is not None else None
        if kind is None:
            raise DomainError(
                _("Punkt %(n)s er ikke tilknyttet noget, der kan besluttes.") % {"n": item.position}
            )
        if not meeting_access.can_change_item(actor, item):
            raise DomainError(_("Kun myndighedspersoner skriver referat af lukkede punkter."))
        decision = decisions[item_id].decision if item_id in decisions else item.decision
        if not decision.strip():
            raise DomainError(
                _("Skriv beslutningen, før den føres igennem: punkt %(n)s.") % {"n": item.position}
            )
    if not meeting.has_started:
        raise DomainError(
            _("Referatet kan først skrives, når mødet er begyndt: fra %(time)s.")
            % {"time": minutes_open_from(meeting)}
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("Mødet er aflyst."))
    if meeting.is_held:
        for item_id, data in decisions.items():
            if not data.decision.strip():
                raise DomainError(
                    _("Mødet er afsluttet: punkt %(n)s skal have en beslutning.")
                    % {"n": items[item_id].position}
                )
    first_closed = min((item.position for item in items.values() if item.is_closed), default=None)
    given = {
        member_id: _attendance_data(value, first_closed) for member_id, value in attendance.items()
    }
    positions = {item.position for item in items.values()}
    for presence in given.values():
        _check_attendance(meeting, presence, positions)
    _check_deputies(meeting, given)
    before = protocol_hash(meeting)
    try:
        # Saving the minutes does not end the meeting: "Afslut mødet" does (`close_meeting`).
        save_versioned(
            meeting,
            expected_version=meeting.version if expected_version is None else expected_version,
            fields=["status"],
        )
    except StaleEdit as stale:
        raise StaleEdit(current=minutes_content(meeting), version=stale.version) from None
    for member_id, presence in given.items():
        Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=member_id,
            defaults={
                "status": presence.status,
                "deputy": presence.deputy,
                "left_before_position": presence.left_before,
            },
        )
    numbered: list[int] = []
    voted: list[int] = []
    for item_id, data in decisions.items():
        item = items[item_id]
        item.decision = data.decision.strip()
        item.responsible = data.responsible
        item.deadline = data.deadline
        item.save(update_fields=["decision", "responsible", "deadline"])
        if _number_decision(meeting, item):
            numbered.append(item.pk)
        if _record_vote(meeting, item, data):
            voted.append(item.pk)
        _sync_task(item)
    dropped = _drop_stale_votes(meeting) if given else {}
    if meeting.is_held and (refusal := _quorum_failure(meeting, meeting.items.all())) is not None:
        raise DomainError(refusal)  # undoes the whole save
    applied = [
        item_id
        for item_id in sorted(apply_links)
        if links.apply_decision(actor_user, items[item_id])
    ]
    changed = protocol_hash(meeting) != before
    if changed:
        _after_change(meeting, before)
    extra: dict[str, Any] = {"applied": applied} if applied else {}
    if numbered:
        extra["numbered"] = numbered
    _audit(actor_user, AuditAction.MINUTES_RECORDED, meeting, changed=changed, **extra)
    for item_id in voted:
        item = items[item_id]
        _audit(
            actor_user,
            AuditAction.VOTES_RECORDED,
            meeting,
            item=item_id,
            kind=item.vote_kind,
            carried=item.vote_carried,
        )
    for item_id, removed in dropped.items():
        # Ids only: the item, and the members whose votes the new attendance removed.
        _audit(
            actor_user,
            AuditAction.VOTES_RECORDED,
            meeting,
            item=item_id,
            removed=removed,
            reason="attendance",
            carried=AgendaItem.objects.values_list("vote_carried", flat=True).get(pk=item_id),
        )
    return meeting


@transaction.atomic
def close_meeting(*, actor_user: User, meeting: Meeting) -> Meeting:
    """Issue 14, "Afslut mødet": the meeting becomes held once every item has a decision
    (the undecided ones are named) and, for a forum with the quorum rule "half", once the
    forum could take each decision (more than half of its members with the vote present at
    the item: `_quorum_failure`); only then is the protocol signed or approved. Race-safe
    and idempotent: under the meeting's row lock, a conditional UPDATE from "Planlagt"."""
    _require_manager(actor_user, meeting.forum)
    _lock(meeting)
    if meeting.is_held:
        return meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("Mødet er aflyst."))
    if not meeting.has_started:
        raise DomainError(
            _("Mødet kan først afsluttes, når det er begyndt: fra %(time)s.")
            % {"time": minutes_open_from(meeting)}
        )
    actor = get_actor(actor_user)
    undecided = [
        meeting_access.item_view(actor, item, meeting_access.Mode.MEMBER)
        for item in meeting.items.order_by("position")
        if not item.decision.strip()
    ]
    if undecided:
        raise DomainError(
            _("Mødet kan ikke afsluttes, før alle punkter har en beslutning. Mangler: %(items)s.")
            % {
                "items": ", ".join(
                    f"{view.position}. {view.title}" for view in undecided if view is not None
                )
            }
        )
    if (refusal := _quorum_failure(meeting, meeting.items.all())) is not None:
        raise DomainError(
            _("Mødet kan ikke afsluttes: %(reason)s") % {"reason": refusal},
        )
    Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED).update(
        status=MeetingStatus.HELD
    )
    meeting.status = MeetingStatus.HELD
    _audit(actor_user, AuditAction.MEETING_CLOSED, meeting)
    return meeting


@transaction.atomic
def add_guest(
    *,
    actor_user: User,
    meeting: Meeting,
    name: str,
    organisation: str = "",
    email: str = "",
    member: Member | None = None,
) -> Guest:
    """Issue 14: an invited guest (Faxe invites guests). With a member (a login), the guest sees
    the meeting, never a closed item (`access.Mode.GUEST`). The event holds ids only."""
    _require_manager(actor_user, meeting.forum)
    if not name.strip() and member is None:
        raise DomainError(_("Skriv gæstens navn."))
    for value, column in ((name, "name"), (organisation, "organisation"), (email, "email")):
        _check_text(value, max_length=max_length_of(Guest, column))
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError:
            raise DomainError(_("Skriv en gyldig e-mailadresse.")) from None
    if member is not None and not may_sit_in(member, meeting.forum):  # issue 16: Kredsråd
        raise DomainError(_("Gæsten skal vælges blandt kommunens medlemmer."))
    _lock(meeting)
    if member is not None and meeting.guests.filter(member=member).exists():
        raise DomainError(_("Gæsten er allerede inviteret."))
    before = protocol_hash(meeting)
    guest = Guest.objects.create(
        meeting=meeting,
        name=(name.strip() or (member.name if member else ""))[: max_length_of(Guest, "name")],
        organisation=organisation.strip(),
        email=email.strip() or (member.email if member else ""),
        member=member,
    )
    _after_change(meeting, before)
    _audit(actor_user, AuditAction.GUEST_ADDED, meeting, guest=guest.pk)
    return guest


@transaction.atomic
def remove_guest(*, actor_user: User, guest: Guest) -> None:
    meeting = guest.meeting
    _require_manager(actor_user, meeting.forum)
    _lock(meeting)
    before = protocol_hash(meeting)
    guest_id = guest.pk
    Guest.objects.filter(pk=guest_id).delete()
    _after_change(meeting, before)
    _audit(actor_user, AuditAction.GUEST_REMOVED, meeting, guest=guest_id)


def _sync_task(item: AgendaItem) -> None:
    """Keep the decision's task in step with the minutes without reopening finished work."""
    task = MeetingTask.objects.filter(item=item).first()
    if item.responsible is None or not item.decision:
        MeetingTask.objects.filter(item=item).delete()
        return
    if task is not None and task.owner_id == item.responsible.pk:
        task.description = item.decision[:TASK_DESCRIPTION_MAX]
        task.due_date = item.deadline
        task.save(update_fields=["description", "due_date"])
        return
    MeetingTask.objects.filter(item=item).delete()
    MeetingTask.objects.create(
        item=item,
        owner=item.responsible,
        description=item.decision[:TASK_DESCRIPTION_MAX],
        due_date=item.deadline,
    )


def _after_change(meeting: Meeting, before: str) -> None:
    """A change to the text voids the approval (a new signature round) and takes the public
    version down until it is published again, with a new check."""
    fields = []
    if protocol_hash(meeting) != before and meeting.approved_at is not None:
        meeting.approved_at = None
        fields.append("approved_at")
    if meeting.published_at is not None:
        meeting.published_at = None
        fields.append("published_at")
    if fields:
        meeting.save(update_fields=fields)


@transaction.atomic
def update_item(
    *,
    actor_user: User,
    item: AgendaItem,
    title: str,
    description: str,
    visibility: str,
    expected_version: int | None = None,
    link: tuple[str, int] | None | _Keep = KEEP_LINK,
) -> AgendaItem:
    """Change an item's title, description, visibility and link. `expected_version` is the
    item's version the form was opened at: a save after somebody else's is refused
    (`StaleEdit`). `link`: a new (kind key, object id), None to remove it, `KEEP_LINK` (the
    default) to leave it; a link whose decision was applied stays as it is."""
    meeting = item.meeting
    _require_manager(actor_user, meeting.forum)
    _check_item(meeting, title=title, description=description, visibility=visibility)
    if not meeting_access.can_change_item(get_actor(actor_user), item):
        raise DomainError(_("Kun myndighedspersoner kan rette et lukket punkt."))
    current = links.link_of(item)
    new_link = current if isinstance(link, _Keep) else link
    link_changed = new_link != current
    if link_changed and item.link_applied_at is not None:
        raise DomainError(
            _(
                "Beslutningen er ført igennem for det tilknyttede, så tilknytningen kan ikke "
                "ændres eller fjernes."
            )
        )
    if new_link is not None:
        if link_changed:
            _check_link(actor_user, meeting, new_link, visibility=visibility)
        elif visibility == Visibility.CLOSED:
            raise DomainError(_("Et lukket punkt kan ikke tilknyttes noget."))
    _lock(meeting)
    before = protocol_hash(meeting)
    item.title = title.strip()
    item.description = description.strip()
    item.visibility = visibility
    item.link_kind = new_link[0] if new_link else ""
    item.link_id = new_link[1] if new_link else None
    save_versioned(
        item,
        expected_version=item.version if expected_version is None else expected_version,
        fields=["title", "description", "visibility", "link_kind", "link_id"],
    )
    _after_change(meeting, before)
    _audit(actor_user, AuditAction.ITEM_CHANGED, meeting, item=item.pk, visibility=visibility)
    if link_changed:
        _audit_link(actor_user, item)
    return item


def item_links(
    actor: Actor, meeting: Meeting, items: Iterable[AgendaItem], *, panels: bool = True
) -> tuple[dict[int, links.Linked], dict[int, links.PanelContent]]:
    """What the agenda shows under the given items of the meeting, as read for the agenda
    (`selectors.agenda_with_items`; only those the actor sees unredacted): the linked object
    of each linked item, and (with `panels`) the registered panels. One `describe` per linked
    item and one `content` per panel shown; the items are not read again."""
    items = [item for item in items if item.meeting_id == meeting.pk]
    if not items:
        return {}, {}
    shown: dict[int, links.Linked] = {}
    for item in items:
        described = links.linked(item)
        if described is not None:
            shown[item.pk] = described
    return shown, links.panels_for(actor, meeting, items) if panels else {}


def _check_agenda_open(meeting: Meeting) -> None:
    """Issue 14: a held or cancelled meeting's agenda is what was decided: no item is added to
    it or taken from it (the decision numbers and the positions the votes and attendance refer
    to stay). Call under the meeting's lock (`_lock` reads its status anew)."""
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(
            _("Mødet er afsluttet: der kan ikke tilføjes eller slettes punkter på dagsordenen.")
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(
            _("Mødet er aflyst: der kan ikke tilføjes eller slettes punkter på dagsordenen.")
        )


@transaction.atomic
def delete_item(*, actor_user: User, item: AgendaItem) -> None:
    """Take an item off a planned meeting's agenda; the later items move one up. Refused on a
    held or cancelled meeting, and for an item whose decision has its number (issue 14: a
    number is never given again, and the items after it keep their positions)."""
    meeting = item.meeting
    _require_manager(actor_user, meeting.forum)
    if not meeting_access.can_change_item(get_actor(actor_user), item):
        raise DomainError(_("Kun myndighedspersoner kan slette et lukket punkt."))
    _lock(meeting)
    _check_agenda_open(meeting)
    number = AgendaItem.objects.filter(pk=item.pk).values_list("decision_number", flat=True).first()
    if number:
        raise DomainError(
            _(
                "Punktet har beslutning nr. %(number)s og kan ikke slettes; ret i stedet "
                "beslutningen."
            )
            % {"number": number}
        )
    before = protocol_hash(meeting)
    position = item.position
    for attachment in item.attachments.all():
        attachment.file.delete(save=False)
    item.delete()
    for later in meeting.items.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    _after_change(meeting, before)
    _audit(actor_user, AuditAction.ITEM_DELETED, meeting, position=position)


def signers_needed(meeting: Meeting) -> list[Member]:
    """Who signs (`access.signer_memberships`): the permanent members who took part."""
    return [m.member for m in meeting_access.signer_memberships(meeting).select_related("member")]


def current_signatures(meeting: Meeting, hashes: dict[str, str] | None = None) -> list[Signature]:
    """The signatures on the current text of the part each signed (the whole protocol, or
    the open part: issue 14). `hashes`: `protocol_hashes`, when the caller has them."""
    if hashes is None:
        hashes = protocol_hashes(meeting)
    return [
        signature
        for signature in meeting.signatures.filter(text_hash__in=hashes.values())
        .select_related("member")
        .order_by("signed_at", "pk")
        if signature.text_hash == hashes[signature.part]
    ]


@dataclass(frozen=True)
class SignatureLine:
    """A signature as the pages show it: who, when, which part and the version (the first
    twelve characters of the hash of the text signed)."""

    signer: str
    signed_at: datetime
    part: str
    version: str


def signature_lines(
    meeting: Meeting, *, public: bool = False, signatures: list[Signature] | None = None
) -> list[SignatureLine]:
    """The current signatures; on the public page elected members by name and staff by their
    seat's function (`access.public_signer_label`). `signatures`: `current_signatures`, when
    the caller has them (the text is hashed once per page)."""
    if signatures is None:
        signatures = current_signatures(meeting)
    memberships = {
        ms.member_id: ms
        for ms in meeting_access.meeting_memberships(meeting).select_related("member", "seat")
    }
    lines = []
    for signature in signatures:
        membership = memberships.get(signature.member_id)
        if public:
            signer = (
                meeting_access.public_signer_label(membership)
                if membership is not None
                else _("Tidligere medlem")
            )
        else:
            signer = signature.member.name
        lines.append(
            SignatureLine(
                signer=signer,
                signed_at=signature.signed_at,
                part=signature.part,
                version=signature.text_hash[:12],
            )
        )
    return lines


@transaction.atomic
def sign_protocol(*, actor_user: User, meeting: Meeting) -> Signature:
    """R6: the protocol is signed by the forum's permanent members; when all have signed the
    current text, it is approved and forwarded up the reporting line.

    Race-safe and idempotent: signatures of one meeting are taken one at a time under its row
    lock, so the last of two simultaneous signers sees the other's signature and approves; a
    member who signs the same text twice has one signature (and one audit event)."""
    actor = get_actor(actor_user)
    _lock(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise DomainError(_("Referatet kan først underskrives, når mødet er afsluttet."))
    if actor.member_id is None or not meeting_access.can_sign_protocol(actor, meeting):
        raise DomainError(_("Kun forummets faste medlemmer underskriver protokollen."))
    needed = {m.pk for m in signers_needed(meeting)}
    member = Member.objects.get(pk=actor.member_id)
    part = meeting_access.signed_part(member, meeting)
    text_hash = protocol_hash(meeting, part)
    signature, created = Signature.objects.get_or_create(
        meeting=meeting,
        member_id=actor.member_id,
        text_hash=text_hash,
        defaults={"user": actor_user, "part": part},
    )
    if created:
        _audit(actor_user, AuditAction.PROTOCOL_SIGNED, meeting, text_hash=text_hash, part=part)
    signed = {s.member_id for s in current_signatures(meeting)}
    if needed <= signed:
        _approve(actor_user, meeting)
    return signature


@transaction.atomic
def approve_minutes(*, actor_user: User, meeting: Meeting) -> Meeting:
    """For fora whose protocol is not signed: the chair approves the minutes. Approving
    approved minutes again changes nothing (one approval, one event)."""
    _require_manager(actor_user, meeting.forum)
    if meeting.forum.protocol_signed:
        raise DomainError(_("Protokollen skal underskrives af de faste medlemmer."))
    _lock(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise DomainError(_("Referatet kan først godkendes, når mødet er afsluttet."))
    _approve(actor_user, meeting)
    return meeting


def _approve(actor_user: User, meeting: Meeting) -> None:
    """Approve once: a conditional update, so a repeat finds the minutes approved and stops."""
    now = timezone.now()
    approved = Meeting.objects.filter(pk=meeting.pk, approved_at__isnull=True).update(
        approved_at=now
    )
    if not approved:
        return
    meeting.approved_at = now
    _audit(actor_user, AuditAction.MINUTES_APPROVED, meeting, text_hash=protocol_hash(meeting))
    forward_minutes(actor_user=actor_user, meeting=meeting)


def forward_minutes(*, actor_user: User, meeting: Meeting) -> ForwardedMinutes | None:
    """R6: approved minutes go to the forum above as orientation, without closed items, and
    along the forum's other lines (issue 14: down to a forum, or by e-mail with the public PDF
    to recipients outside the platform; `forwarding.forward_along_lines`). Once per line."""
    if meeting.approved_at is None:
        return None
    forwarding.forward_along_lines(actor_user=actor_user, meeting=meeting)
    parent = meeting.forum.parent
    if parent is None:
        return None
    forward, created = ForwardedMinutes.objects.get_or_create(meeting=meeting, to_forum=parent)
    if created:
        _audit(actor_user, AuditAction.MINUTES_FORWARDED, meeting, to_forum=parent.pk)
    return forward


# --- Publication ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Personal data found in a public item: the item's number, which of its texts, what kind,
    and the text that matched."""

    position: int
    field: str
    kind: FindingKind
    text: str


def _texts(item: AgendaItem) -> Iterable[tuple[str, str]]:
    yield _("overskrift"), item.title
    yield _("beskrivelse"), item.description
    yield _("beslutning"), item.decision


def publication_findings(meeting: Meeting) -> list[Finding]:
    """R6: CPR-like numbers, names of registered young people, e-mail addresses and phone
    numbers in the public items block publication (`ssp.cases.personal_data`)."""
    names = selectors.registered_names(meeting.forum)
    return [
        Finding(item.position, field_name, found.kind, found.text)
        for item in meeting.items.filter(visibility=Visibility.PUBLIC).order_by("position")
        for field_name, text in _texts(item)
        for found in find_personal_data(text, names=names)
    ]


@transaction.atomic
def publish(*, actor_user: User, meeting: Meeting) -> list[Finding]:
    """Publish the public version; blocked (nothing published) while personal data is found.

    Only managers who may see personal data publish: the check names registered young people,
    which must not become a way for others to test names against the register."""
    _require_manager(actor_user, meeting.forum)
    if not meeting_access.can_publish(get_actor(actor_user), meeting):
        raise DomainError(
            _("Offentliggørelsen foretages af SSP-sekretariatet eller en myndighedsperson.")
        )
    _lock(meeting)
    if meeting.published_at is not None:
        return []  # published already, and unchanged since: a change takes it down
    findings = publication_findings(meeting)
    if findings:
        _audit(actor_user, AuditAction.PUBLICATION_BLOCKED, meeting, findings=len(findings))
        return findings
    meeting.published_at = timezone.now()
    meeting.save(update_fields=["published_at"])
    _audit(actor_user, AuditAction.PUBLISHED, meeting)
    # Issue 14: recipients outside the platform get approved minutes only once they are
    # published (the check for personal data above has passed); queued after the commit.
    forwarding.forward_external(meeting, actor_user=actor_user)
    # Issue 14 (N): the members are told by e-mail once the publication is committed.
    transaction.on_commit(lambda: notices.notify_published(meeting.pk), robust=True)
    return []


def record_view(*, actor_user: User, meeting: Meeting) -> None:
    _audit(actor_user, AuditAction.MEETING_VIEWED, meeting)


def record_attachment(*, actor_user: User, attachment: Attachment) -> None:
    _audit(
        actor_user,
        AuditAction.ATTACHMENT_DOWNLOADED,
        attachment.item.meeting,
        item=attachment.item_id,
        attachment=attachment.pk,
    )


def record_pdf(*, actor_user: User, meeting: Meeting) -> None:
    _audit(actor_user, AuditAction.MEETING_PDF, meeting)


@transaction.atomic
def complete_meeting_task(*, actor_user: User, task: MeetingTask) -> MeetingTask:
    if not meeting_access.can_complete_task(get_actor(actor_user), task):
        raise DomainError(_("Kun den ansvarlige kan markere opgaven som udført."))
    task.status = MeetingTaskStatus.DONE
    task.save(update_fields=["status"])
    _audit(actor_user, AuditAction.DECISION_TASK_DONE, task.item.meeting, task=task.pk)
    return task
