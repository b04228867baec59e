"""Small-number suppression: the one function every table of counts goes through before it is
shown (report pages, PDF, Excel, API, dashboard). Pure Python, no database, deterministic.

`suppress(tables)` takes the `Table`s of ONE publication (everything shown together: an annual
report, the dashboard) and returns a `SuppressedTable` per table, in the same order. Tables with
`counts_people=False` are published as they are (with their totals).

What a reader sees, and what the reader may therefore know:

- a number: the exact count; "0" is shown (zero is not a person);
- "<5" (`tables.SMALL`): a count from 1 to 4, the primary suppression. A cell, a row or column
  total and the grand total are all suppressed by the same rule;
- "x" (`tables.HIDDEN`): a count hidden so that a "<5" cannot be worked out from the totals
  (secondary suppression). We promise nothing about it: it is any number >= 0. (Almost always it
  is >= 5, but see "last resort" below: a reader is not told so, and the check below does not
  assume it.)

How the published tables can be attacked. Every published total gives a *line*: a linear
equation "total = sum of its cells" (a row with its row total, a column with its column total,
the grand total against the row totals, against the column totals, and against all cells).
Anyone may subtract the visible numbers of a line from its total. If exactly one item of the line
(cell or total) is hidden, it is the difference: recovered. With several hidden items the
difference is their sum, and the bounds ("<5" is 1..4, "x" >= 0) may still pin one down
(two "<5" cells in a line whose hidden part sums to 2 are both 1).

Across the publication: the same population is counted in several tables (the concerns of the
year by source, by level, by age band...). Their grand totals are equal, so a reader can take the
total from table A and subtract the visible cells of table B, even when B publishes no total or
hides it. We cannot know which tables count the same population, so we assume the worst: every
two tables (of persons) whose sums of cells are equal share one grand total. That grand total is
one figure for the whole group: if it is hidden, it is hidden in every table of the group that
shows it, and if any table of the group shows it, every table of the group is protected against
it (each table gets the line "its grand total = sum of all its cells", with the shared grand
total, also when the table itself shows no total). With that, "total of A minus the visible cells
of B" is just B's own grand line, which is protected like any other line.

The algorithm:

1. Primary: every item (cell or total) of 1-4 is "<5".
2. Secondary, the simple rule: in every line, if exactly one item is hidden, hide one more: the
   smallest non-zero visible cell of the line (ties: the first); if the line has none, the line's
   total (a hidden grand total counts as hidden for the lines it belongs to; a grand total no
   table shows is unknown to the reader, so it protects the other hidden items of its lines,
   but as the only unknown of a line it needs no partner: it is not published). Repeat until
   nothing changes: hiding in one direction can leave a single hidden item in the other.
3. Audit: an attacker (`_attack`) solves all lines of the publication together by interval
   propagation (each hidden item gets the bounds above; each line narrows each of its hidden
   items to "the line's known part minus what the other hidden items can be", repeated until
   nothing narrows). If it pins a hidden item down to one value, the first line of that item
   that can hide one more item does so, by the same choice as in 2, and we go back to 2.
4. Last resort: if no line of a pinned item can hide anything more (every non-zero cell and the
   total are hidden already, e.g. four "<5" cells of 1 whose "<5" total must then be 4), a "<5"
   of the item's lines (the total first) is shown as "x" instead, removing the 1..4 bound that
   pins it. Then back to 2. Every step hides or widens one item, so this ends.

The test (tests/reports/test_suppression.py) runs an independent attacker over hundreds of
random tables and publications and finds no recoverable hidden item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable, Table

# "Unbounded" for the attacker's intervals: far above any count, far below overflow concerns.
_INF = 10**15
# Propagation stops narrowing after this many passes (intervals only shrink; this bounds a slow
# creep in cyclic systems and keeps the work bounded for any input).
_MAX_PASSES = 200


def format_count(value: int) -> str:
    """A count as published: plain digits, no thousands separator ("12345")."""
    return str(value)


def is_suppressed(text: str) -> bool:
    """Whether a published figure is hidden ("<5" or "x")."""
    return text in (SMALL, HIDDEN)


def as_number(text: str) -> int | None:
    """A published figure as a number, None when it is hidden (for charts and sorting)."""
    if is_suppressed(text) or not text:
        return None
    return int(text)


class _State(IntEnum):
    VISIBLE = 0
    SMALL = 1  # 1..4, shown "<5"
    HIDDEN = 2  # shown "x"


@dataclass
class _Item:
    value: int
    state: _State
    # Whether any table shows the item. Only a group's grand total can be unshown.
    published: bool = True

    @property
    def hidden(self) -> bool:
        return self.state != _State.VISIBLE or not self.published

    def text(self) -> str:
        if self.state == _State.SMALL:
            return SMALL
        if self.state == _State.HIDDEN:
            return HIDDEN
        return format_count(self.value)


@dataclass(frozen=True)
class _Line:
    """total = sum(members), as item indices."""

    members: tuple[int, ...]
    total: int


@dataclass
class _Layout:
    """Where a table's cells and totals are among the items."""

    cells: list[list[int]]
    row_totals: list[int] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    grand: int = -1


class _Publication:
    def __init__(self, tables: Sequence[Table]) -> None:
        self.items: list[_Item] = []
        self.lines: list[_Line] = []
        self.layouts: dict[int, _Layout] = {}
        self._line_keys: set[tuple[tuple[int, ...], int]] = set()
        groups: dict[int, int] = {}  # sum of cells -> grand item
        for position, table in enumerate(tables):
            if not table.counts_people:
                continue
            self.layouts[position] = self._add_table(table, groups)
        self.lines_of: list[list[int]] = [[] for _ in self.items]
        for number, line in enumerate(self.lines):
            for index in (*line.members, line.total):
                if number not in self.lines_of[index]:
                    self.lines_of[index].append(number)

    def _new_item(self, value: int, *, published: bool = True) -> int:
        if value < 0:
            raise ValueError(f"a count below zero: {value}")
        state = _State.SMALL if 1 <= value <= 4 else _State.VISIBLE
        if not published:
            state = _State.HIDDEN
        self.items.append(_Item(value=value, state=state, published=published))
        return len(self.items) - 1

    def _add_line(self, members: list[int], total: int) -> None:
        if members == [total]:
            return
        key = (tuple(sorted(members)), total)
        if key in self._line_keys:
            return
        self._line_keys.add(key)
        self.lines.append(_Line(members=tuple(members), total=total))

    def _add_table(self, table: Table, groups: dict[int, int]) -> _Layout:
        rows, columns = len(table.row_labels), len(table.column_labels)
        cells = [[self._new_item(value) for value in row] for row in table.cells]
        grand_value = sum(sum(row) for row in table.cells)
        # The table shows its grand total: explicitly (both totals), or as the only column's
        # total ("I alt" row under one column), or as the only row's total.
        shows_grand = (
            (table.total_row and table.total_column)
            or (table.total_row and columns == 1)
            or (table.total_column and rows == 1)
        )
        if grand_value in groups:
            grand = groups[grand_value]
            if shows_grand and not self.items[grand].published:
                item = self.items[grand]
                item.published = True
                item.state = _State.SMALL if 1 <= item.value <= 4 else _State.VISIBLE
        else:
            grand = self._new_item(grand_value, published=bool(shows_grand))
            groups[grand_value] = grand
        layout = _Layout(cells=cells, grand=grand)
        if table.total_column:
            layout.row_totals = [
                grand if rows == 1 else self._new_item(sum(row)) for row in table.cells
            ]
        if table.total_row:
            layout.column_totals = [
                grand if columns == 1 else self._new_item(sum(row[c] for row in table.cells))
                for c in range(columns)
            ]
        for r, total in enumerate(layout.row_totals):
            self._add_line(cells[r], total)
        for c, total in enumerate(layout.column_totals):
            self._add_line([cells[r][c] for r in range(rows)], total)
        if len(layout.row_totals) > 1:
            self._add_line(layout.row_totals, grand)
        if len(layout.column_totals) > 1:
            self._add_line(layout.column_totals, grand)
        self._add_line([index for row in cells for index in row], grand)
        return layout

    # -- secondary suppression ----------------------------------------------------------------

    def _partner(self, line: _Line) -> int | None:
        """The item to hide next in a line: the smallest non-zero visible member (the first of
        equals), else the total if it is visible."""
        best: int | None = None
        for index in line.members:
            item = self.items[index]
            visible = not item.hidden and item.value > 0
            if visible and (best is None or item.value < self.items[best].value):
                best = index
        if best is None and not self.items[line.total].hidden:
            best = line.total
        return best

    def _simple_pass(self) -> bool:
        changed = False
        again = True
        while again:
            again = False
            for line in self.lines:
                hidden = [i for i in (*line.members, line.total) if self.items[i].hidden]
                # A line whose one unknown is a total no table shows has nothing to protect:
                # the total is not a secret (it is the sum of visible cells), only unpublished.
                if len(hidden) == 1 and self.items[hidden[0]].published:
                    partner = self._partner(line)
                    if partner is not None:
                        self.items[partner].state = _State.HIDDEN
                        again = changed = True
        return changed

    def _fix(self, pinned: list[int]) -> None:
        """Protect the pinned items: hide one more item in a line of one of them (step 3), else
        show a "<5" of their lines as "x" (step 4)."""
        for index in pinned:
            for number in self.lines_of[index]:
                partner = self._partner(self.lines[number])
                if partner is not None:
                    self.items[partner].state = _State.HIDDEN
                    return
        for index in pinned:
            for number in self.lines_of[index]:
                line = self.lines[number]
                for other in (line.total, *line.members):
                    if self.items[other].state == _State.SMALL:
                        self.items[other].state = _State.HIDDEN
                        return
            if self.items[index].state == _State.SMALL:
                self.items[index].state = _State.HIDDEN
                return
        # Not reached in any case we know of. Should it be: every non-zero figure "x" gives the
        # attacker no finite bound at all, so nothing can be pinned.
        for item in self.items:  # pragma: no cover
            if item.value > 0:
                item.state = _State.HIDDEN

    def run(self) -> None:
        # Every round hides or widens at least one item (VISIBLE -> "x", "<5" -> "x"), so there
        # are at most two rounds per item; the bound only makes that explicit.
        for _ in range(2 * len(self.items) + 2):
            self._simple_pass()
            pinned = _attack(self.items, self.lines)
            if not pinned:
                return
            self._fix(pinned)

    # -- output -------------------------------------------------------------------------------

    def render(self, table: Table, layout: _Layout) -> SuppressedTable:
        def text(index: int) -> str:
            return self.items[index].text()

        both = table.total_row and table.total_column
        return SuppressedTable(
            key=table.key,
            title=table.title,
            row_labels=list(table.row_labels),
            column_labels=list(table.column_labels),
            cells=[[text(index) for index in row] for row in layout.cells],
            row_totals=[text(index) for index in layout.row_totals],
            column_totals=[text(index) for index in layout.column_totals],
            grand_total=text(layout.grand) if both else "",
            note=table.note,
        )


def _bounds(item: _Item) -> tuple[int, int]:
    if not item.hidden:
        return item.value, item.value
    if item.state == _State.SMALL:
        return 1, 4
    return 0, _INF


def _attack(items: list[_Item], lines: list[_Line]) -> list[int]:
    """The hidden items an attacker can pin to one value from the published figures: interval
    propagation over every line of the publication. Returns them in item order. A grand total no
    table shows counts only when it is 1-4 (the number of persons in the publication)."""
    low = [0] * len(items)
    high = [0] * len(items)
    for index, item in enumerate(items):
        low[index], high[index] = _bounds(item)
    for _ in range(_MAX_PASSES):
        narrowed = False
        for line in lines:
            # sum(members) - total = 0: signed terms.
            terms = [(index, 1) for index in line.members] + [(line.total, -1)]
            # Range of the whole signed sum.
            sum_low = sum(low[i] if s > 0 else -high[i] for i, s in terms)
            sum_high = sum(high[i] if s > 0 else -low[i] for i, s in terms)
            for index, sign in terms:
                if not items[index].hidden:
                    continue
                own_low = low[index] if sign > 0 else -high[index]
                own_high = high[index] if sign > 0 else -low[index]
                # sign * x = -(rest), rest in [sum_low - own_low, sum_high - own_high]
                rest_low = sum_low - own_low
                rest_high = sum_high - own_high
                if sign > 0:
                    new_low, new_high = -rest_high, -rest_low
                else:
                    new_low, new_high = rest_low, rest_high
                new_low = max(low[index], new_low)
                # Anything near "unbounded" stays unbounded (no endless creep from _INF down).
                new_high = high[index] if new_high >= _INF // 2 else min(high[index], new_high)
                if new_low > low[index] or new_high < high[index]:
                    # Update the running sums for the later terms of this line.
                    if sign > 0:
                        sum_low += new_low - low[index]
                        sum_high += new_high - high[index]
                    else:
                        sum_low -= new_high - high[index]
                        sum_high -= new_low - low[index]
                    low[index], high[index] = new_low, new_high
                    narrowed = True
        if not narrowed:
            break
    pinned = []
    for index, item in enumerate(items):
        if not item.hidden or low[index] != high[index]:
            continue
        if item.published or 1 <= item.value <= 4:
            pinned.append(index)
    return pinned


def suppress(tables: list[Table]) -> list[SuppressedTable]:
    """The tables of one publication as they may be published: see the module docstring."""
    publication = _Publication(tables)
    publication.run()
    published: list[SuppressedTable] = []
    for position, table in enumerate(tables):
        layout = publication.layouts.get(position)
        if layout is None:
            published.append(_as_is(table))
        else:
            published.append(publication.render(table, layout))
    return published


def _as_is(table: Table) -> SuppressedTable:
    """A table that does not count persons: every figure shown."""
    columns = len(table.column_labels)
    row_sums = [sum(row) for row in table.cells]
    column_sums = [sum(row[c] for row in table.cells) for c in range(columns)]
    return SuppressedTable(
        key=table.key,
        title=table.title,
        row_labels=list(table.row_labels),
        column_labels=list(table.column_labels),
        cells=[[format_count(value) for value in row] for row in table.cells],
        row_totals=[format_count(v) for v in row_sums] if table.total_column else [],
        column_totals=[format_count(v) for v in column_sums] if table.total_row else [],
        grand_total=(format_count(sum(row_sums)) if table.total_row and table.total_column else ""),
        note=table.note,
    )
