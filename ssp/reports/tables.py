"""The shape of every figure the reports publish: a table of counts, and the same table after
suppression (`suppression.suppress`). Sections build `Table`s (`figures/`), pages, PDF, Excel and
the API render `SuppressedTable`s; nothing renders a `Table` directly."""

from __future__ import annotations

from dataclasses import dataclass, field

# How a hidden cell is shown: a count from 1 to 4 ("primary"), and a cell hidden so that a
# primary one cannot be worked out from the totals ("secondary").
SMALL = "<5"
HIDDEN = "x"


@dataclass
class Table:
    """Counts by row (and by column when there is more than one). `counts_people`: the cells
    count children, young people or cases (suppressed); False for counts that are not about
    persons (meetings held, activities done) which are shown as they are.

    `total_row` / `total_column`: whether the table publishes the rows' and columns' sums (a
    "I alt" row / column). A table with both publishes the grand total too."""

    key: str
    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    counts_people: bool = True
    total_row: bool = True
    total_column: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.row_labels):
            raise ValueError(
                f"{self.key}: {len(self.cells)} rows for {len(self.row_labels)} labels"
            )
        for row in self.cells:
            if len(row) != len(self.column_labels):
                raise ValueError(f"{self.key}: a row of {len(row)} cells")


@dataclass
class SuppressedTable:
    """A table as published: every cell (and total) as text, "<5", "x" or a number."""

    key: str
    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[str]]
    # Totals as published (empty when the table has none): per row, per column, grand total.
    row_totals: list[str] = field(default_factory=list)
    column_totals: list[str] = field(default_factory=list)
    grand_total: str = ""
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "row_labels": self.row_labels,
            "column_labels": self.column_labels,
            "cells": self.cells,
            "row_totals": self.row_totals,
            "column_totals": self.column_totals,
            "grand_total": self.grand_total,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SuppressedTable:
        """A frozen table: known keys only, each with a default, so that an approved report's
        stored figures still read after a field is added here."""

        def texts(key: str) -> list[str]:
            value = data.get(key)
            return [str(item) for item in value] if isinstance(value, list) else []

        raw_cells = data.get("cells")
        cells = (
            [[str(cell) for cell in row] for row in raw_cells if isinstance(row, list)]
            if isinstance(raw_cells, list)
            else []
        )
        return cls(
            key=str(data.get("key", "")),
            title=str(data.get("title", "")),
            row_labels=texts("row_labels"),
            column_labels=texts("column_labels"),
            cells=cells,
            row_totals=texts("row_totals"),
            column_totals=texts("column_totals"),
            grand_total=str(data.get("grand_total", "")),
            note=str(data.get("note", "")),
        )
