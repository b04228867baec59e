"""The start page names the user's unit, or says that they have none yet (issue 15: a new
employee, e.g. created at the first single sign-on, sees where they belong)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.organisation.models import Member, Municipality, Sector

pytestmark = pytest.mark.django_db


def test_the_start_page_names_the_unit_of_every_demo_user_with_one(client_for: Any) -> None:
    for member in Member.objects.filter(user__username__in=["laerer", "politi"]).select_related(
        "unit", "user"
    ):
        assert member.unit is not None and member.user is not None
        html = client_for(member.user.username).get("/").content.decode()
        assert f"Du er medarbejder i {member.unit.name}." in html


def test_a_member_without_a_unit_is_told_whom_to_contact(demo: Municipality) -> None:
    user = User.objects.create_user("ny", email="ny@aadal.invalid", password="x-Secret-9")
    Member.objects.create(municipality=demo, user=user, name="Ny Medarbejder", sector=Sector.BUF)
    client = Client()
    client.force_login(user)
    html = client.get("/", follow=True).content.decode()
    assert "Du er ikke knyttet til en enhed endnu" in html
    assert "Du er medarbejder i" not in html
