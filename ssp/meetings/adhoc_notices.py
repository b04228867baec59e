"""R1/R6 (Høje-Taastrup): what the parent forum's next agenda says about its ad hoc groups.

- A group set up between meetings ("ved akut behov ... imellem møderne ... med en efterfølgende
  orientering af områdegruppen") gets a notice item on the parent forum's next agenda, naming
  no one: the kind of subject and the number of members.
- A dissolved group's result goes under the standing item "results from earlier action groups"
  ("Orientering om løsninger fra tidligere nedsatte handlegrupper"): the forum's own standing
  item when its agenda has it, else an item of that name.

Each notice is claimed once (`Forum.setup_noticed_at` / `result_noticed_at`, a conditional
update), so preparing an agenda twice, or the daily job and a chair at once, adds it once.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.adhoc import subject_label
from ssp.meetings.models import (
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Visibility,
)
from ssp.organisation.models import Forum, ForumType
from ssp.templatetags.ssp_dates import dato

# The standing item that takes the results: the Høje-Taastrup preset's wording, and ours.
RESULTS_TITLE = "Resultater fra tidligere handlegrupper"
RESULT_ITEM_TITLES = (
    "Orientering om løsninger fra tidligere nedsatte handlegrupper",
    RESULTS_TITLE,
)
AGENDA_MEETING_KINDS = (MeetingKind.REGULAR, MeetingKind.EXTRA, MeetingKind.ACUTE)


def is_next_meeting(meeting: Meeting, *, today: date | None = None) -> bool:
    """Whether `meeting` is its forum's next planned meeting (not a later one)."""
    if meeting.status != MeetingStatus.PLANNED or meeting.kind not in AGENDA_MEETING_KINDS:
        return False
    start = timezone.make_aware(datetime.combine(today or timezone.localdate(), time.min))
    earlier = Meeting.objects.filter(
        forum_id=meeting.forum_id,
        status=MeetingStatus.PLANNED,
        kind__in=AGENDA_MEETING_KINDS,
        starts_at__gte=start,
        starts_at__lt=meeting.starts_at,
    )
    return not earlier.exists()


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _claim(group: Forum, field: str) -> bool:
    """Claim one notice for this agenda; False when another preparation took it first."""
    claimed = Forum.objects.filter(pk=group.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    return claimed == 1


def set_up_notice_title(group: Forum) -> str:
    """ "Ad hoc handlegruppe nedsat imellem møderne: et område, 3 medlemmer" - no names."""
    count = group.memberships.count()
    members = ngettext("%(n)s medlem", "%(n)s medlemmer", count) % {"n": count}
    return _("Ad hoc handlegruppe nedsat imellem møderne: %(subject)s, %(members)s") % {
        "subject": subject_label(group.adhoc_subject),
        "members": members,
    }


def _result_line(group: Forum) -> str:
    dissolved = dato(group.dissolved_at) if group.dissolved_at else ""
    return _("Handlegruppe vedrørende %(subject)s (opløst %(date)s): %(result)s") % {
        "subject": subject_label(group.adhoc_subject),
        "date": dissolved,
        "result": group.adhoc_result,
    }


def add_adhoc_notices(meeting: Meeting, *, today: date | None = None) -> int:
    """Put the notices of the forum's ad hoc groups on `meeting`, if it is the forum's next
    meeting: one item per group set up between meetings, and the results of dissolved groups
    under the results item. Returns the number of items added. Runs inside the caller's
    transaction (the daily job, or a manager preparing the agenda with the meeting locked)."""
    if not is_next_meeting(meeting, today=today):
        return 0
    groups = Forum.objects.filter(parent_id=meeting.forum_id, forum_type=ForumType.ADHOC)
    added = 0
    set_up = groups.filter(set_up_between_meetings=True, setup_noticed_at__isnull=True)
    for group in set_up.order_by("pk"):
        if not _claim(group, "setup_noticed_at"):
            continue
        AgendaItem.objects.create(
            meeting=meeting,
            position=_next_position(meeting),
            title=set_up_notice_title(group)[:300],
            description=_(
                "Gruppen er nedsat imellem møderne; forummet orienteres hermed. Gruppens "
                "medlemmer og eventuelle sag fremgår ikke af dagsordenen."
            ),
            kind=ItemKind.FREE,
            visibility=Visibility.INTERNAL,
        )
        added += 1
    results = groups.filter(dissolved_at__isnull=False, result_noticed_at__isnull=True).exclude(
        adhoc_result=""
    )
    lines = [
        _result_line(group)
        for group in results.order_by("dissolved_at", "pk")
        if _claim(group, "result_noticed_at")
    ]
    if lines:
        item = meeting.items.filter(title__in=RESULT_ITEM_TITLES).order_by("position").first()
        if item is None:
            AgendaItem.objects.create(
                meeting=meeting,
                position=_next_position(meeting),
                title=RESULTS_TITLE,
                description="\n".join(lines),
                kind=ItemKind.STANDING,
                visibility=Visibility.INTERNAL,
            )
            added += 1
        else:
            description = (
                "\n".join([item.description, *lines]) if item.description else "\n".join(lines)
            )
            AgendaItem.objects.filter(pk=item.pk).update(
                description=description, version=F("version") + 1
            )
            added += 1
    return added


def next_meeting_of(forum_id: int, *, today: date) -> Meeting | None:
    start = timezone.make_aware(datetime.combine(today, time.min))
    return (
        Meeting.objects.filter(
            forum_id=forum_id,
            status=MeetingStatus.PLANNED,
            kind__in=AGENDA_MEETING_KINDS,
            starts_at__gte=start,
        )
        .order_by("starts_at")
        .first()
    )


def add_pending_notices(*, today: date) -> int:
    """The daily job's part (`services.prepare_next_agendas`): every forum with an ad hoc
    group waiting to be told of gets the notice on its next planned meeting, whether or not the
    forum may discuss individuals (the notices name no one). Audited per meeting."""
    waiting = Forum.objects.filter(forum_type=ForumType.ADHOC, parent__isnull=False).filter(
        Q(set_up_between_meetings=True, setup_noticed_at__isnull=True)
        | (Q(dissolved_at__isnull=False, result_noticed_at__isnull=True) & ~Q(adhoc_result=""))
    )
    added = 0
    parent_ids = sorted(set(waiting.values_list("parent_id", flat=True)))
    for parent_id in parent_ids:
        meeting = next_meeting_of(parent_id, today=today)
        if meeting is None:
            continue
        # The meeting's row lock: a manager preparing the same agenda waits for this.
        list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk"))
        count = add_adhoc_notices(meeting, today=today)
        if count:
            record_event(
                actor=None,
                action=AuditAction.AGENDA_PREPARED,
                obj=meeting,
                municipality_id=meeting.forum.municipality_id,
                data={"added": count, "automatic": True, "adhoc_notices": True},
            )
        added += count
    return added
