"""Stub: being written."""

from __future__ import annotations

from ssp.reports.tables import SuppressedTable, Table


def suppress(tables: list[Table]) -> list[SuppressedTable]:
    raise NotImplementedError
