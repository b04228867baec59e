"""The annual report's meeting figures (R8): meetings held per forum in the year, the decisions
made at them, and how the tasks from those decisions went (done by their deadline, done late,
still open).

What counts:
- a meeting is held in the year when its status is held and it started in the year (local time);
- a decision is an agenda item of such a meeting with a decision written;
- the tasks are the `MeetingTask`s of those items. A task is done on time when it was marked
  done on or before its deadline, or it has no deadline; done late when marked done after it;
  open while not done. The day a task was marked done is the day of its audit event
  (`AuditAction.DECISION_TASK_DONE`, written by `meetings.services.complete_meeting_task`), as
  `MeetingTask` keeps no date of its own; a done task without that event (marked done before the
  event existed) counts as on time.

Rows: the fora with meetings held, most meetings first, at most `ROWS_MAX` of them; then one
"øvrige fora" row for the rest, and one row for all ad hoc action groups together (an ad hoc
group is a case's need-to-know circle: its name is never published). Meetings, decisions and
tasks are not persons: `counts_people=False`.

A constant number of aggregate queries, whatever the volume.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction, AuditEvent
from ssp.meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingTask, MeetingTaskStatus
from ssp.organisation.models import Forum, ForumType
from ssp.reports.tables import Table

# At most this many fora get a row of their own; the rest share the "øvrige fora" row.
ROWS_MAX = 50

_OTHERS = -1
_ADHOC = -2


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year from 1 January 00:00 to the next 1 January, local time."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), zone),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), zone),
    )


def held_in_year(municipality_id: int, year: int) -> Q:
    """On `Meeting`: the municipality's meetings held in the year."""
    start, end = year_bounds(year)
    return Q(
        forum__municipality_id=municipality_id,
        status=MeetingStatus.HELD,
        starts_at__gte=start,
        starts_at__lt=end,
    )


def _group(forum: str, top_ids: list[int]) -> Case:
    """A forum of its own row, the ad hoc groups' row or the others' row."""
    return Case(
        When(**{f"{forum}_id__in": top_ids}, then=f"{forum}_id"),
        When(**{f"{forum}__forum_type": ForumType.ADHOC}, then=Value(_ADHOC)),
        default=Value(_OTHERS),
        output_field=IntegerField(),
    )


def _done_on() -> TruncDate:
    """The local day a task was marked done: its first DECISION_TASK_DONE event."""
    events = (
        AuditEvent.objects.filter(
            action=AuditAction.DECISION_TASK_DONE,
            object_type=Meeting._meta.label_lower,
            object_id=Cast(OuterRef("item__meeting_id"), CharField()),
        )
        .annotate(task_id=Cast(KT("data__task"), IntegerField()))
        .filter(task_id=OuterRef("pk"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    return TruncDate(Subquery(events))


def by_forum(municipality_id: int, year: int) -> Table:
    held = held_in_year(municipality_id, year)
    meetings = Meeting.objects.filter(held)
    top = list(
        Forum.objects.filter(municipality_id=municipality_id)
        .exclude(forum_type=ForumType.ADHOC)
        .annotate(held=Count("meetings", filter=Q(meetings__in=meetings)))
        .filter(held__gt=0)
        .order_by("-held", "name", "pk")
        .values_list("pk", "name")[:ROWS_MAX]
    )
    top_ids = [pk for pk, _name in top]
    held_by = {
        row["group"]: row["n"]
        for row in meetings.annotate(group=_group("forum", top_ids))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
    }
    decisions_by = {
        row["group"]: row["n"]
        for row in AgendaItem.objects.filter(meeting__in=meetings)
        .exclude(decision="")
        .annotate(group=_group("meeting__forum", top_ids))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
    }
    done = Q(status=MeetingTaskStatus.DONE)
    late = Q(due_date__isnull=False, done_on__isnull=False, done_on__gt=F("due_date"))
    tasks_by = {
        row["group"]: (row["on_time"], row["late"], row["open"])
        for row in MeetingTask.objects.filter(item__meeting__in=meetings)
        .annotate(group=_group("item__meeting__forum", top_ids), done_on=_done_on())
        .order_by()
        .values("group")
        .annotate(
            on_time=Count("pk", filter=done & ~late),
            late=Count("pk", filter=done & late),
            open=Count("pk", filter=~done),
        )
    }

    def row(key: int) -> list[int]:
        return [held_by.get(key, 0), decisions_by.get(key, 0), *tasks_by.get(key, (0, 0, 0))]

    labels = [name for _pk, name in top]
    keys = [*top_ids]
    if _OTHERS in held_by:
        labels.append(_("Øvrige fora"))
        keys.append(_OTHERS)
    labels.append(_("Ad hoc handlegrupper"))
    keys.append(_ADHOC)
    return Table(
        key="meetings_by_forum",
        title=_("Møder, beslutninger og opgaver efter forum"),
        row_labels=labels,
        column_labels=[
            _("Møder afholdt"),
            _("Beslutninger"),
            _("Opgaver udført til tiden"),
            _("Opgaver udført for sent"),
            _("Opgaver ikke udført"),
        ],
        cells=[row(key) for key in keys],
        counts_people=False,
        note=_(
            "Afholdte møder i året og de beslutninger, der blev truffet på dem. Opgaverne er "
            "opgaverne fra disse beslutninger; til tiden betyder senest på fristen eller uden "
            "frist. Ad hoc handlegrupper vises samlet."
        ),
    )


def tables(municipality_id: int, year: int) -> list[Table]:
    return [by_forum(municipality_id, year)]
