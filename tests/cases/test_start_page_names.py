"""The start page names a young person as the concern list does (R4): a reporter who is not an
authority person sees the name she typed, never the register's name of the person matched."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.cases.models import Concern, ConcernStatus, YoungPerson
from ssp.organisation.models import Membership

pytestmark = pytest.mark.django_db


def test_a_reporter_outside_the_authorities_sees_the_typed_name_on_the_start_page() -> None:
    reporter = User.objects.get(username="boligsocial")
    membership = Membership.objects.filter(member__user=reporter).select_related("forum").first()
    assert membership is not None
    forum = membership.forum
    municipality = forum.municipality
    assert municipality is not None
    person = YoungPerson.objects.filter(municipality=municipality).first()
    assert person is not None
    Concern.objects.create(
        municipality=municipality,
        subject="person",
        young_person=person,
        reported_name="N. K.",
        source="staff",
        description="Bekymring",
        forum=forum,
        status=ConcernStatus.NEW,
        raised_by=reporter,
    )
    client = Client()
    client.force_login(reporter)
    html = client.get("/").content.decode()
    assert "N. K." in html
    assert person.full_name not in html

    coordinator = Client()
    coordinator.force_login(User.objects.get(username="koordinator"))
    assert person.full_name in coordinator.get("/").content.decode()
