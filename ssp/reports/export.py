"""An annual report as a file: Excel (a first sheet with the text sections, then one sheet per
table) and PDF (WeasyPrint, `reports/report_pdf.html`).

Both render `SuppressedTable`s only (`selectors.report_tables`): "<5" and "x" stay text, every
other cell is written as a number. The text sections were checked for personal data when saved.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ssp.reports import selectors
from ssp.reports.models import AnnualReport
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable
from ssp.spreadsheets import safe_row

SHEET_NAME_MAX = 31  # Excel's limit
# Characters Excel refuses in a sheet's name.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NUMBER = re.compile(r"^\d{1,15}$")


@dataclass(frozen=True)
class ReportExport:
    report: AnnualReport
    tables: list[SuppressedTable]
    municipality_name: str


def report_export(report: AnnualReport) -> ReportExport:
    return ReportExport(
        report=report,
        tables=selectors.report_tables(report),
        municipality_name=report.municipality.name,
    )


def filename(report: AnnualReport, extension: str) -> str:
    """ "aarsrapport-aadal-2025.pdf": ASCII only (the municipality's slug)."""
    return f"aarsrapport-{report.municipality.slug}-{report.year}.{extension}"


def sheet_names(titles: list[str], taken: set[str]) -> list[str]:
    """Sheet names for the titles: Excel's forbidden characters removed, at most 31 characters,
    unique (case-insensitively, as Excel compares them) among themselves and `taken`."""
    used = {name.casefold() for name in taken}
    names: list[str] = []
    for index, title in enumerate(titles, start=1):
        base = SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'") or str(index)
        name = base[:SHEET_NAME_MAX].strip()
        number = 2
        while name.casefold() in used:
            suffix = f" ({number})"
            name = base[: SHEET_NAME_MAX - len(suffix)].strip() + suffix
            number += 1
        used.add(name.casefold())
        names.append(name)
    return names


def _cell(value: str) -> int | str:
    """A published cell: a number as a number, "<5" and "x" as text."""
    return int(value) if NUMBER.match(value) else value


def table_rows(table: SuppressedTable) -> list[list[int | str]]:
    """The table as rows: a header, a row per label (with its total), a totals row."""
    view = selectors.table_view(table)
    rows: list[list[int | str]] = [list(view.header)]
    rows.extend([row[0], *(_cell(cell) for cell in row[1:])] for row in view.rows)
    if view.totals:
        rows.append([view.totals[0], *(_cell(cell) for cell in view.totals[1:])])
    return rows


def suppression_note() -> str:
    return _(
        "%(small)s: 1-4 (små tal vises ikke). %(hidden)s: skjult, så et lille tal ikke kan "
        "regnes ud af totalerne."
    ) % {"small": SMALL, "hidden": HIDDEN}


def report_xlsx(export: ReportExport) -> bytes:
    report = export.report
    workbook = Workbook()
    first = workbook.active
    if first is None:
        raise RuntimeError("a new workbook has an active sheet")
    first.title = _("Tekst")
    first.append(
        safe_row(
            [
                _("Årsrapport %(year)s – %(municipality)s")
                % {"year": report.year, "municipality": export.municipality_name}
            ]
        )
    )
    first["A1"].font = Font(bold=True, size=14)
    first.append(safe_row([_("Status"), str(report.get_status_display())]))
    sections = (
        (_("Forord"), report.foreword),
        (_("Vurdering"), report.assessment),
        (_("Anbefalinger for næste år"), report.recommendations),
    )
    for label, text in sections:
        first.append([])
        first.append(safe_row([label]))
        first.cell(row=first.max_row, column=1).font = Font(bold=True)
        first.append(safe_row([text]))
        first.cell(row=first.max_row, column=1).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
    first.append([])
    first.append(safe_row([suppression_note()]))
    first.column_dimensions["A"].width = 100
    names = sheet_names([table.title for table in export.tables], {first.title})
    for table, name in zip(export.tables, names, strict=True):
        sheet = workbook.create_sheet(title=name)
        sheet.append(safe_row([table.title]))
        sheet["A1"].font = Font(bold=True)
        for row in table_rows(table):
            sheet.append(safe_row(row))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        if table.note:
            sheet.append([])
            sheet.append(safe_row([table.note]))
        sheet.column_dimensions["A"].width = 40
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def report_pdf(export: ReportExport, *, public: bool = False) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a PDF is asked for

    html = render_to_string(
        "reports/report_pdf.html",
        {
            "report": export.report,
            "municipality_name": export.municipality_name,
            "tables": [selectors.table_view(table) for table in export.tables],
            "has_suppressed": selectors.has_suppressed_cells(export.tables),
            "small": SMALL,
            "hidden": HIDDEN,
            "public": public,
            "printed_at": timezone.localtime(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
