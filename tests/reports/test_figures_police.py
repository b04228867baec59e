"""R8: the annual report's figures from the police lists (`ssp.reports.figures.police`),
checked against a fixture built here with literal expected numbers: rows of the year counted,
rows of other years and of another municipality not; the number of queries does not grow with
the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssp.cases.models import Concern, ConcernSource, ConcernSubject, YoungPerson
from ssp.organisation.models import Municipality, PoliceDistrict, Unit, UnitKind
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    HotSpot,
    HotSpotStatus,
    NetworkCouncil,
    PoliceReport,
    Routing,
)
from ssp.reports.figures import police
from ssp.reports.tables import Table

pytestmark = pytest.mark.django_db

YEAR = 2023
LOCAL = ZoneInfo("Europe/Copenhagen")
_serial = count(1)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL)


@dataclass
class Place:
    municipality: Municipality
    user: User
    school: Unit
    young: YoungPerson


def place(name: str) -> Place:
    n = next(_serial)
    district = PoliceDistrict.objects.create(name=f"Kreds {name} {n}", slug=f"kreds-{n}-{name}")
    municipality = Municipality.objects.create(
        name=f"{name} {n}",
        slug=f"{name.lower()}-{n}",
        police_district=district,
        rules={"absence_threshold_percent": 15},
    )
    school = Unit.objects.create(
        municipality=municipality, name="Skolen", slug="skolen", kind=UnitKind.SCHOOL, sector="buf"
    )
    young = YoungPerson.objects.create(
        municipality=municipality, first_name="Ung", last_name="A", birth_date=date(2009, 1, 1)
    )
    user = User.objects.create(username=f"police-figures-{n}")
    return Place(municipality, user, school, young)


def report(p: Place, received: date, routing: str = "") -> PoliceReport:
    return PoliceReport.objects.create(
        municipality=p.municipality,
        young_person=p.young,
        incident_at=at(received.year, received.month, received.day, 1),
        offence_text="Tyveri",
        police_reference=f"ref-{next(_serial)}",
        received_on=received,
        routing=routing,
        created_by=p.user,
    )


def deadline(p: Place, kind: str, due: date, met: date | None = None) -> Deadline:
    return Deadline.objects.create(
        municipality=p.municipality,
        kind=kind,
        young_person=p.young,
        starts_on=date(due.year, due.month, 1),
        due_on=due,
        met_on=met,
    )


def council(p: Place, on: Deadline, meeting: datetime, late_reason: str = "") -> None:
    NetworkCouncil.objects.create(
        municipality=p.municipality,
        young_person=p.young,
        deadline=on,
        meeting_at=meeting,
        late_reason=late_reason,
        created_by=p.user,
    )


def absence(p: Place, pupil: str, month: date, percent: str) -> None:
    AbsenceRecord.objects.create(
        municipality=p.municipality,
        school=p.school,
        class_name="7.a",
        cpr_encrypted="x",
        cpr_index=pupil,
        birth_date=date(2010, 1, 1),
        month=month,
        total_percent=Decimal(percent),
        unauthorised_percent=Decimal("1.0"),
    )


def absence_concern(p: Place, raised: datetime) -> None:
    made = Concern.objects.create(
        municipality=p.municipality,
        subject=ConcernSubject.PERSON,
        young_person=p.young,
        source=ConcernSource.ABSENCE,
        description="x",
        raised_by=p.user,
    )
    Concern.objects.filter(pk=made.pk).update(raised_at=raised)  # auto_now_add


def hot_spot(p: Place, status: str, start: date, end: date | None = None) -> None:
    HotSpot.objects.create(
        municipality=p.municipality,
        name="Stedet",
        address="Vejen 1",
        period_start=start,
        period_end=end,
        description="x",
        status=status,
        created_by=p.user,
    )


def build(p: Place, tag: str = "") -> None:
    """The fixture of the year (and around it) whose figures the tests below spell out; `tag`
    tells the pupils of a second build apart."""
    # Police reports, by the day received.
    report(p, date(2023, 1, 5), Routing.SOCIAL_WORKER)
    report(p, date(2023, 6, 1), Routing.LOCAL_GROUP)
    report(p, date(2023, 6, 2), Routing.LOCAL_GROUP)
    report(p, date(2023, 12, 31))
    report(p, date(2022, 12, 31), Routing.OTHER)
    report(p, date(2024, 1, 1), Routing.OTHER)
    # Deadlines, by the day they fall due.
    deadline(p, DeadlineKind.FAMILY_MEETING, date(2023, 2, 10), date(2023, 2, 9))
    deadline(p, DeadlineKind.FAMILY_MEETING, date(2023, 3, 10), date(2023, 3, 12))
    deadline(p, DeadlineKind.FAMILY_MEETING, date(2023, 12, 29))
    deadline(p, DeadlineKind.FAMILY_MEETING, date(2022, 12, 30), date(2023, 1, 3))
    # Called in time, but it meets after the deadline: late (with its reason).
    late = deadline(p, DeadlineKind.NETWORK_COUNCIL, date(2023, 4, 7), date(2023, 4, 3))
    council(p, late, at(2023, 4, 12, 10), late_reason="Familien kunne ikke før")
    on_time = deadline(p, DeadlineKind.NETWORK_COUNCIL, date(2023, 5, 5), date(2023, 5, 1))
    council(p, on_time, at(2023, 5, 5, 10))
    deadline(p, DeadlineKind.NETWORK_COUNCIL, date(2023, 6, 6))
    deadline(p, DeadlineKind.PLAN_REVISION, date(2023, 7, 7), date(2023, 7, 1))
    # Absence: pupil a twice over the threshold (one pupil), b on it, c under it, d last year.
    absence(p, "a" + tag, date(2023, 1, 1), "20.0")
    absence(p, "a" + tag, date(2023, 2, 1), "25.0")
    absence(p, "b" + tag, date(2023, 3, 1), "15.0")
    absence(p, "c" + tag, date(2023, 4, 1), "10.0")
    absence(p, "d" + tag, date(2022, 12, 1), "30.0")
    absence_concern(p, at(2023, 3, 15))
    absence_concern(p, at(2024, 1, 1, 0, 30))
    # Hot spots whose period touches the year.
    hot_spot(p, HotSpotStatus.ACTIVE, date(2023, 3, 1))
    hot_spot(p, HotSpotStatus.CLOSED, date(2022, 1, 1), date(2023, 1, 1))
    hot_spot(p, HotSpotStatus.CLOSED, date(2021, 1, 1), date(2022, 12, 31))
    hot_spot(p, HotSpotStatus.MONITORING, date(2024, 1, 1))
    hot_spot(p, HotSpotStatus.MONITORING, date(2020, 1, 1))


def build_elsewhere() -> None:
    """Another municipality's rows of the same year: never counted."""
    other = place("Andet")
    report(other, date(2023, 5, 5), Routing.SOCIAL_WORKER)
    deadline(other, DeadlineKind.FAMILY_MEETING, date(2023, 5, 5), date(2023, 5, 5))
    absence(other, "e", date(2023, 5, 1), "50.0")
    absence_concern(other, at(2023, 5, 5))
    hot_spot(other, HotSpotStatus.ACTIVE, date(2023, 1, 1))


@pytest.fixture
def figures() -> dict[str, Table]:
    p = place("Politiby")
    build(p)
    build_elsewhere()
    return {table.key: table for table in police.tables(p.municipality.pk, YEAR)}


def test_it_counts_the_deadlines_met_late_and_not_yet(figures: dict[str, Table]) -> None:
    table = figures["deadlines"]
    assert table.row_labels == [
        "Møde med familien aftalt",
        "Netværkssamråd",
        "Revision af handleplan efter ny alvorlig kriminalitet",
    ]
    assert table.column_labels == ["Overholdt", "For sent", "Ikke mødt endnu"]
    assert table.cells == [[1, 1, 1], [1, 1, 1], [1, 0, 0]]
    assert table.total_row and table.total_column and table.counts_people
    assert "tælles ikke op" in table.note


def test_it_counts_the_police_reports_of_the_year_by_route(figures: dict[str, Table]) -> None:
    table = figures["police_reports_by_route"]
    assert table.row_labels == [
        "Socialrådgiver (myndighedsopgave)",
        "Lokalgruppen (skolebørn)",
        "Andre (fx UU-vejleder, opsøgende medarbejder)",
        "Ikke fordelt endnu",
    ]
    assert table.cells == [[1], [2], [0], [1]]
    assert table.total_row


def test_it_counts_worrying_absence(figures: dict[str, Table]) -> None:
    """The concerns raised from absence are the concerns by source's "Fravær" row only: one
    figure in two tables could be hidden in one and shown in the other."""
    table = figures["absence"]
    assert table.row_labels == ["Elever med fravær over kommunens grænse i mindst én måned"]
    assert table.cells == [[2]]
    assert not table.total_row


def test_it_counts_the_hot_spots_of_the_year_by_status_unsuppressed(
    figures: dict[str, Table],
) -> None:
    table = figures["hot_spots"]
    assert table.row_labels == ["Aktiv", "Holdes øje med", "Afsluttet"]
    assert table.cells == [[1], [1], [1]]
    assert not table.counts_people


def test_the_tables_have_stable_keys_in_the_report_order(figures: dict[str, Table]) -> None:
    assert list(figures) == ["deadlines", "police_reports_by_route", "absence", "hot_spots"]


def test_a_municipality_without_data_gets_zeros() -> None:
    p = place("Tomby")
    tables = police.tables(p.municipality.pk, YEAR)
    assert all(cell == 0 for table in tables for row in table.cells for cell in row)


def test_the_number_of_queries_does_not_grow_with_the_rows() -> None:
    p = place("Vokseby")
    build(p)
    with CaptureQueriesContext(connection) as few:
        police.tables(p.municipality.pk, YEAR)
    for tag in ("1", "2", "3"):
        build(p, tag)
    with CaptureQueriesContext(connection) as many:
        tables = {t.key: t for t in police.tables(p.municipality.pk, YEAR)}
    assert tables["police_reports_by_route"].cells == [[4], [8], [0], [4]]
    assert tables["absence"].cells == [[8]]
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 6
