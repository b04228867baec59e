"""Reads for the weekly review, the deadline board, counts, absence and hot spots.

Every query of personal data starts from a `visible_*` queryset of `police.access`; lookups of
one record by id are the `get_*_for` functions there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    Offence,
    OffenceAlias,
    PoliceReport,
    ReportCorrection,
    ReportStatus,
)
from ssp.reports.suppression import suppress
from ssp.reports.tables import SuppressedTable, Table

REVIEW_PAGE_SIZE = 20
RECENTLY_ROUTED_LIMIT = 20
RECENTLY_ROUTED_DAYS = 14
BOARD_PAGE_SIZE = 50
BOARD_WINDOW_DAYS = 7
RECENT_COUNCILS_LIMIT = 20
DEFAULT_COUNT_PERIOD_DAYS = 14
COUNT_PERIODS = 6
# Where the fixed count periods start: a Monday; the periods are this day + k * length days.
COUNT_PERIOD_ANCHOR = date(2024, 1, 1)
MAX_LINKED_CONCERNS = 50


def waiting_reports(actor: Actor) -> QuerySet[PoliceReport]:
    """The reports waiting for the weekly review, oldest first: in the order they arrived (a
    list's rows in the list's order). Waiting reports have no `presented_on`, so this is the
    reports' index on (municipality, status, presented_on DESC, id DESC) read backwards: a page
    is a few index entries even with a whole 100,000-row list waiting, where a sort by the
    received date would read and sort every waiting report first."""
    return (
        police_access.visible_reports(actor)
        .filter(status=ReportStatus.WAITING)
        .select_related("young_person", "offence")
        .order_by(F("presented_on").asc(nulls_last=True), "pk")
    )


def review_queue(actor: Actor, *, page: int | str | None = 1) -> Page[PoliceReport]:
    """One page (REVIEW_PAGE_SIZE) of the weekly review's queue: the page and its queries stay
    the same size however many reports wait. A page number past the end gives the last page."""
    shown = Paginator(waiting_reports(actor), REVIEW_PAGE_SIZE).get_page(page)
    shown.object_list = list(shown.object_list)  # read here, once: the view logs these rows
    return shown


def recently_routed(actor: Actor, *, today: date | None = None) -> QuerySet[PoliceReport]:
    """The reports routed in the last RECENTLY_ROUTED_DAYS days, newest first (at most
    RECENTLY_ROUTED_LIMIT). The date bound and the order follow the reports' index on
    (municipality, status, presented_on DESC, id DESC), so the query reads a few index entries
    however many reports have been routed over the years."""
    today = today or timezone.localdate()
    return (
        police_access.visible_reports(actor)
        .filter(
            status=ReportStatus.ROUTED,
            presented_on__gte=today - timedelta(days=RECENTLY_ROUTED_DAYS),
        )
        .select_related(
            "young_person", "offence", "routed_to_member", "routed_to_forum", "home_contact"
        )
        .defer("description")  # not shown in the list: not read, not decrypted
        .order_by("-presented_on", "-pk")[:RECENTLY_ROUTED_LIMIT]
    )


@dataclass
class BoardRow:
    """A row of the deadline board. What the row shows more than once (the kind, the young
    person's name) is worked out once: the board renders 50 rows (issue 11)."""

    deadline: Deadline
    colour: deadlines.Colour
    days_left: int
    # Where the row's forms go, set by the view (`url_for_each`: one reverse for the page).
    met_url: str = ""
    council_url: str = ""

    @cached_property
    def kind_label(self) -> str:
        return str(self.deadline.get_kind_display())

    @cached_property
    def person_name(self) -> str:
        return self.deadline.young_person.full_name

    @cached_property
    def subject(self) -> str:
        """For a screen reader, what the row's label and button are about."""
        return f"{self.kind_label}, {self.person_name}"

    @property
    def input_id(self) -> str:
        """The id of the row's date input (the error above the board links to it)."""
        return f"met-on-{self.deadline.pk}"

    @property
    def starts_iso(self) -> str:
        """The earliest date the deadline can be met, for the date input's `min`."""
        return self.deadline.starts_on.isoformat()

    @cached_property
    def offence_label(self) -> str:
        """The report's offence: its catalogue name, else the text the list gave; "" without a
        report."""
        report = self.deadline.report
        if report is None:
            return ""
        return report.offence.name if report.offence is not None else report.offence_text

    @property
    def days_over(self) -> int:
        return -self.days_left

    @property
    def is_overdue(self) -> bool:
        return self.colour == deadlines.Colour.OVERDUE

    @property
    def is_network_council(self) -> bool:
        return self.deadline.kind == DeadlineKind.NETWORK_COUNCIL

    @cached_property
    def statute(self) -> str:
        """The statute behind the deadline (issue 16: from configuration), "" if none."""
        return deadlines.statute_for(self.deadline.kind)


class BoardWindow(models.TextChoices):
    """Which open deadlines the board lists: what needs doing now, or what comes later."""

    CURRENT = "aktuelle", _("Overskredne og de næste 7 dage")
    LATER = "senere", _("Senere frister")


@dataclass
class BoardPage:
    """One page of the deadline board: `page` pages the deadlines, `rows` are its rows."""

    page: Page[Deadline]
    rows: list[BoardRow]
    window: BoardWindow


def board_window(value: str | None) -> BoardWindow:
    """The window named in the request (`?vis=`), the current one for anything else."""
    return BoardWindow.LATER if value == BoardWindow.LATER else BoardWindow.CURRENT


def open_deadlines(
    actor: Actor, *, window: BoardWindow = BoardWindow.CURRENT, today: date | None = None
) -> QuerySet[Deadline]:
    """The open deadlines the actor sees in the window, overdue first then soonest: the current
    window holds every overdue deadline and those due within BOARD_WINDOW_DAYS days, the later
    window the rest. Read through the deadlines' index on (municipality, met_on, due_on)."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=BOARD_WINDOW_DAYS)
    rows = police_access.visible_deadlines(actor).filter(met_on__isnull=True)
    if window == BoardWindow.LATER:
        rows = rows.filter(due_on__gt=horizon)
    else:
        rows = rows.filter(due_on__lte=horizon)
    return (
        rows.select_related("young_person", "responsible", "report__offence")
        # What a row shows (police/deadlines.html), and no more: 50 rows of five models each
        # are built per page, and the report's description is neither read nor decrypted.
        .only(
            "kind",
            "starts_on",
            "due_on",
            "escalated_at",
            "young_person__first_name",
            "young_person__last_name",
            "responsible__name",
            "report__offence_text",
            "report__offence__name",
        )
        .order_by("due_on", "pk")
    )


def deadline_board(
    actor: Actor,
    *,
    window: BoardWindow = BoardWindow.CURRENT,
    page: int | str | None = 1,
    today: date | None = None,
) -> BoardPage:
    """One page (BOARD_PAGE_SIZE) of the deadline board: the page and its queries stay the same
    size however many deadlines are open."""
    today = today or timezone.localdate()
    shown = Paginator(open_deadlines(actor, window=window, today=today), BOARD_PAGE_SIZE).get_page(
        page
    )
    return BoardPage(
        page=shown,
        rows=[
            BoardRow(d, deadlines.colour(d.due_on, today), (d.due_on - today).days)
            for d in shown.object_list
        ],
        window=window,
    )


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


def last_completed_period_end(today: date, length: int) -> date:
    """The last day of the last fixed period (`COUNT_PERIOD_ANCHOR` + k * `length` days) that
    ended before `today`."""
    current = (today - COUNT_PERIOD_ANCHOR).days // length
    return COUNT_PERIOD_ANCHOR + timedelta(days=current * length - 1)


@dataclass
class CountTable:
    periods: list[tuple[date, date]]
    rows: list[tuple[str, list[int]]]


def concern_counts(
    actor: Actor, *, periods: int = COUNT_PERIODS, today: date | None = None
) -> CountTable:
    """Concerns passed on by each SSP-team member in each period (default 14 days).

    Counts only, never a child: the steering group sees this table. SSP staff (exact counts)
    see the periods up to today. Everyone else sees only completed periods on fixed
    boundaries (`COUNT_PERIOD_ANCHOR` + k * length days), the last being the last period that
    ended before today: windows that moved with the day would let two downloads a day apart be
    subtracted from each other, giving the concerns of single days, however the counts are
    suppressed.
    """
    municipality = Municipality.objects.get(pk=access.municipality_of(actor))
    length = int(municipality.rule("concern_count_period_days") or DEFAULT_COUNT_PERIOD_DAYS)
    today = today or timezone.localdate()
    spans = []
    end = (
        today
        if police_access.sees_exact_counts(actor)
        else last_completed_period_end(today, length)
    )
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


def published_counts(actor: Actor, table: CountTable) -> SuppressedTable:
    """The 14-day counts as the actor may see them, with a total per period: exact for SSP
    staff, suppressed for the steering group's politicians (one table, one publication)."""
    exact = police_access.sees_exact_counts(actor)
    labels = [f"{start:%d.%m}-{end:%d.%m.%Y}" for start, end in table.periods]
    counts = Table(
        key="concern_counts",
        title=str(_("Bekymringer videregivet pr. periode")),
        row_labels=[name for name, _counts in table.rows],
        column_labels=labels,
        cells=[list(row_counts) for _name, row_counts in table.rows],
        counts_people=not exact,
        total_row=True,
    )
    return suppress([counts])[0]


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


# --- Issue 16: the offence catalogue and the reports to correct ------------------------------

CORRECTION_PAGE_SIZE = 25
# The list shows the newest this many (40 pages); older reports are found by a search, so the
# page and its count stay as fast with 250,000 reports as with 250.
CORRECTION_LIST_MAX = 1000


def correctable_report_page(
    actor: Actor, *, query: str = "", received: date | None = None, page: int = 1
) -> Page[PoliceReport]:
    """One page of the municipality's reports the actor may correct, newest received first,
    found by (part of) the journal number and/or the received date. Only the list fields are
    read: no person, concern or description."""
    rows = police_access.correctable_reports(actor)
    if query:
        rows = rows.filter(police_reference__icontains=query)
    if received is not None:
        rows = rows.filter(received_on=received)
    rows = (
        rows.select_related("offence")
        .only(
            "pk",
            "police_reference",
            "received_on",
            "presented_on",
            "incident_at",
            "status",
            "offence_text",
            "attempt",
            "offence__name",
            "offence__serious",
            "anonymised_at",
        )
        .order_by("-received_on", "-pk")
    )
    shown = Paginator(rows[:CORRECTION_LIST_MAX], CORRECTION_PAGE_SIZE).get_page(page)
    shown.object_list = list(shown.object_list)
    return shown


@dataclass(frozen=True)
class CouncilState:
    """A report's council deadlines as the correction page tells them: open ones follow a
    correction, a council called or held is kept."""

    open_deadlines: list[Deadline]
    council_called: bool


def report_council_state(report: PoliceReport) -> CouncilState:
    kinds = [DeadlineKind.NETWORK_COUNCIL, DeadlineKind.PLAN_REVISION]
    rows = list(
        Deadline.objects.filter(report=report, kind__in=kinds)
        .select_related("council")
        .order_by("due_on", "pk")
    )
    called = any(row.met_on is not None or _has_council(row) for row in rows)
    return CouncilState(
        open_deadlines=[r for r in rows if r.met_on is None and not _has_council(r)],
        council_called=called,
    )


def _has_council(deadline: Deadline) -> bool:
    try:
        return deadline.council is not None
    except NetworkCouncil.DoesNotExist:
        return False


def report_corrections(report: PoliceReport) -> QuerySet[ReportCorrection]:
    return report.corrections.select_related("corrected_by").order_by("corrected_at", "pk")


@dataclass(frozen=True)
class CatalogueRow:
    offence: Offence
    aliases: list[OffenceAlias]


def offence_catalogue(actor: Actor) -> tuple[list[CatalogueRow], list[CatalogueRow]]:
    """(national kinds, the municipality's local kinds incl. retired), each with the
    municipality's aliases: three queries, however many kinds."""
    offences = list(police_access.visible_offences(actor).order_by("name", "pk"))
    aliases: dict[int, list[OffenceAlias]] = {}
    for alias in police_access.visible_offence_aliases(actor).order_by("alias"):
        aliases.setdefault(alias.offence_id, []).append(alias)
    rows = [CatalogueRow(o, aliases.get(o.pk, [])) for o in offences]
    return (
        [r for r in rows if r.offence.municipality_id is None],
        [r for r in rows if r.offence.municipality_id is not None],
    )


def offence_aliases(actor: Actor, offence: Offence) -> list[OffenceAlias]:
    return list(police_access.visible_offence_aliases(actor).filter(offence=offence))
