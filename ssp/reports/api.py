"""The reports API (`/api/v1/reports/`, R8): a municipality's annual report with its tables, as
published (suppressed: "<5" for 1-4, "x" where a small number could be worked out), and the
steering group's dashboard. For SSP staff, employees and politicians of the municipality, as the
pages (`can_see_reports`); no endpoint returns a name or an unsuppressed count of persons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema

from ssp import access
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.reports import access as report_access
from ssp.reports import selectors
from ssp.reports.models import YEAR_MAX, YEAR_MIN
from ssp.reports.tables import SuppressedTable

router = Router(tags=["reports"])

Year = PathEx[int, P(ge=YEAR_MIN, le=YEAR_MAX)]


class TableOut(Schema):
    """A published table: every cell and total as text ("<5", "x" or a number)."""

    key: str
    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[str]]
    row_totals: list[str]
    column_totals: list[str]
    grand_total: str
    note: str


class AnnualReportOut(Schema):
    year: int
    status: str  # "draft" (figures follow the data) or "approved" (frozen)
    approved_at: datetime | None
    published_at: datetime | None
    foreword: str
    assessment: str
    recommendations: str
    tables: list[TableOut]


def _table_out(table: SuppressedTable) -> TableOut:
    return TableOut(
        key=table.key,
        title=table.title,
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=table.cells,
        row_totals=table.row_totals,
        column_totals=table.column_totals,
        grand_total=table.grand_total,
        note=table.note,
    )


@router.get("/annual/{year}", response={200: AnnualReportOut, **ERRORS})
def get_annual_report(request: HttpRequest, year: Year) -> AnnualReportOut:
    """The municipality's annual report of `year`: status, text sections and tables (404 when
    there is none)."""
    actor = access.enforce(report_access.can_see_reports, actor_of(request))
    report = report_access.get_report_for(actor, year)
    return AnnualReportOut(
        year=report.year,
        status=report.status,
        approved_at=report.approved_at,
        published_at=report.published_at,
        foreword=report.foreword,
        assessment=report.assessment,
        recommendations=report.recommendations,
        tables=[_table_out(table) for table in selectors.report_tables(report)],
    )


@router.get("/dashboard", response={200: dict[str, Any], **ERRORS})
def get_dashboard(request: HttpRequest) -> dict[str, Any]:
    """The steering group's dashboard: the year so far against last year, by quarter
    (suppressed as the dashboard page)."""
    from ssp.reports.dashboard import dashboard_data

    actor = access.enforce(report_access.can_see_reports, actor_of(request))
    data: dict[str, Any] = dashboard_data(actor)
    return data
