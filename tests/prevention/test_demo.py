"""The demo's prevention work (R7): Ådal's staircase and catalogue, from `seed_all`."""

from __future__ import annotations

import pytest

from ssp.cases.personal_data import find_personal_data
from ssp.organisation.models import Municipality
from ssp.prevention.demo import DEMO_INTERVENTIONS, seed_prevention
from ssp.prevention.models import Intervention, PreventionLevel, StaircaseStep

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_three_step_staircase(demo: Municipality) -> None:
    steps = StaircaseStep.objects.filter(municipality=demo).order_by("number")
    assert [(s.number, s.level) for s in steps] == [
        (1, PreventionLevel.GENERAL),
        (2, PreventionLevel.SPECIFIC),
        (3, PreventionLevel.INDIVIDUAL),
    ]


def test_the_demo_catalogue_has_the_interventions_the_e2e_and_the_guide_use(
    demo: Municipality,
) -> None:
    catalogue = {
        i.name: i
        for i in Intervention.objects.filter(municipality=demo)
        .select_related("provider_unit", "contact")
        .prefetch_related("steps")
    }
    assert len(catalogue) == len(DEMO_INTERVENTIONS) >= 8
    cool_kids = catalogue["Cool Kids"]
    assert (cool_kids.age_min, cool_kids.age_max) == (7, 12)
    assert [s.number for s in cool_kids.steps.all()] == [2]
    assert sorted(s.number for s in catalogue["Gadeteam"].steps.all()) == [2, 3]
    blue_monday = catalogue["SSP deltagelse på blå mandag"]
    assert (blue_monday.age_min, blue_monday.age_max) == (13, 17)
    assert [s.number for s in blue_monday.steps.all()] == [1]
    assert [name for name, i in catalogue.items() if not i.active] == ["Natteravne"]
    for intervention in catalogue.values():
        assert intervention.target_group and intervention.description
        assert intervention.provider_unit is not None
        assert intervention.provider_unit.municipality_id == demo.pk
        assert intervention.contact is not None
        assert intervention.contact.municipality_id == demo.pk


def test_the_demo_texts_hold_no_personal_data(demo: Municipality) -> None:
    for intervention in Intervention.objects.filter(municipality=demo):
        for text in (
            intervention.name,
            intervention.target_group,
            intervention.description,
            intervention.how_to_refer,
            intervention.capacity,
            intervention.material,
        ):
            assert find_personal_data(text) == [], (intervention.name, text)


def _rows(municipality: Municipality) -> list[tuple[object, ...]]:
    return [
        (i.pk, i.name, i.age_min, i.age_max, i.active, i.provider_unit_id, i.contact_id)
        + tuple(sorted(s.number for s in i.steps.all()))
        for i in Intervention.objects.filter(municipality=municipality)
        .prefetch_related("steps")
        .order_by("pk")
    ]


def test_seeding_again_gives_the_same_rows(demo: Municipality) -> None:
    steps = list(StaircaseStep.objects.filter(municipality=demo).values_list())
    before = _rows(demo)
    seed_prevention(demo)
    assert _rows(demo) == before
    assert list(StaircaseStep.objects.filter(municipality=demo).values_list()) == steps
