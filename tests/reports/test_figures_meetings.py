"""R8: the annual report's meeting figures (`ssp.reports.figures.meetings`), checked against a
fixture built here with literal expected numbers: meetings held per forum in the year, the
decisions made at them, and their tasks done on time, late or not done; planned and cancelled
meetings, other years and another municipality are not counted; ad hoc groups are one row; the
number of queries does not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    MeetingTask,
    MeetingTaskStatus,
)
from ssp.organisation.models import (
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Municipality,
    PoliceDistrict,
)
from ssp.reports.figures import meetings
from ssp.reports.tables import Table

pytestmark = pytest.mark.django_db

YEAR = 2023
LOCAL = ZoneInfo("Europe/Copenhagen")
_serial = count(1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LOCAL)


@dataclass
class Place:
    municipality: Municipality
    member: Member


def place(name: str) -> Place:
    n = next(_serial)
    district = PoliceDistrict.objects.create(name=f"Kreds {name} {n}", slug=f"mkreds-{n}")
    municipality = Municipality.objects.create(
        name=f"{name} {n}", slug=f"moeder-{n}", police_district=district
    )
    member = Member.objects.create(municipality=municipality, name="Koordinator", sector="buf")
    return Place(municipality, member)


def forum(p: Place, name: str, kind: str = ForumType.LOKALGRUPPE) -> Forum:
    return Forum.objects.create(
        municipality=p.municipality,
        key=f"forum-{next(_serial)}",
        name=name,
        forum_type=kind,
        level=ForumLevel.OPERATIONAL,
        cadence=Cadence.MONTHLY,
    )


def meeting(of: Forum, starts: datetime, status: str = MeetingStatus.HELD) -> Meeting:
    return Meeting.objects.create(forum=of, starts_at=starts, ends_at=starts, status=status)


def item(at_meeting: Meeting, decision: str = "Vedtaget") -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=at_meeting, position=next(_serial), title="Punkt", decision=decision
    )


def task(
    p: Place,
    on: AgendaItem,
    *,
    due: date | None = None,
    done: datetime | None = None,
    done_without_event: bool = False,
) -> MeetingTask:
    made = MeetingTask.objects.create(
        item=on,
        owner=p.member,
        description="Følg op",
        due_date=due,
        status=MeetingTaskStatus.DONE if done or done_without_event else MeetingTaskStatus.OPEN,
    )
    if done is not None:
        # As `meetings.services.complete_meeting_task` records it.
        with mock.patch("django.utils.timezone.now", return_value=done):
            record_event(
                actor=None,
                action=AuditAction.DECISION_TASK_DONE,
                obj=on.meeting,
                municipality_id=p.municipality.pk,
                data={"task": made.pk},
            )
    return made


@pytest.fixture
def place_of_the_year() -> Place:
    p = place("Møder")
    steering = forum(p, "Styregruppen", ForumType.STYREGRUPPE)
    nord = forum(p, "Lokalgruppe Nord")
    adhoc = forum(p, "Ad hoc handlegruppe om sag 17", ForumType.ADHOC)
    forum(p, "Lokalgruppe Syd")  # no meetings: no row

    first = meeting(steering, at(2023, 1, 10))
    with_decision = item(first)
    item(first, decision="")  # no decision
    task(p, with_decision, due=date(2023, 3, 1), done=at(2023, 2, 20))  # on time
    task(p, with_decision, due=date(2023, 3, 1), done=at(2023, 3, 1, 23))  # on the day: on time
    task(p, with_decision, due=date(2023, 3, 1), done=at(2023, 3, 5))  # late
    second = meeting(steering, at(2023, 4, 10))
    decided = item(second)
    item(second)
    task(p, decided, done=at(2023, 9, 1))  # no deadline: on time
    task(p, decided, due=date(2023, 5, 1))  # not done
    meeting(steering, at(2023, 12, 31, 22))  # late on New Year's Eve, local time

    nord_meeting = meeting(nord, at(2023, 6, 1))
    task(p, item(nord_meeting), due=date(2023, 6, 15), done_without_event=True)  # on time
    adhoc_meeting = meeting(adhoc, at(2023, 9, 1))
    task(p, item(adhoc_meeting), due=date(2023, 9, 15))  # not done

    # Not counted: planned, cancelled, other years, another municipality.
    task(p, item(meeting(steering, at(2023, 11, 1), MeetingStatus.PLANNED)), due=date(2023, 1, 1))
    item(meeting(nord, at(2023, 5, 1), MeetingStatus.CANCELLED))
    task(p, item(meeting(steering, at(2022, 12, 31, 12))), done=at(2023, 1, 2))
    item(meeting(nord, at(2024, 1, 1, 1)))
    other = place("Andenby")
    item(meeting(forum(other, "Styregruppen", ForumType.STYREGRUPPE), at(2023, 3, 1)))
    return p


def as_rows(table: Table) -> dict[str, list[int]]:
    return dict(zip(table.row_labels, table.cells, strict=True))


def test_it_counts_meetings_decisions_and_tasks_per_forum(place_of_the_year: Place) -> None:
    table = meetings.by_forum(place_of_the_year.municipality.pk, YEAR)
    assert table.column_labels == [
        "Møder afholdt",
        "Beslutninger",
        "Opgaver udført til tiden",
        "Opgaver udført for sent",
        "Opgaver ikke udført",
    ]
    assert as_rows(table) == {
        "Styregruppen": [3, 3, 3, 1, 1],
        "Lokalgruppe Nord": [1, 1, 1, 0, 0],
        "Ad hoc handlegrupper": [1, 1, 0, 0, 1],
    }
    assert table.counts_people is False


def test_an_ad_hoc_groups_name_is_never_published(place_of_the_year: Place) -> None:
    table = meetings.by_forum(place_of_the_year.municipality.pk, YEAR)
    assert not any("sag 17" in label for label in table.row_labels)


def test_it_bounds_the_fora_and_puts_the_rest_in_one_row(place_of_the_year: Place) -> None:
    with mock.patch.object(meetings, "ROWS_MAX", 1):
        table = meetings.by_forum(place_of_the_year.municipality.pk, YEAR)
    assert as_rows(table) == {
        "Styregruppen": [3, 3, 3, 1, 1],
        "Øvrige fora": [1, 1, 1, 0, 0],
        "Ad hoc handlegrupper": [1, 1, 0, 0, 1],
    }


def test_a_year_without_meetings_has_the_ad_hoc_row_only() -> None:
    p = place("Stille")
    assert as_rows(meetings.by_forum(p.municipality.pk, YEAR)) == {
        "Ad hoc handlegrupper": [0, 0, 0, 0, 0]
    }


def test_the_number_of_queries_does_not_grow_with_the_rows(place_of_the_year: Place) -> None:
    municipality_id = place_of_the_year.municipality.pk
    with CaptureQueriesContext(connection) as before:
        meetings.tables(municipality_id, YEAR)
    for number in range(5):
        more = forum(place_of_the_year, f"Lokalråd {number}")
        for month in (2, 3):
            decided = item(meeting(more, at(2023, month, 1 + number)))
            task(place_of_the_year, decided, due=date(2023, 8, 1), done=at(2023, 7, 1))
    with CaptureQueriesContext(connection) as after:
        tables = meetings.tables(municipality_id, YEAR)
    assert len(after) == len(before)
    assert as_rows(tables[0])["Lokalråd 4"] == [2, 2, 2, 0, 0]
