"""The steering group's dashboard (R8): the year so far against last year, quarter by quarter.

Four figures, each a published table (rows the quarters, columns this year and last year):
- concerns raised (`Concern.raised_at`) and cases opened (`Case.opened_at`): counts of children
  and cases, suppressed (`suppression.suppress`: 1-4 show as "<5");
- prevention activities done (status done or evaluated, by the day they took place): not
  persons, shown as they are;
- statutory deadlines met on time: of the deadlines that fell due in the quarter (until today),
  the share met on or before the due day. The share is published only when both the deadlines
  met on time and the others are published as numbers by the same suppression (so a share can
  never reveal a count from 1 to 4); otherwise "<5" (fewer than 5 deadlines fell due) or "x".

This year's quarters still to come show "–". No names anywhere: only counts leave this module.
A constant number of aggregate queries (one per figure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ssp.access import Actor, municipality_of
from ssp.cases.models import Case, Concern
from ssp.police.models import Deadline
from ssp.prevention.models import Activity
from ssp.reports import access as reports_access
from ssp.reports import charts
from ssp.reports.figures.prevention import DONE_STATUSES
from ssp.reports.suppression import suppress
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable, Table

QUARTERS = (1, 2, 3, 4)
NOT_YET = "–"  # a quarter of this year still to come

Counts = dict[tuple[int, int], int]  # (year, quarter) -> count


@dataclass
class Figure:
    """One chart and its table."""

    table: SuppressedTable
    unit: str = ""
    max_value: float | None = None

    @property
    def svg(self) -> SafeString:
        return charts.bar_chart(
            title=self.table.title,
            categories=self.table.row_labels,
            series=self.table.column_labels,
            cells=self.table.cells,
            max_value=self.max_value,
            unit=self.unit,
        )

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """(quarter, cells) for the table under the chart."""
        return list(zip(self.table.row_labels, self.table.cells, strict=True))

    def to_json(self) -> dict[str, object]:
        return {**self.table.to_json(), "unit": self.unit}


@dataclass
class Dashboard:
    year: int
    as_of: date
    figures: list[Figure] = field(default_factory=list)

    @property
    def previous_year(self) -> int:
        return self.year - 1

    def to_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "previous_year": self.previous_year,
            "as_of": self.as_of.isoformat(),
            "figures": [figure.to_json() for figure in self.figures],
        }


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_labels() -> list[str]:
    return [_("%(quarter)s. kvartal") % {"quarter": quarter} for quarter in QUARTERS]


def _start(year: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(date(year, 1, 1), time.min), timezone.get_current_timezone()
    )


def _by_quarter(queryset: QuerySet[Any], field_name: str) -> Counts:
    """Counts by (year, quarter) of `field_name` (local time), in one query."""
    rows = (
        queryset.annotate(y=ExtractYear(field_name), q=ExtractQuarter(field_name))
        .order_by()
        .values("y", "q")
        .annotate(n=Count("pk"))
    )
    return {(row["y"], row["q"]): row["n"] for row in rows}


def _table(
    key: str, title: str, counts: Counts, year: int, *, counts_people: bool, note: str = ""
) -> Table:
    return Table(
        key=key,
        title=title,
        row_labels=quarter_labels(),
        column_labels=[str(year), str(year - 1)],
        cells=[[counts.get((year, q), 0), counts.get((year - 1, q), 0)] for q in QUARTERS],
        counts_people=counts_people,
        # The year's totals: the annual report publishes them too, so the quarters are
        # protected against them (secondary suppression) rather than left open to subtraction.
        total_row=True,
        note=note,
    )


def concerns_raised(municipality_id: int, year: int) -> Counts:
    return _by_quarter(
        Concern.objects.filter(
            municipality_id=municipality_id,
            raised_at__gte=_start(year - 1),
            raised_at__lt=_start(year + 1),
        ),
        "raised_at",
    )


def cases_opened(municipality_id: int, year: int) -> Counts:
    return _by_quarter(
        Case.objects.filter(
            municipality_id=municipality_id,
            opened_at__gte=_start(year - 1),
            opened_at__lt=_start(year + 1),
        ),
        "opened_at",
    )


def activities_done(municipality_id: int, year: int) -> Counts:
    return _by_quarter(
        Activity.objects.filter(
            municipality_id=municipality_id,
            status__in=DONE_STATUSES,
            starts_on__gte=date(year - 1, 1, 1),
            starts_on__lte=date(year, 12, 31),
        ),
        "starts_on",
    )


def deadlines_due(municipality_id: int, today: date) -> tuple[Counts, Counts]:
    """(met on time, not met on time) by quarter of the due day, of the deadlines due until
    today, this year and last year."""
    rows = (
        Deadline.objects.filter(
            municipality_id=municipality_id,
            due_on__gte=date(today.year - 1, 1, 1),
            due_on__lte=today,
        )
        .annotate(y=ExtractYear("due_on"), q=ExtractQuarter("due_on"))
        .order_by()
        .values("y", "q")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(met_on__isnull=False, met_on__lte=F("due_on"))),
        )
    )
    on_time = {(row["y"], row["q"]): row["on_time"] for row in rows}
    late = {(row["y"], row["q"]): row["n"] - row["on_time"] for row in rows}
    return on_time, late


def _share(on_time: str, late: str, raw_total: int) -> str:
    """The published share of two published counts; see the module docstring."""
    on, off = charts.cell_value(on_time), charts.cell_value(late)
    if on is None or off is None:
        return SMALL if 0 < raw_total < 5 else HIDDEN
    if on + off == 0:
        return NOT_YET
    return f"{round(100 * on / (on + off))} %"


def _mark_future(table: SuppressedTable, today: date) -> SuppressedTable:
    """This year's quarters after today's show "–" (their count is 0: nothing is hidden)."""
    for index, quarter in enumerate(QUARTERS):
        if quarter > quarter_of(today):
            table.cells[index][0] = NOT_YET
    return table


def dashboard(actor: Actor, *, today: date | None = None) -> Dashboard:
    """The dashboard of the actor's municipality (empty for an actor who may not see reports;
    the views and the API check `can_see_reports` first)."""
    today = today or timezone.localdate()
    year = today.year
    result = Dashboard(year=year, as_of=today)
    if not reports_access.can_see_reports(actor):
        return result
    municipality_id = municipality_of(actor)
    on_time, late = deadlines_due(municipality_id, today)
    builders: list[tuple[str, str, Callable[[], Counts], bool, str]] = [
        (
            "dashboard_concerns",
            _("Bekymringer indberettet"),
            lambda: concerns_raised(municipality_id, year),
            True,
            _("Antal bekymringer indberettet i kvartalet. Tal fra 1 til 4 vises som <5."),
        ),
        (
            "dashboard_cases",
            _("Sager oprettet"),
            lambda: cases_opened(municipality_id, year),
            True,
            _("Antal SSP-sager oprettet i kvartalet. Tal fra 1 til 4 vises som <5."),
        ),
        (
            "dashboard_activities",
            _("Forebyggende aktiviteter gennemført"),
            lambda: activities_done(municipality_id, year),
            False,
            _("Aktiviteter i årsplanerne, der er gennemført eller evalueret, efter dato."),
        ),
    ]
    tables = [
        _table(key, title, build(), year, counts_people=people, note=note)
        for key, title, build, people, note in builders
    ]
    parts = Table(
        key="dashboard_deadline_parts",
        title=_("Frister overholdt og ikke overholdt"),
        row_labels=quarter_labels(),
        column_labels=[
            _("%(year)s til tiden") % {"year": year},
            _("%(year)s ikke til tiden") % {"year": year},
            _("%(year)s til tiden") % {"year": year - 1},
            _("%(year)s ikke til tiden") % {"year": year - 1},
        ],
        cells=[
            [
                on_time.get((year, q), 0),
                late.get((year, q), 0),
                on_time.get((year - 1, q), 0),
                late.get((year - 1, q), 0),
            ]
            for q in QUARTERS
        ],
        total_row=False,
    )
    published = suppress([*tables, parts])
    *shown, published_parts = published
    shares = SuppressedTable(
        key="dashboard_deadlines",
        title=_("Frister overholdt til tiden"),
        row_labels=quarter_labels(),
        column_labels=[str(year), str(year - 1)],
        cells=[
            [
                _share(row[0], row[1], on_time.get((year, q), 0) + late.get((year, q), 0)),
                _share(row[2], row[3], on_time.get((year - 1, q), 0) + late.get((year - 1, q), 0)),
            ]
            for q, row in zip(QUARTERS, published_parts.cells, strict=True)
        ],
        note=_(
            "Andelen af de lovbestemte frister med fristdag i kvartalet (til og med i dag), "
            "der blev overholdt senest på fristdagen. Andelen vises ikke, når den kan afsløre "
            "et antal fra 1 til 4."
        ),
    )
    result.figures = [
        *(Figure(_mark_future(table, today)) for table in shown),
        Figure(_mark_future(shares, today), unit=" %", max_value=100.0),
    ]
    return result


def dashboard_data(actor: Actor, *, today: date | None = None) -> dict[str, object]:
    """The dashboard as JSON, for the API (`/api/v1/reports/dashboard`): the year, last year,
    the day it was made, and each figure's published table (`SuppressedTable.to_json()` plus
    its `unit`)."""
    return dashboard(actor, today=today).to_json()
