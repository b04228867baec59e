"""R8: the annual report's prevention figures (`ssp.reports.figures.prevention`), checked
against a fixture built here with literal expected numbers: activities done in the year by focus
area and by step, participants reached, evaluations, and the follow-up on the focus areas of
the year; planned activities, other years and another municipality are not counted; the number
of queries does not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssp.organisation.models import (
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    Municipality,
    PoliceDistrict,
)
from ssp.prevention.models import (
    Activity,
    ActivityStatus,
    AnnualPlan,
    FocusArea,
    Intervention,
    PreventionLevel,
    Project,
    StaircaseStep,
)
from ssp.reports.figures import prevention
from ssp.reports.tables import Table

pytestmark = pytest.mark.django_db

YEAR = 2023
_serial = count(1)


@dataclass
class Place:
    municipality: Municipality
    forum: Forum
    plan: AnnualPlan


def place(name: str) -> Place:
    n = next(_serial)
    district = PoliceDistrict.objects.create(name=f"Kreds {name} {n}", slug=f"pkreds-{n}")
    municipality = Municipality.objects.create(
        name=f"{name} {n}", slug=f"prev-{n}", police_district=district
    )
    forum = Forum.objects.create(
        municipality=municipality,
        key="styregruppe",
        name="Styregruppen",
        forum_type=ForumType.STYREGRUPPE,
        level=ForumLevel.STRATEGIC,
        cadence=Cadence.QUARTERLY,
    )
    plan = AnnualPlan.objects.create(municipality=municipality, forum=forum, school_year=2022)
    return Place(municipality, forum, plan)


def area(p: Place, title: str, starts: date, ends: date) -> FocusArea:
    return FocusArea.objects.create(
        municipality=p.municipality, forum=p.forum, title=title, starts_on=starts, ends_on=ends
    )


def activity(
    p: Place,
    on: date,
    *,
    status: str = ActivityStatus.DONE,
    focus: FocusArea | None = None,
    intervention: Intervention | None = None,
    reached: int | None = None,
) -> Activity:
    return Activity.objects.create(
        plan=p.plan,
        municipality=p.municipality,
        title=f"Oplæg {next(_serial)}",
        starts_on=on,
        ends_on=on,
        status=status,
        focus_area=focus,
        intervention=intervention,
        reached=reached,
        what_worked="Godt" if status == ActivityStatus.EVALUATED else "",
    )


@dataclass
class Fixture:
    place: Place
    digital: FocusArea
    fritid: FocusArea


@pytest.fixture
def fixture() -> Fixture:
    p = place("Forebyggelse")
    m = p.municipality
    step1 = StaircaseStep.objects.create(
        municipality=m, number=1, goal="Gode rammer", level=PreventionLevel.GENERAL
    )
    step2 = StaircaseStep.objects.create(
        municipality=m, number=2, goal="Forebyg", level=PreventionLevel.SPECIFIC
    )
    step3 = StaircaseStep.objects.create(
        municipality=m, number=3, goal="Stop", level=PreventionLevel.INDIVIDUAL
    )
    on_two = Intervention.objects.create(municipality=m, name="Oplæg om sociale medier")
    on_two.steps.set([step1, step2])
    on_three = Intervention.objects.create(municipality=m, name="Mentor")
    on_three.steps.set([step3])
    no_step = Intervention.objects.create(municipality=m, name="Uden trin")

    digital = area(p, "Digital dannelse", date(2023, 1, 1), date(2023, 12, 31))
    fritid = area(p, "Fritidsjob", date(2022, 9, 1), date(2024, 6, 30))
    old = area(p, "Trivsel 2021", date(2021, 1, 1), date(2021, 12, 31))
    area(p, "Weekendnatteravne", date(2023, 11, 1), date(2024, 3, 31))

    activity(p, date(2023, 2, 1), focus=digital, intervention=on_two, reached=25)
    activity(
        p,
        date(2023, 3, 1),
        focus=digital,
        intervention=on_three,
        reached=30,
        status=ActivityStatus.EVALUATED,
    )
    activity(p, date(2023, 5, 1), focus=fritid, reached=10, status=ActivityStatus.EVALUATED)
    activity(p, date(2023, 6, 1), intervention=no_step)
    activity(p, date(2023, 8, 1), focus=old, reached=5)
    # Not counted: planned, another year, another municipality.
    activity(p, date(2023, 7, 1), focus=digital, intervention=on_two, status=ActivityStatus.PLANNED)
    activity(p, date(2022, 12, 31), focus=digital, intervention=on_two, reached=99)
    activity(p, date(2024, 1, 1), focus=fritid, reached=99)
    other = place("Andenby")
    activity(other, date(2023, 4, 1), reached=99)

    Project.objects.create(
        municipality=m,
        name="Digitalt projekt",
        starts_on=date(2023, 3, 1),
        ends_on=date(2023, 9, 30),
        focus_area=digital,
    )
    Project.objects.create(
        municipality=m,
        name="Gammelt projekt",
        starts_on=date(2021, 1, 1),
        ends_on=date(2022, 6, 30),
        focus_area=digital,
    )
    Project.objects.create(
        municipality=m,
        name="Fritidsjobprojekt",
        starts_on=date(2022, 8, 1),
        ends_on=date(2023, 2, 28),
        focus_area=fritid,
    )
    return Fixture(p, digital, fritid)


def as_rows(table: Table) -> dict[str, list[int]]:
    return dict(zip(table.row_labels, table.cells, strict=True))


def test_it_counts_activities_done_by_focus_area(fixture: Fixture) -> None:
    table = prevention.by_focus_area(fixture.place.municipality.pk, YEAR)
    assert table.column_labels == ["Aktiviteter gennemført", "Deltagere nået", "Evalueret"]
    assert as_rows(table) == {
        "Digital dannelse": [2, 55, 1],
        "Fritidsjob": [1, 10, 1],
        "Trivsel 2021": [1, 5, 0],
        "Uden fokusområde": [1, 0, 0],
    }
    assert list(as_rows(table))[-1] == "Uden fokusområde"
    assert table.counts_people is False
    assert table.total_row is True


def test_it_bounds_the_focus_areas_and_puts_the_rest_in_one_row(fixture: Fixture) -> None:
    with mock.patch.object(prevention, "ROWS_MAX", 1):
        table = prevention.by_focus_area(fixture.place.municipality.pk, YEAR)
    assert as_rows(table) == {
        "Digital dannelse": [2, 55, 1],
        "Øvrige fokusområder": [2, 15, 1],
        "Uden fokusområde": [1, 0, 0],
    }


def test_it_counts_activities_on_each_step_of_their_intervention(fixture: Fixture) -> None:
    table = prevention.by_step(fixture.place.municipality.pk, YEAR)
    assert as_rows(table) == {
        "Trin 1: Gode rammer": [1, 25, 0],
        "Trin 2: Forebyg": [1, 25, 0],
        "Trin 3: Stop": [1, 30, 1],
        "Indsats uden trin": [1, 0, 0],
        "Uden indsats": [2, 15, 1],
    }
    # An activity counts on every step of its intervention: the rows do not add up.
    assert table.total_row is False
    assert table.counts_people is False


def test_a_step_without_activities_has_a_row_of_zeros() -> None:
    p = place("Tom")
    StaircaseStep.objects.create(
        municipality=p.municipality, number=1, goal="Gode rammer", level=PreventionLevel.GENERAL
    )
    table = prevention.by_step(p.municipality.pk, YEAR)
    assert as_rows(table) == {"Trin 1: Gode rammer": [0, 0, 0], "Uden indsats": [0, 0, 0]}


def test_it_follows_up_on_the_focus_areas_of_the_year(fixture: Fixture) -> None:
    table = prevention.focus_area_follow_up(fixture.place.municipality.pk, YEAR)
    assert table.column_labels == ["Aktiviteter gennemført", "Deltagere nået", "Projekter"]
    assert as_rows(table) == {
        "Fritidsjob (1.9.2022–30.6.2024)": [1, 10, 1],
        "Digital dannelse (1.1.2023–31.12.2023)": [2, 55, 1],
        "Weekendnatteravne (1.11.2023–31.3.2024)": [0, 0, 0],
    }
    assert table.counts_people is False


def test_the_follow_up_is_bounded(fixture: Fixture) -> None:
    with mock.patch.object(prevention, "ROWS_MAX", 1):
        table = prevention.focus_area_follow_up(fixture.place.municipality.pk, YEAR)
    assert as_rows(table) == {
        "Fritidsjob (1.9.2022–30.6.2024)": [1, 10, 1],
        "Øvrige fokusområder": [2, 55, 1],
    }


def test_tables_gives_the_three_tables_in_order(fixture: Fixture) -> None:
    keys = [table.key for table in prevention.tables(fixture.place.municipality.pk, YEAR)]
    assert keys == [
        "prevention_by_focus_area",
        "prevention_by_step",
        "prevention_focus_area_follow_up",
    ]


def test_the_number_of_queries_does_not_grow_with_the_rows(fixture: Fixture) -> None:
    municipality_id = fixture.place.municipality.pk
    with CaptureQueriesContext(connection) as before:
        prevention.tables(municipality_id, YEAR)
    p = fixture.place
    for number in range(6):
        focus = area(p, f"Nyt område {number}", date(2023, 1, 1), date(2023, 6, 30))
        for _ in range(3):
            activity(p, date(2023, 4, 1 + number), focus=focus, reached=number)
    with CaptureQueriesContext(connection) as after:
        tables = prevention.tables(municipality_id, YEAR)
    assert len(after) == len(before)
    assert as_rows(tables[0])["Nyt område 5"] == [3, 15, 0]
