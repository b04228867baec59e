"""The 14-day counts as files for the steering group: CSV (as Excel opens it) and Excel."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ssp.reports.tables import SuppressedTable
from ssp.spreadsheets import safe_row

COUNTS_FILENAME = "bekymringer-14-dage"


def _rows(table: SuppressedTable) -> list[list[object]]:
    """The table as published to the actor (`selectors.published_counts`): "<5" and "x" stay
    text; the totals row last."""
    header: list[object] = [_("SSP-medarbejder"), *table.column_labels]
    rows: list[list[object]] = [header]
    for name, cells in zip(table.row_labels, table.cells, strict=True):
        rows.append(safe_row([name, *[_cell(cell) for cell in cells]]))
    if table.column_totals:
        rows.append(safe_row([_("I alt"), *[_cell(cell) for cell in table.column_totals]]))
    return rows


def _cell(text: str) -> object:
    """A published figure: a number as a number (Excel sums it), "<5" and "x" as text."""
    return int(text) if text.isdigit() else text


def counts_csv(table: SuppressedTable) -> bytes:
    """Semicolon-separated with a byte-order mark, so that Danish Excel reads it right."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(_rows(table))
    return buffer.getvalue().encode("utf-8-sig")


def counts_xlsx(table: SuppressedTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:
        raise RuntimeError("a new workbook has an active sheet")
    for row in _rows(table):
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
