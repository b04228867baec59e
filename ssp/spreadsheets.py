"""Rows for Excel and CSV files built from what users typed: text is never a formula.

A cell whose text begins with `=`, `+`, `-`, `@` (or a tab or carriage return before one) is
read by Excel as a formula (openpyxl stores such a string as one), so a title like
`=HYPERLINK("http://...")` would run in the reader's Excel. Such text gets a leading apostrophe,
as Excel itself shows typed text that looks like a formula (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CellT = TypeVar("CellT")


def safe_cell(value: CellT) -> CellT | str:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[CellT]) -> list[CellT | str]:
    return [safe_cell(value) for value in values]
