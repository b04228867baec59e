"""Small-number suppression (ssp.reports.suppression): the rules on hand-made tables, then an
attacker that tries to recover hidden figures from what is published, over many random tables
and publications. No database."""

from __future__ import annotations

import itertools
import random

import pytest

from ssp.reports.suppression import as_number, format_count, is_suppressed, suppress
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable, Table


def table(
    cells: list[list[int]],
    *,
    total_row: bool = True,
    total_column: bool = False,
    counts_people: bool = True,
    key: str = "t",
) -> Table:
    return Table(
        key=key,
        title=key,
        row_labels=[f"r{r}" for r in range(len(cells))],
        column_labels=[f"c{c}" for c in range(len(cells[0]))],
        cells=cells,
        counts_people=counts_people,
        total_row=total_row,
        total_column=total_column,
    )


def one(t: Table) -> SuppressedTable:
    [published] = suppress([t])
    return published


# -- the rules ------------------------------------------------------------------------------------


def test_small_counts_show_as_less_than_five_and_zero_and_large_show() -> None:
    published = one(table([[0], [1], [4], [5], [12]], total_row=False))
    assert published.cells == [["0"], [SMALL], [SMALL], ["5"], ["12"]]
    assert published.column_totals == []
    assert published.grand_total == ""


def test_nothing_small_nothing_hidden() -> None:
    published = one(table([[5, 7], [9, 0]], total_row=True, total_column=True))
    assert published.cells == [["5", "7"], ["9", "0"]]
    assert published.row_totals == ["12", "9"]
    assert published.column_totals == ["14", "7"]
    assert published.grand_total == "21"


def test_a_single_small_cell_in_a_line_with_a_total_gets_a_partner() -> None:
    # One column, an "I alt" row: the 3 would be 20 - 10 - 7; the smallest other cell (7) goes.
    published = one(table([[3], [10], [7], [0]]))
    assert published.cells == [[SMALL], ["10"], [HIDDEN], ["0"]]
    assert published.column_totals == ["20"]


def test_partner_ties_take_the_first() -> None:
    published = one(table([[2, 8, 8, 9]], total_row=False, total_column=True))
    assert published.cells == [[SMALL, HIDDEN, "8", "9"]]
    assert published.row_totals == ["27"]


def test_a_line_of_zeros_hides_its_total_instead() -> None:
    # Row 0 is 3, 0, 0 with a total 3: the total is "<5" itself (two hidden in the line, and the
    # bounds pin nothing). Row 1 publishes 0 and 0.
    published = one(table([[3, 0], [0, 0]], total_row=False, total_column=True))
    assert published.cells == [[SMALL, "0"], ["0", "0"]]
    assert published.row_totals == [SMALL, "0"]


def test_a_line_whose_other_cells_are_zero_hides_its_total() -> None:
    # Row 0: 3 -> partner 6. Column 1 is then 6 (hidden) and 0 under a total of 6: no non-zero
    # visible cell is left, so its total goes.
    published = one(table([[3, 6], [0, 0]], total_row=True, total_column=True))
    assert published.cells == [[SMALL, HIDDEN], ["0", "0"]]
    assert published.row_totals == ["9", "0"]
    assert published.column_totals == [SMALL, HIDDEN]
    assert published.grand_total == "9"


def test_a_hidden_total_counts_as_hidden_in_the_grand_line() -> None:
    # Row 0 total is 3 ("<5"); in the grand line over the row totals it is alone, so the other
    # row total (13) goes; column 0's 3 is alone, so 6 goes.
    t = table([[3, 0], [6, 7]], total_row=True, total_column=True)
    published = one(t)
    assert published.cells == [[SMALL, "0"], [HIDDEN, "7"]]
    assert published.row_totals == [SMALL, HIDDEN]
    assert published.column_totals == ["9", "7"]
    assert published.grand_total == "16"
    assert recover([published], groups=[[0]], truth=[t]) == []


def test_two_way_partner_creates_a_single_hidden_cell_in_a_column_which_is_resolved() -> None:
    cells = [[2, 6, 20], [9, 8, 30], [10, 11, 12]]
    published = one(table(cells, total_row=True, total_column=True))
    # Row 0: 2 -> partner 6. Column 0: 2 alone -> 9. Column 1: 6 alone -> 8. Row 1: 9, 8 hidden.
    assert published.cells == [
        [SMALL, HIDDEN, "20"],
        [HIDDEN, HIDDEN, "30"],
        ["10", "11", "12"],
    ]
    assert published.row_totals == ["28", "47", "33"]
    assert published.column_totals == ["21", "25", "62"]
    assert published.grand_total == "108"


def test_two_small_cells_whose_sum_gives_them_away_get_more_company() -> None:
    # 1 and 1 under a total of 12 with a visible 10: the hidden pair sums to 2, so both are 1.
    published = one(table([[1], [1], [10]]))
    assert published.cells == [[SMALL], [SMALL], [HIDDEN]]
    assert published.column_totals == ["12"]


def test_a_small_total_is_hidden() -> None:
    published = one(table([[1], [2], [0]]))
    assert published.cells == [[SMALL], [SMALL], ["0"]]
    assert published.column_totals == [SMALL]
    two_way = one(table([[1, 0], [0, 2]], total_row=True, total_column=True))
    assert two_way.row_totals == [SMALL, SMALL]
    assert two_way.column_totals == [SMALL, SMALL]
    assert two_way.grand_total == SMALL


def test_four_ones_under_a_small_total_show_the_total_as_hidden() -> None:
    # 1+1+1+1 = 4: four "<5" under a "<5" total could only be four ones. The total shows "x".
    published = one(table([[1], [1], [1], [1]]))
    assert published.cells == [[SMALL]] * 4
    assert published.column_totals == [HIDDEN]


def test_tables_not_about_persons_are_shown_as_they_are() -> None:
    published = one(table([[1, 3], [0, 2]], total_row=True, total_column=True, counts_people=False))
    assert published.cells == [["1", "3"], ["0", "2"]]
    assert published.row_totals == ["4", "2"]
    assert published.column_totals == ["1", "5"]
    assert published.grand_total == "6"


def test_a_table_of_one_row_is_a_line_too() -> None:
    published = one(table([[3, 12, 40]], total_row=False, total_column=True))
    assert published.cells == [[SMALL, HIDDEN, "40"]]
    assert published.row_totals == ["55"]


def test_the_same_total_in_another_table_cannot_reveal_a_hidden_cell() -> None:
    # Both tables count the same 20 concerns. Table B shows no total, but A shows 20: B's 3
    # would be 20 - 17, so B needs a partner.
    a = table([[12], [8]], key="by_source")
    b = table([[3], [17]], total_row=False, key="by_level")
    published_a, published_b = suppress([a, b])
    assert published_a.cells == [["12"], ["8"]]
    assert published_a.column_totals == ["20"]
    assert published_b.cells == [[SMALL], [HIDDEN]]
    assert recover([published_a, published_b], groups=[[0, 1]], truth=[a, b]) == []


def test_a_hidden_grand_total_is_hidden_in_every_table_that_shows_it() -> None:
    a = table([[1], [1], [1], [1]], key="a")  # the total 4 must show as "x" (see above)
    b = table([[4, 0]], total_row=False, total_column=True, key="b")
    published_a, published_b = suppress([a, b])
    assert published_a.column_totals == [HIDDEN]
    assert published_b.cells == [[SMALL, "0"]]
    assert published_b.row_totals == [HIDDEN]
    assert recover([published_a, published_b], groups=[[0, 1]], truth=[a, b]) == []


def test_suppress_keeps_order_keys_titles_and_notes() -> None:
    a = table([[7]], key="a")
    b = table([[2]], key="b", counts_people=False)
    b.note = "en sag kan have flere sektorer"
    out = suppress([a, b])
    assert [t.key for t in out] == ["a", "b"]
    assert out[1].note == "en sag kan have flere sektorer"
    assert out[0].to_json()["cells"] == [["7"]]
    assert SuppressedTable.from_json(out[0].to_json()) == out[0]


def test_deterministic() -> None:
    t = table([[2, 6, 20], [9, 8, 30]], total_row=True, total_column=True)
    assert suppress([t]) == suppress([t])


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        suppress([table([[-1]])])


def test_format_helpers() -> None:
    assert format_count(12345) == "12345"
    assert is_suppressed(SMALL) and is_suppressed(HIDDEN) and not is_suppressed("0")
    assert as_number("17") == 17
    assert as_number(SMALL) is None and as_number(HIDDEN) is None and as_number("") is None


# -- the attacker ---------------------------------------------------------------------------------

INF = 10**9


class Attack:
    """Everything a reader knows: each published figure, "<5" = 1..4, "x" >= 0, and that the
    tables in a group (same population) have the same grand total. The attacker writes every
    line (total = sum of its parts) and narrows each unknown's interval from each line until
    nothing narrows; `exact` also enumerates every solution when there are few unknowns."""

    def __init__(self) -> None:
        self.low: list[int] = []
        self.high: list[int] = []
        self.known: list[bool] = []
        self.labels: list[str] = []
        self.lines: list[tuple[list[int], int]] = []

    def var(self, text: str | None, label: str) -> int:
        if text is None:
            bounds, known = (0, INF), False
        elif text == SMALL:
            bounds, known = (1, 4), False
        elif text == HIDDEN:
            bounds, known = (0, INF), False
        else:
            bounds, known = (int(text), int(text)), True
        self.low.append(bounds[0])
        self.high.append(bounds[1])
        self.known.append(known)
        self.labels.append(label)
        return len(self.low) - 1

    def line(self, members: list[int], total: int) -> None:
        self.lines.append((members, total))

    def propagate(self) -> None:
        for _ in range(500):
            changed = False
            for members, total in self.lines:
                # total - sum(members) = 0
                for target in [*members, total]:
                    if self.known[target]:
                        continue
                    others = [m for m in members if m != target]
                    if target == total:
                        low = sum(self.low[m] for m in members)
                        high = sum(self.high[m] for m in members)
                    else:
                        low = self.low[total] - sum(self.high[m] for m in others)
                        high = self.high[total] - sum(self.low[m] for m in others)
                    low = max(low, self.low[target])
                    high = min(high, self.high[target])
                    if high > INF // 2:
                        high = self.high[target]
                    assert low <= high, "the attacker's model must admit the truth"
                    if (low, high) != (self.low[target], self.high[target]):
                        self.low[target], self.high[target] = low, high
                        changed = True
            if not changed:
                return

    def pinned(self, published_only: set[int]) -> list[str]:
        return [
            self.labels[i]
            for i in range(len(self.low))
            if not self.known[i] and self.low[i] == self.high[i] and i in published_only
        ]

    def exact(self, unknowns: list[int]) -> list[str]:
        """Enumerate all assignments of the unknowns within their (narrowed) intervals that
        satisfy every line; an unknown with one value in every solution is recovered."""
        ranges = [range(self.low[i], self.high[i] + 1) for i in unknowns]
        values = [int(self.low[i]) for i in range(len(self.low))]
        seen: list[set[int]] = [set() for _ in unknowns]
        for assignment in itertools.product(*ranges):
            for position, i in enumerate(unknowns):
                values[i] = assignment[position]
            if all(values[t] == sum(values[m] for m in ms) for ms, t in self.lines):
                for position, value in enumerate(assignment):
                    seen[position].add(value)
        assert all(seen), "the truth is a solution"
        return [self.labels[i] for i, s in zip(unknowns, seen, strict=True) if len(s) == 1]


def recover(
    published: list[SuppressedTable],
    *,
    groups: list[list[int]],
    truth: list[Table],
    exact: bool = False,
) -> list[str]:
    """The hidden figures an attacker pins down to one value; [] when the publication is safe.
    `groups`: the positions of tables known to have the same grand total."""
    attack = Attack()
    hidden_published: set[int] = set()
    small_grands: set[int] = set()
    grand_of: list[int] = []
    for position, t in enumerate(published):
        rows, columns = len(t.row_labels), len(t.column_labels)
        cells = [
            [attack.var(t.cells[r][c], f"{t.key}[{r}][{c}]") for c in range(columns)]
            for r in range(rows)
        ]
        row_totals = [
            attack.var(text, f"{t.key} row total {r}") for r, text in enumerate(t.row_totals)
        ]
        column_totals = [
            attack.var(text, f"{t.key} column total {c}") for c, text in enumerate(t.column_totals)
        ]
        grand = attack.var(t.grand_total or None, f"{t.key} grand total")
        grand_of.append(grand)
        for index in [*itertools.chain(*cells), *row_totals, *column_totals]:
            if not attack.known[index]:
                hidden_published.add(index)
        if t.grand_total and not attack.known[grand]:
            hidden_published.add(grand)
        true_grand = sum(map(sum, truth[position].cells))
        if 1 <= true_grand <= 4:
            small_grands.add(grand)  # the number of persons: never to be pinned
        for r, total in enumerate(row_totals):
            attack.line(cells[r], total)
        for c, total in enumerate(column_totals):
            attack.line([cells[r][c] for r in range(rows)], total)
        if row_totals:
            attack.line(row_totals, grand)
        if column_totals:
            attack.line(column_totals, grand)
        attack.line(list(itertools.chain(*cells)), grand)
    for group in groups:
        for position in group[1:]:
            attack.line([grand_of[group[0]]], grand_of[position])
    attack.propagate()
    watched = hidden_published | small_grands
    found = attack.pinned(watched)
    if exact and not found:
        unknowns = [i for i in range(len(attack.low)) if not attack.known[i]]
        if all(attack.high[i] < INF // 2 for i in unknowns):
            size = 1
            for i in unknowns:
                size *= attack.high[i] - attack.low[i] + 1
            if size <= 200_000:
                found = [
                    label
                    for label in attack.exact(unknowns)
                    if label in {attack.labels[i] for i in watched}
                ]
    return found


def groups_of(tables: list[Table]) -> list[list[int]]:
    by_total: dict[int, list[int]] = {}
    for position, t in enumerate(tables):
        if t.counts_people:
            by_total.setdefault(sum(map(sum, t.cells)), []).append(position)
    return list(by_total.values())


def random_table(rng: random.Random, key: str) -> Table:
    rows, columns = rng.randint(1, 5), rng.randint(1, 5)
    high = rng.choice([4, 6, 9, 15, 30])
    cells = [
        [rng.choice([0, rng.randint(1, 4), rng.randint(0, high)]) for _ in range(columns)]
        for _ in range(rows)
    ]
    return table(
        cells,
        total_row=rng.random() < 0.7,
        total_column=rng.random() < 0.5,
        key=key,
    )


def check_primary(t: Table, published: SuppressedTable) -> None:
    for r, row in enumerate(t.cells):
        for c, value in enumerate(row):
            text = published.cells[r][c]
            if value == 0:
                assert text == "0"
            elif value <= 4:
                assert text in (SMALL, HIDDEN)
            else:
                assert text in (str(value), HIDDEN)


def test_the_attacker_recovers_from_an_unsuppressed_table() -> None:
    """The attacker works: a naive publication (only primary) gives the small cell away."""
    naive = SuppressedTable(
        key="naive",
        title="",
        row_labels=["a", "b"],
        column_labels=["n"],
        cells=[[SMALL], ["10"]],
        column_totals=["13"],
    )
    assert recover([naive], groups=[[0]], truth=[table([[3], [10]])]) == ["naive[0][0]"]
    pair = SuppressedTable(
        key="pair",
        title="",
        row_labels=["a", "b", "c"],
        column_labels=["n"],
        cells=[[SMALL], [SMALL], ["10"]],
        column_totals=["12"],
    )
    assert recover([pair], groups=[[0]], truth=[table([[1], [1], [10]])]) == [
        "pair[0][0]",
        "pair[1][0]",
    ]


@pytest.mark.parametrize("seed", range(10))
def test_no_hidden_figure_can_be_recovered_from_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    for n in range(50):  # 10 x 50 = 500 tables
        t = random_table(rng, f"s{seed}n{n}")
        [published] = suppress([t])
        check_primary(t, published)
        assert recover([published], groups=[[0]], truth=[t], exact=True) == [], (t, published)


@pytest.mark.parametrize("seed", range(5))
def test_no_hidden_figure_can_be_recovered_across_a_publication(seed: int) -> None:
    """Publications of several tables, some counting the same population (equal totals, like
    the concerns by source, by level, by age band)."""
    rng = random.Random(1000 + seed)
    for _ in range(30):
        tables: list[Table] = []
        population = rng.randint(0, 30)
        for k in range(rng.randint(2, 5)):
            if rng.random() < 0.6 and population:
                # Split the same population over 1-5 rows (one column), shown with or without
                # its total.
                parts = rng.randint(1, 5)
                cuts = sorted(rng.randint(0, population) for _ in range(parts - 1))
                column = [b - a for a, b in zip([0, *cuts], [*cuts, population], strict=True)]
                tables.append(
                    table([[v] for v in column], total_row=rng.random() < 0.7, key=f"p{k}")
                )
            else:
                tables.append(random_table(rng, f"p{k}"))
        published = suppress(tables)
        for t, p in zip(tables, published, strict=True):
            check_primary(t, p)
        assert recover(published, groups=groups_of(tables), truth=tables) == [], tables


def test_a_table_without_small_numbers_or_totals_is_shown_as_it_is() -> None:
    """No total is published, nothing is 1-4: there is nothing to protect (the dashboard)."""
    table = Table(
        key="quarters",
        title="Kvartaler",
        row_labels=["1. kvartal", "2. kvartal", "3. kvartal", "4. kvartal"],
        column_labels=["I år", "Sidste år"],
        cells=[[5, 0], [0, 0], [0, 6], [0, 0]],
        total_row=False,
    )
    (published,) = suppress([table])
    assert published.cells == [["5", "0"], ["0", "0"], ["0", "6"], ["0", "0"]]
