"""Reads for the weekly review, the deadline board, counts, absence and hot spots.

Every query of personal data starts from a `visible_*` queryset of `police.access`; lookups of
one record by id are the `get_*_for` functions there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ssp import access
from ssp.access import Actor
from ssp.cases.access import visible_concerns, visible_young_people
from ssp.cases.models import Concern, ConcernSubject, YoungPerson
from ssp.organisation.models import Forum, ForumType, Membership, Municipality
from ssp.police import access as police_access
from ssp.police import deadlines
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    HotSpot,
    NetworkCouncil,
    PoliceReport,
    ReportStatus,
)

REVIEW_QUEUE_LIMIT = 100
RECENTLY_ROUTED_LIMIT = 20
DEADLINE_BOARD_LIMIT = 500
RECENT_COUNCILS_LIMIT = 20
DEFAULT_COUNT_PERIOD_DAYS = 14
COUNT_PERIODS = 6
MAX_LINKED_CONCERNS = 50


def review_queue(actor: Actor) -> list[PoliceReport]:
    """The reports waiting for the weekly review, oldest first (at most REVIEW_QUEUE_LIMIT)."""
    return list(
        police_access.visible_reports(actor)
        .filter(status=ReportStatus.WAITING)
        .select_related("young_person", "offence")
        .order_by("received_on", "incident_at")[:REVIEW_QUEUE_LIMIT]
    )


def recently_routed(actor: Actor) -> QuerySet[PoliceReport]:
    return (
        police_access.visible_reports(actor)
        .filter(status=ReportStatus.ROUTED)
        .select_related(
            "young_person", "offence", "routed_to_member", "routed_to_forum", "home_contact"
        )
        .order_by("-presented_on", "-pk")[:RECENTLY_ROUTED_LIMIT]
    )


@dataclass
class BoardRow:
    deadline: Deadline
    colour: deadlines.Colour
    days_left: int

    @property
    def days_over(self) -> int:
        return -self.days_left

    @property
    def is_overdue(self) -> bool:
        return self.colour == deadlines.Colour.OVERDUE

    @property
    def is_network_council(self) -> bool:
        return self.deadline.kind == DeadlineKind.NETWORK_COUNCIL


def deadline_board(actor: Actor, today: date | None = None) -> list[BoardRow]:
    """The open deadlines the actor sees, soonest first (at most DEADLINE_BOARD_LIMIT)."""
    today = today or timezone.localdate()
    rows = (
        police_access.visible_deadlines(actor)
        .filter(met_on__isnull=True)
        .select_related("young_person", "responsible", "report__offence")
        .order_by("due_on", "pk")
    )
    return [
        BoardRow(d, deadlines.colour(d.due_on, today), (d.due_on - today).days)
        for d in rows[:DEADLINE_BOARD_LIMIT]
    ]


def councils(actor: Actor) -> QuerySet[NetworkCouncil]:
    return (
        police_access.visible_councils(actor)
        .select_related("young_person", "deadline")
        .order_by("-meeting_at")[:RECENT_COUNCILS_LIMIT]
    )


def local_groups(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(
        municipality_id=access.municipality_of(actor),
        forum_type__in=[ForumType.LOKALGRUPPE, ForumType.LOKALUDVALG, ForumType.OMRAADEGRUPPE],
        dissolved_at__isnull=True,
    ).order_by("name")


# --- 14-day counts (Fredericia) -------------------------------------------------------------


@dataclass
class CountTable:
    periods: list[tuple[date, date]]
    rows: list[tuple[str, list[int]]]


def concern_counts(
    actor: Actor, *, periods: int = COUNT_PERIODS, today: date | None = None
) -> CountTable:
    """Concerns passed on by each SSP-team member in each period (default 14 days).

    Counts only, never a child: the steering group sees this table.
    """
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    length = int(municipality.rule("concern_count_period_days") or DEFAULT_COUNT_PERIOD_DAYS)
    today = today or timezone.localdate()
    spans = []
    end = today
    for _index in range(periods):
        start = end - timedelta(days=length - 1)
        spans.append((start, end))
        end = start - timedelta(days=1)
    spans.reverse()
    team = (
        Membership.objects.current()
        .filter(forum__municipality=municipality, forum__forum_type=ForumType.SSP_TEAM)
        .select_related("member")
        .order_by("member__name")
    )
    members = {ms.member.user_id: ms.member.name for ms in team if ms.member.user_id}
    first = timezone.make_aware(datetime.combine(spans[0][0], time.min))
    raised = Concern.objects.filter(raised_by_id__in=members, raised_at__gte=first).values_list(
        "raised_by_id", "raised_at"
    )
    counts: dict[int, list[int]] = {user_id: [0] * len(spans) for user_id in members}
    for user_id, raised_at in raised:
        day = timezone.localtime(raised_at).date()
        for index, (start, end) in enumerate(spans):
            if start <= day <= end:
                counts[user_id][index] += 1
    return CountTable(spans, [(members[uid], counts[uid]) for uid in members])


# --- Absence --------------------------------------------------------------------------------


@dataclass
class AbsenceRow:
    record: AbsenceRecord
    new: bool


def worrying_absence(actor: Actor) -> tuple[date | None, list[AbsenceRow]]:
    """The newest month's worrying absence of the actor's schools; `new` marks pupils who were
    below the threshold the month before."""
    latest = police_access.latest_absence_month(actor)
    if latest is None:
        return None, []
    visible = police_access.visible_absence(actor)
    previous_month = (latest.replace(day=1) - timedelta(days=1)).replace(day=1)
    above_before = set(visible.filter(month=previous_month).values_list("cpr_index", flat=True))
    rows = visible.filter(month=latest).select_related("school")
    return latest, [
        AbsenceRow(r, r.cpr_index not in above_before)
        for r in rows.order_by("school__name", "class_name")
    ]


def known_person(actor: Actor, record: AbsenceRecord) -> YoungPerson | None:
    """The registered young person behind an absence record, if the actor may see them."""
    return visible_young_people(actor).filter(cpr_index=record.cpr_index).first()


# --- Hot spots ------------------------------------------------------------------------------


def hot_spots(actor: Actor) -> QuerySet[HotSpot]:
    return police_access.visible_hot_spots(actor).order_by("status", "name")


@dataclass(frozen=True)
class LinkedConcerns:
    """The concerns linked to a hot spot that the actor may see, and how many others there are."""

    visible: list[Concern]
    others: int


def linked_concerns(actor: Actor, hot_spot: HotSpot) -> LinkedConcerns:
    mine = visible_concerns(actor).filter(pk__in=hot_spot.concerns.values("pk"))
    visible = list(mine.order_by("-raised_at")[:MAX_LINKED_CONCERNS])
    hidden = hot_spot.concerns.count() - (
        len(visible) if len(visible) < MAX_LINKED_CONCERNS else mine.count()
    )
    return LinkedConcerns(visible=visible, others=max(0, hidden))


def place_concerns(actor: Actor) -> QuerySet[Concern]:
    """Group and place concerns the actor sees, to link to a hot spot (they name nobody)."""
    return (
        visible_concerns(actor)
        .filter(subject__in=[ConcernSubject.GROUP, ConcernSubject.PLACE])
        .order_by("-raised_at")
    )
