"""The 14-day counts (Fredericia) follow the rule of every published figure: SSP staff see their
team's figures as they are; the steering group's politicians see 1-4 as "<5" and whatever could
reveal one as "x", on the page and in the CSV and Excel files."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import load_workbook

from ssp import access
from ssp.cases.models import Concern, ConcernSource, ConcernSubject
from ssp.organisation.models import Municipality
from ssp.police.selectors import (
    CountTable,
    concern_counts,
    last_completed_period_end,
    published_counts,
)
from ssp.reports.tables import HIDDEN, SMALL


def _raise(m: Municipality, user: User, day: date, number: int) -> None:
    when = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_current_timezone())
    for _ in range(number):
        made = Concern.objects.create(
            municipality=m,
            subject=ConcernSubject.GROUP,
            source=ConcernSource.STAFF,
            description="x",
            raised_by=user,
        )
        Concern.objects.filter(pk=made.pk).update(raised_at=when)


def _only_these(m: Municipality, users: dict[str, User]) -> tuple[str, str]:
    """Mette Holm (the coordinator) passed on 7 concerns in the period before the last completed
    one and 2 in the last completed one; the two periods' labels (as politicians see them)."""
    Concern.objects.filter(raised_by=users["koordinator"]).delete()
    today = timezone.localdate()
    end = last_completed_period_end(today, 14)
    _raise(m, users["koordinator"], end, 2)
    _raise(m, users["koordinator"], end - timedelta(days=14), 7)
    table = concern_counts(access.get_actor(users["politiker"]), periods=2, today=today)
    (s1, e1), (s2, e2) = table.periods
    return f"{s1:%d.%m}-{e1:%d.%m.%Y}", f"{s2:%d.%m}-{e2:%d.%m.%Y}"


def test_staff_see_the_counts_as_they_are_and_politicians_suppressed(
    demo: Municipality, users: dict[str, User]
) -> None:
    table = CountTable(
        periods=[(date(2026, 11, 3), date(2026, 11, 16)), (date(2026, 11, 17), date(2026, 11, 30))],
        rows=[("Mette Holm", [7, 2]), ("Jonas Berg", [6, 9])],
    )
    staff = published_counts(access.get_actor(users["koordinator"]), table)
    assert staff.column_labels == ["03.11-16.11.2026", "17.11-30.11.2026"]
    assert staff.cells == [["7", "2"], ["6", "9"]]
    assert staff.column_totals == ["13", "11"]

    politician = published_counts(access.get_actor(users["politiker"]), table)
    assert politician.row_labels == ["Mette Holm", "Jonas Berg"]
    # The 2 is "<5"; with the period's total shown, 11 - 9 would give it away: a second cell of
    # the period is hidden too. The other period has nothing to hide.
    assert politician.cells[0][1] == SMALL
    assert politician.cells[1][1] == HIDDEN
    assert politician.column_totals == ["13", "11"]
    assert [politician.cells[0][0], politician.cells[1][0]] == ["7", "6"]


def test_the_politicians_page_and_files_never_show_a_count_from_1_to_4(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    earlier, current = _only_these(demo, users)
    politician = client_for("politiker")
    html = politician.get("/optaelling/").content.decode()
    assert "Mette Holm" in html and "vises som &lt;5" in html
    row = html.split("Mette Holm</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>&lt;5</td>" in row
    assert "<td>2</td>" not in row

    sheet = load_workbook(io.BytesIO(politician.get("/optaelling/?format=xlsx").content)).active
    assert sheet is not None
    values = {str(row_[0].value): [cell.value for cell in row_[1:]] for row_ in sheet.iter_rows()}
    assert values["Mette Holm"][-1] == SMALL
    csv_text = politician.get("/optaelling/?format=csv").content.decode("utf-8-sig")
    mette = next(line for line in csv_text.splitlines() if line.startswith("Mette Holm"))
    assert mette.split(";")[-1] == SMALL

    assert current in html and earlier in html
    staff = concern_counts(access.get_actor(users["koordinator"]))
    assert staff.periods[-1][1] == timezone.localdate()
    assert sorted(n for n in dict(staff.rows)["Mette Holm"] if n) == [2, 7]


def test_politicians_see_completed_fixed_periods_and_staff_see_today(
    demo: Municipality, users: dict[str, User]
) -> None:
    politician = access.get_actor(users["politiker"])
    table = concern_counts(politician, periods=3, today=date(2026, 12, 2))
    assert table.periods == [
        (date(2026, 10, 19), date(2026, 11, 1)),
        (date(2026, 11, 2), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 29)),
    ]
    # The first day of a period: the period before ended yesterday and is the last one shown.
    assert concern_counts(politician, periods=3, today=date(2026, 11, 30)).periods == table.periods
    # The last day of a period: that period is not complete yet.
    assert concern_counts(politician, periods=1, today=date(2026, 11, 29)).periods == [
        (date(2026, 11, 2), date(2026, 11, 15))
    ]
    # From one day to the next the windows stay put: no day can be subtracted out.
    assert concern_counts(politician, periods=3, today=date(2026, 12, 13)).periods == table.periods
    assert concern_counts(politician, periods=1, today=date(2026, 12, 14)).periods == [
        (date(2026, 11, 30), date(2026, 12, 13))
    ]
    assert last_completed_period_end(date(2024, 1, 15), 14) == date(2024, 1, 14)
    assert last_completed_period_end(date(2024, 1, 14), 14) == date(2023, 12, 31)
    staff = concern_counts(
        access.get_actor(users["koordinator"]), periods=2, today=date(2026, 12, 2)
    )
    assert staff.periods == [
        (date(2026, 11, 5), date(2026, 11, 18)),
        (date(2026, 11, 19), date(2026, 12, 2)),
    ]
