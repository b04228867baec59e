"""Reading the annual reports (R8): the list, one report with what its page shows, its tables.

A report's tables are always `SuppressedTable`s: the frozen figures of an approved report, or
the live publication of a draft run through `suppression.suppress` (`live_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor
from ssp.reports import access as report_access
from ssp.reports import figures, suppression
from ssp.reports.models import YEAR_MIN, AnnualReport, ReportStatus
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable

# The years a municipality keeps reports for on the list page (one per year: a bounded list).
LIST_MAX = 50
# The draft reports an agenda item of the steering group may link to.
LINK_REPORTS_MAX = 10


def live_tables(municipality_id: int, year: int) -> list[SuppressedTable]:
    """The year's publication as it is now, suppressed as a whole."""
    return suppression.suppress(figures.publication(municipality_id, year))


def report_tables(report: AnnualReport) -> list[SuppressedTable]:
    """The tables the report publishes: as frozen at approval, or live while a draft."""
    if report.is_approved and report.figures is not None:
        return [SuppressedTable.from_json(table) for table in report.figures]
    return live_tables(report.municipality_id, report.year)


@dataclass(frozen=True)
class TableView:
    """A published table as a page, the PDF and Excel lay it out: a header (an empty corner,
    the columns, "I alt" when rows have totals), a row per label (label first, its total last)
    and a totals row ("I alt" first) when the table publishes one."""

    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    totals: list[str]
    note: str


def table_view(table: SuppressedTable) -> TableView:
    has_row_totals = bool(table.row_totals)
    total_label = _("I alt")
    header = ["", *table.column_labels, *([total_label] if has_row_totals else [])]
    rows = [
        [label, *table.cells[index], *([table.row_totals[index]] if has_row_totals else [])]
        for index, label in enumerate(table.row_labels)
    ]
    totals: list[str] = []
    if table.column_totals:
        totals = [
            total_label,
            *table.column_totals,
            *([table.grand_total] if has_row_totals else []),
        ]
    return TableView(
        key=table.key,
        title=table.title,
        header=header,
        rows=rows,
        totals=totals,
        note=table.note,
    )


def has_suppressed_cells(tables: list[SuppressedTable]) -> bool:
    """Whether any cell or total is shown as "<5" or "x" (the page then explains them once)."""
    hidden = {SMALL, HIDDEN}
    for table in tables:
        values = [*table.row_totals, *table.column_totals, table.grand_total]
        if any(value in hidden for value in values):
            return True
        if any(cell in hidden for row in table.cells for cell in row):
            return True
    return False


def reports_of(actor: Actor) -> list[AnnualReport]:
    """The municipality's reports, newest year first (at most `LIST_MAX`)."""
    return list(report_access.visible_reports(actor).order_by("-year")[:LIST_MAX])


def report_detail(actor: Actor, year: int) -> AnnualReport:
    """One report with the meeting that approved it (404 as `get_report_for`)."""
    return access.get_or_404(
        report_access.visible_reports(actor).select_related(
            "approved_item__meeting__forum", "municipality"
        ),
        year=year,
    )


def public_report(slug: str, year: int) -> AnnualReport:
    """A published report of the municipality `slug`, or 404 (no login)."""
    return access.get_or_404(
        report_access.public_reports(slug).select_related("municipality"), year=year
    )


def last_year() -> int:
    return timezone.localdate().year - 1


def next_report_year(actor: Actor) -> int | None:
    """Last year, when the municipality has no report of it yet (the list's button)."""
    year = last_year()
    if year < YEAR_MIN or report_access.visible_reports(actor).filter(year=year).exists():
        return None
    return year


def draft_reports_of(actor: Actor) -> list[AnnualReport]:
    """The municipality's draft reports, newest first, for an agenda item to link to (at most
    `LINK_REPORTS_MAX`)."""
    return list(
        report_access.visible_reports(actor)
        .filter(status=ReportStatus.DRAFT)
        .order_by("-year")[:LINK_REPORTS_MAX]
    )


def linked_report(pk: int) -> AnnualReport | None:
    """The report an agenda item links to, as the agenda names it (figures only, no personal
    data: the meeting's readers see its year and state)."""
    return AnnualReport.objects.filter(pk=pk).first()
