"""R8: the annual report's figures from concerns and cases (`ssp.reports.figures.cases`),
checked against a fixture built here with literal expected numbers: rows of the year counted,
rows of other years and of another municipality not; the number of queries does not grow with
the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    Level,
    Outcome,
    YoungPerson,
)
from ssp.organisation.models import (
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Municipality,
    PoliceDistrict,
    SchoolDistrict,
    Sector,
)
from ssp.reports.figures import cases
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
    team: Forum
    nord_forum: Forum
    nord: SchoolDistrict
    syd: SchoolDistrict
    member: Member


def place(name: str) -> Place:
    n = next(_serial)
    district = PoliceDistrict.objects.create(name=f"Kreds {name} {n}", slug=f"kreds-{n}-{name}")
    municipality = Municipality.objects.create(
        name=f"{name} {n}", slug=f"{name.lower()}-{n}", police_district=district
    )
    nord = SchoolDistrict.objects.create(municipality=municipality, name="Nord", slug="nord")
    syd = SchoolDistrict.objects.create(municipality=municipality, name="Syd", slug="syd")
    common = {
        "municipality": municipality,
        "level": ForumLevel.OPERATIONAL,
        "cadence": Cadence.MONTHLY,
    }
    team = Forum.objects.create(
        key="team", name="SSP-team", forum_type=ForumType.SSP_TEAM, **common
    )
    nord_forum = Forum.objects.create(
        key="nord",
        name="Lokalgruppe Nord",
        forum_type=ForumType.LOKALGRUPPE,
        school_district=nord,
        **common,
    )
    user = User.objects.create(username=f"figures-{n}")
    member = Member.objects.create(municipality=municipality, name="Koordinator", sector="buf")
    return Place(municipality, user, team, nord_forum, nord, syd, member)


def person(p: Place, born: date, district: SchoolDistrict | None = None) -> YoungPerson:
    return YoungPerson.objects.create(
        municipality=p.municipality,
        first_name="Ung",
        last_name=str(next(_serial)),
        birth_date=born,
        school_district=district,
    )


def concern(
    p: Place,
    raised: datetime,
    *,
    young: YoungPerson | None = None,
    source: str = ConcernSource.STAFF,
    level: str = Level.YELLOW,
    status: str = ConcernStatus.NEW,
    forum: Forum | None = None,
    case: Case | None = None,
) -> Concern:
    made = Concern.objects.create(
        municipality=p.municipality,
        subject=ConcernSubject.PERSON if young else ConcernSubject.GROUP,
        young_person=young,
        source=source,
        description="x",
        level=level,
        status=status,
        forum=forum,
        case=case,
        raised_by=p.user,
    )
    Concern.objects.filter(pk=made.pk).update(raised_at=raised)  # auto_now_add
    return made


def case(
    p: Place,
    young: YoungPerson,
    opened: datetime,
    closed: datetime | None = None,
    outcome: str = "",
    sectors: list[str] | None = None,
) -> Case:
    made = Case.objects.create(
        municipality=p.municipality,
        young_person=young,
        level=Level.RED,
        forum=p.team,
        opened_by=p.user,
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
        closed_at=closed,
        evaluation_outcome=outcome,
        evaluation_sectors=sectors or [],
    )
    Case.objects.filter(pk=made.pk).update(opened_at=opened)
    return made


def agreement(p: Place, on: Case, created: datetime) -> None:
    made = ActionAgreement.objects.create(
        case=on,
        first_action="x",
        coordinator=p.member,
        contact_person=p.member,
        follow_up_date=created.date(),
        created_by=p.user,
    )
    ActionAgreement.objects.filter(pk=made.pk).update(created_at=created)


def event(p: Place, action: AuditAction, when: datetime, obj: Any = None) -> None:
    with mock.patch("django.utils.timezone.now", return_value=when):
        record_event(actor=None, action=action, obj=obj, municipality_id=p.municipality.pk)


def build(p: Place) -> None:
    """The fixture of the year (and around it) whose figures the tests below spell out."""
    p1 = person(p, date(2010, 6, 15), p.nord)
    p2 = person(p, date(2008, 3, 1), p.syd)
    p3 = person(p, date(2006, 1, 1))
    p4 = person(p, date(2000, 1, 1))
    # Cases.
    c1 = case(p, p1, at(2023, 6, 20))
    case(p, p2, at(2022, 5, 1), at(2023, 3, 1), Outcome.IMPROVED, ["police", "buf"])
    c3 = case(p, p3, at(2023, 2, 1), at(2023, 11, 1), Outcome.UNCHANGED, ["buf"])
    c4 = case(p, p4, at(2021, 1, 1), at(2022, 6, 1), Outcome.WORSE, ["sof"])
    case(p, p4, at(2023, 10, 10), at(2024, 1, 5), Outcome.WORSE, ["sof"])
    case(p, p1, at(2024, 2, 2))
    case(p, p2, at(2023, 1, 10), at(2023, 1, 20), Outcome.HANDED_OVER, [])
    # Concerns of the year: 1 a day before the 13th birthday (12), 2 on it (13).
    concern(p, at(2023, 6, 14), young=p1)
    concern(
        p,
        at(2023, 6, 15),
        young=p1,
        source=ConcernSource.POLICE,
        level=Level.RED,
        status=ConcernStatus.CASE_OPENED,
        case=c1,
    )
    concern(
        p,
        at(2023, 2, 1),
        young=p2,
        source=ConcernSource.TIP,
        level=Level.GREEN,
        status=ConcernStatus.DROPPED,
    )
    # The last evening of the year (local time), 17 until the 1 January birthday; routed.
    routed = concern(
        p, at(2023, 12, 31, 23, 30), young=p3, source=ConcernSource.ABSENCE, forum=p.nord_forum
    )
    event(p, AuditAction.CONCERN_ROUTED, at(2023, 12, 31, 23, 40), routed)
    concern(
        p, at(2023, 9, 1), source=ConcernSource.WORKSHEET, level=Level.GREEN, forum=p.nord_forum
    )
    concern(p, at(2023, 3, 3), level=Level.GREEN)
    concern(p, at(2023, 4, 4), young=p4, level=Level.RED)
    # Concerns of other years (local time at the edges).
    concern(p, at(2022, 12, 31, 23, 30), young=p1, source=ConcernSource.TIP)
    concern(p, at(2024, 1, 1, 0, 30), young=p1, source=ConcernSource.TIP)
    # Agreements, escalations and ad hoc groups.
    agreement(p, c1, at(2023, 7, 1))
    agreement(p, c3, at(2023, 3, 1))
    agreement(p, c4, at(2022, 1, 1))
    event(p, AuditAction.CASE_ESCALATED, at(2023, 8, 8), c1)
    event(p, AuditAction.CASE_ESCALATED, at(2024, 1, 2), c1)
    event(p, AuditAction.ADHOC_GROUP_CREATED, at(2023, 5, 5), p.team)
    event(p, AuditAction.ADHOC_GROUP_CREATED, at(2023, 5, 6), p.team)


def build_elsewhere() -> None:
    """Another municipality's rows of the same year: never counted."""
    other = place("Andet")
    young = person(other, date(2010, 1, 1), other.nord)
    closed = case(other, young, at(2023, 2, 2), at(2023, 5, 5), Outcome.IMPROVED, ["buf"])
    concern(other, at(2023, 5, 5), young=young, status=ConcernStatus.DROPPED)
    agreement(other, closed, at(2023, 5, 5))
    event(other, AuditAction.CASE_ESCALATED, at(2023, 6, 6), closed)


@pytest.fixture
def figures() -> dict[str, Table]:
    p = place("Figurby")
    build(p)
    build_elsewhere()
    return {table.key: table for table in cases.tables(p.municipality.pk, YEAR)}


def column(table: Table) -> list[int]:
    return [row[0] for row in table.cells]


def test_it_counts_the_concerns_of_the_year_by_source(figures: dict[str, Table]) -> None:
    table = figures["concerns_by_source"]
    assert table.row_labels == [
        "Medarbejders iagttagelse",
        "Politianmeldelse",
        "Henvendelse fra borger eller netværk",
        "Fravær",
        "Skolens arbejdsark",
    ]
    assert table.column_labels == ["Antal"]
    assert column(table) == [3, 1, 1, 1, 1]
    assert table.total_row and table.counts_people


def test_it_counts_the_concerns_by_level(figures: dict[str, Table]) -> None:
    table = figures["concerns_by_level"]
    assert table.row_labels == [
        "Grøn – generel forebyggelse",
        "Gul – specifik forebyggelse",
        "Rød – individorienteret forebyggelse",
    ]
    assert column(table) == [3, 2, 2]


def test_it_counts_the_concerns_by_age_at_raising(figures: dict[str, Table]) -> None:
    table = figures["concerns_by_age"]
    assert table.row_labels == [
        "0-9 år",
        "10-12 år",
        "13-14 år",
        "15-17 år",
        "18+ år",
        "Ukendt alder (fødselsdato ukendt)",
        "Ukendt alder (gruppe, sted)",
    ]
    assert column(table) == [0, 1, 2, 1, 1, 0, 2]


def test_it_counts_the_concerns_by_school_district(figures: dict[str, Table]) -> None:
    table = figures["concerns_by_district"]
    assert table.row_labels == ["Nord", "Syd", "Uden skoledistrikt"]
    # Nord: two about the Nord pupil, two sent to Nord's forum without a district of their own.
    assert column(table) == [4, 1, 2]


def test_it_counts_how_the_concerns_ended(figures: dict[str, Table]) -> None:
    table = figures["concern_outcomes"]
    assert table.row_labels == [
        "Henlagt",
        "Blev til en sag",
        "Sendt til et andet forum",
        "Stadig åben",
    ]
    assert column(table) == [1, 1, 1, 4]


def test_it_counts_the_cases_opened_closed_and_open_at_year_end(
    figures: dict[str, Table],
) -> None:
    table = figures["cases"]
    assert table.row_labels == [
        "Oprettet i året",
        "Afsluttet i året",
        "Åbne ved årets udgang",
    ]
    assert column(table) == [4, 3, 2]
    assert not table.total_row


def test_it_counts_agreements_escalations_and_adhoc_groups(figures: dict[str, Table]) -> None:
    table = figures["case_work"]
    assert table.row_labels == [
        "Handlingsaftaler indgået",
        "Sager sendt videre til et andet forum",
        "Ad hoc handlegrupper nedsat",
    ]
    assert column(table) == [2, 1, 2]
    assert not table.total_row


def test_it_counts_the_evaluations_of_the_cases_closed_in_the_year(
    figures: dict[str, Table],
) -> None:
    table = figures["case_evaluations"]
    assert table.row_labels == [
        "Bekymringen er mindsket",
        "Uændret",
        "Forværret",
        "Overdraget til anden indsats",
    ]
    assert column(table) == [1, 1, 0, 1]


def test_it_counts_the_partners_by_sector_a_case_in_several_rows(
    figures: dict[str, Table],
) -> None:
    table = figures["case_sectors"]
    assert table.row_labels == [*(str(label) for label in Sector.labels), "Ingen sektor angivet"]
    counts = dict(zip(table.row_labels, column(table), strict=True))
    assert counts == {
        "Skole, børn og unge (BUF)": 2,
        "Socialforvaltning (SOF)": 0,
        "Politi": 1,
        "Sundhed": 0,
        "Kultur og fritid (KFF)": 0,
        "Beskæftigelse (BIF)": 0,
        "Ungdommens Uddannelsesvejledning (UU)": 0,
        "Opsøgende arbejde / gadeteam": 0,
        "Boligsocialt arbejde": 0,
        "Politisk valgt": 0,
        "Anden aktør": 0,
        "Ingen sektor angivet": 1,
    }
    assert not table.total_row
    assert table.note == "En sag kan have flere sektorer."


def test_the_tables_have_stable_keys_in_the_report_order(figures: dict[str, Table]) -> None:
    assert list(figures) == [
        "concerns_by_source",
        "concerns_by_level",
        "concerns_by_age",
        "concerns_by_district",
        "concern_outcomes",
        "cases",
        "case_work",
        "case_evaluations",
        "case_sectors",
    ]
    assert all(table.counts_people for table in figures.values())


def test_a_municipality_without_data_gets_zeros() -> None:
    p = place("Tomby")
    tables = cases.tables(p.municipality.pk, YEAR)
    assert all(cell == 0 for table in tables for row in table.cells for cell in row)


def test_the_number_of_queries_does_not_grow_with_the_rows() -> None:
    p = place("Vokseby")
    build(p)
    with CaptureQueriesContext(connection) as few:
        cases.tables(p.municipality.pk, YEAR)
    for _round in range(3):
        build(p)
    p.municipality.school_districts.create(name="Vest", slug="vest")
    with CaptureQueriesContext(connection) as many:
        tables = {t.key: t for t in cases.tables(p.municipality.pk, YEAR)}
    assert column(tables["concerns_by_source"]) == [12, 4, 4, 4, 4]
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 11
