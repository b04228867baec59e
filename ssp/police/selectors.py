"""Reads for the weekly review, the deadline board, counts, absence and hot spots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from ssp import access
from ssp.access import Actor
from ssp.cases.access import visible_young_people
from ssp.cases.cpr import format_cpr
from ssp.cases.models import Concern, YoungPerson
from ssp.crypto import decrypt
from ssp.organisation.models import Forum, ForumType, Member, Membership, Municipality
from ssp.police import access as police_access
from ssp.police import deadlines
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    HotSpot,
    NetworkCouncil,
    PoliceReport,
    ReportStatus,
)


def review_queue(actor: Actor) -> QuerySet[PoliceReport]:
    return (
        police_access.visible_reports(actor)
        .filter(status=ReportStatus.WAITING)
        .select_related("young_person", "offence")
        .order_by("received_on", "incident_at")
    )


def recently_routed(actor: Actor) -> QuerySet[PoliceReport]:
    return (
        police_access.visible_reports(actor)
        .filter(status=ReportStatus.ROUTED)
        .select_related(
            "young_person", "offence", "routed_to_member", "routed_to_forum", "home_contact"
        )
        .order_by("-presented_on", "-pk")[:20]
    )


def get_report_for(actor: Actor, pk: int) -> PoliceReport:
    report: PoliceReport = access.get_or_404(
        police_access.visible_reports(actor).select_related(
            "young_person",
            "offence",
            "routed_to_member",
            "routed_to_forum",
            "home_contact",
            "concern",
        ),
        pk=pk,
    )
    return report


@dataclass
class BoardRow:
    deadline: Deadline
    colour: str
    days_left: int

    @property
    def days_over(self) -> int:
        return -self.days_left


def deadline_board(actor: Actor, today: date | None = None) -> list[BoardRow]:
    today = today or timezone.localdate()
    rows = (
        police_access.visible_deadlines(actor)
        .filter(met_on__isnull=True)
        .select_related("young_person", "responsible", "report__offence")
        .order_by("due_on", "pk")
    )
    return [
        BoardRow(d, deadlines.colour(d.due_on, today), (d.due_on - today).days) for d in rows[:500]
    ]


def get_deadline_for(actor: Actor, pk: int) -> Deadline:
    deadline: Deadline = access.get_or_404(
        police_access.visible_deadlines(actor).select_related("young_person", "report"), pk=pk
    )
    return deadline


def get_council_for(actor: Actor, pk: int) -> NetworkCouncil:
    if not police_access.can_review(actor):
        raise PermissionDenied
    council: NetworkCouncil = access.get_or_404(
        NetworkCouncil.objects.filter(municipality_id=access.municipality_of(actor))
        .select_related("young_person", "report__offence", "case", "action_plan")
        .prefetch_related("professionals", "young_person__custody_holders"),
        pk=pk,
    )
    return council


def councils(actor: Actor) -> QuerySet[NetworkCouncil]:
    if not police_access.can_review(actor):
        return NetworkCouncil.objects.none()
    return (
        NetworkCouncil.objects.filter(municipality_id=access.municipality_of(actor))
        .select_related("young_person")
        .order_by("-meeting_at")[:20]
    )


def review_members(actor: Actor) -> QuerySet[Member]:
    return (
        Member.objects.filter(municipality_id=access.municipality_of(actor), is_authority=True)
        .select_related("unit")
        .order_by("name")
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


def concern_counts(actor: Actor, *, periods: int = 6, today: date | None = None) -> CountTable:
    """Concerns passed on by each SSP-team member in each period (default 14 days)."""
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    length = int(municipality.rule("concern_count_period_days") or 14)
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


def worrying_absence(actor: Actor, threshold: Decimal) -> tuple[date | None, list[AbsenceRow]]:
    visible = police_access.visible_absence(actor)
    latest = visible.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return None, []
    previous_month = (latest.replace(day=1) - timedelta(days=1)).replace(day=1)
    above_before = set(
        visible.filter(month=previous_month, total_percent__gte=threshold).values_list(
            "cpr_index", flat=True
        )
    )
    rows = visible.filter(month=latest, total_percent__gte=threshold).select_related("school")
    return latest, [
        AbsenceRow(r, r.cpr_index not in above_before)
        for r in rows.order_by("school__name", "class_name")
    ]


def get_absence_for(actor: Actor, pk: int) -> AbsenceRecord:
    record: AbsenceRecord = access.get_or_404(
        police_access.visible_absence(actor).select_related("school"), pk=pk
    )
    return record


def known_person(actor: Actor, record: AbsenceRecord) -> YoungPerson | None:
    """The registered young person behind an absence record, if the actor may see them."""
    return visible_young_people(actor).filter(cpr_index=record.cpr_index).first()


def record_cpr(record: AbsenceRecord) -> str:
    """The full CPR number, for the concern form of the school's SSP contact."""
    return format_cpr(decrypt(record.cpr_encrypted))


def hot_spots(actor: Actor) -> QuerySet[HotSpot]:
    return police_access.visible_hot_spots(actor).order_by("status", "name")


def get_hot_spot_for(actor: Actor, pk: int) -> HotSpot:
    spot: HotSpot = access.get_or_404(
        police_access.visible_hot_spots(actor).prefetch_related("concerns"), pk=pk
    )
    return spot


def place_concerns(actor: Actor) -> QuerySet[Concern]:
    """Group and place concerns that can be linked to a hot spot (no names)."""
    return Concern.objects.filter(
        municipality_id=access.municipality_of(actor), subject__in=["group", "place"]
    ).order_by("-raised_at")
