"""The 14-day counts as files for the steering group: CSV (as Excel opens it) and Excel."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ssp.police.selectors import CountTable
from ssp.spreadsheets import safe_row

COUNTS_FILENAME = "bekymringer-14-dage"


def _rows(table: CountTable) -> list[list[object]]:
    header: list[object] = [
        _("SSP-medarbejder"),
        *[f"{start:%d.%m.%Y}-{end:%d.%m.%Y}" for start, end in table.periods],
    ]
    return [header, *[safe_row([name, *counts]) for name, counts in table.rows]]


def counts_csv(table: CountTable) -> bytes:
    """Semicolon-separated with a byte-order mark, so that Danish Excel reads it right."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(_rows(table))
    return buffer.getvalue().encode("utf-8-sig")


def counts_xlsx(table: CountTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:
        raise RuntimeError("a new workbook has an active sheet")
    for row in _rows(table):
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
