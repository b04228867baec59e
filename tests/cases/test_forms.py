"""Forms build their service's input, the same way the API does."""

from __future__ import annotations

import pytest

from ssp.cases.api import ConcernIn, YoungPersonIn
from ssp.cases.forms import ConcernForm
from ssp.cases.models import ConcernSource, ConcernSubject, Level
from ssp.organisation.models import Municipality, SchoolDistrict, Unit

pytestmark = pytest.mark.django_db


def test_it_builds_the_same_concern_data_as_the_api(demo: Municipality) -> None:
    school = Unit.objects.get(municipality=demo, slug="oestskolen")
    form = ConcernForm(
        {
            "subject": ConcernSubject.PERSON,
            "first_name": "Ida",
            "last_name": "Form",
            "cpr": "050512-4222",
            "school": school.pk,
            "class_name": "7.a",
            "source": ConcernSource.WORKSHEET,
            "level": Level.YELLOW,
            "description": "Set sammen med kriminelle",
        },
        units=Unit.objects.filter(municipality=demo),
        districts=SchoolDistrict.objects.filter(municipality=demo),
        case_levels=False,
    )
    assert form.is_valid(), form.errors
    payload = ConcernIn(
        subject=ConcernSubject.PERSON,
        source=ConcernSource.WORKSHEET,
        description="Set sammen med kriminelle",
        young_person=YoungPersonIn(
            first_name="Ida",
            last_name="Form",
            cpr="050512-4222",
            school="oestskolen",
            class_name="7.a",
        ),
    )
    assert form.to_data() == payload.to_data(school=school)


def test_it_adds_the_custody_holder_the_reporter_named(demo: Municipality) -> None:
    form = ConcernForm(
        {
            "subject": ConcernSubject.PERSON,
            "first_name": "Ida",
            "last_name": "Form",
            "cpr": "050512-4222",
            "parent_name": "Mor Form",
            "parent_phone": "12345678",
            "source": ConcernSource.STAFF,
            "level": Level.YELLOW,
            "description": "Bekymring",
        },
        units=Unit.objects.filter(municipality=demo),
        districts=SchoolDistrict.objects.filter(municipality=demo),
        case_levels=False,
    )
    assert form.is_valid(), form.errors
    person = form.to_data().young_person
    assert person is not None
    assert [(h.name, h.phone) for h in person.custody_holders] == [("Mor Form", "12345678")]
