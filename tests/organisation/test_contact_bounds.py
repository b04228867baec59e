"""'Whom do I contact?' and the API's unit and forum lists do not grow with the municipality:
the page shows the first units and finds the rest by search; the API answers a page at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.organisation import selectors
from ssp.organisation.models import Municipality, Sector, Unit, UnitKind

pytestmark = pytest.mark.django_db

EXTRA = selectors.CONTACT_UNITS_SHOWN + selectors.API_PAGE_SIZE


@pytest.fixture
def many_units() -> int:
    aadal = Municipality.objects.get(slug="aadal")
    Unit.objects.bulk_create(
        Unit(
            municipality=aadal,
            name=f"Zz-skole {n:04d}",
            slug=f"zz-skole-{n:04d}",
            kind=UnitKind.SCHOOL,
            sector=Sector.BUF,
        )
        for n in range(EXTRA)
    )
    return Unit.objects.filter(municipality=aadal).count()


def _client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="laerer"))
    return client


def test_the_contact_page_shows_the_first_units_and_finds_the_rest(many_units: int) -> None:
    client = _client()
    page = client.get("/organisation/aadal/kontakt/")
    assert len(page.context["units"]) == selectors.CONTACT_UNITS_SHOWN
    html = page.content.decode()
    assert f"af {many_units} enheder" in html
    assert "Zz-skole 0140" not in html
    found = client.get("/organisation/aadal/kontakt/", {"q": "Zz-skole 0140"})
    assert [unit.name for unit in found.context["units"]] == ["Zz-skole 0140"]


def test_the_api_lists_units_a_page_at_a_time(many_units: int) -> None:
    client = _client()
    url = "/api/v1/organisation/municipalities/aadal/units"
    first = client.get(url).json()
    second = client.get(url, {"page": 2}).json()
    assert len(first) == selectors.API_PAGE_SIZE
    assert len(second) == min(selectors.API_PAGE_SIZE, many_units - selectors.API_PAGE_SIZE)
    assert not {u["slug"] for u in first} & {u["slug"] for u in second}
    assert client.get(url, {"page": 0}).status_code == 200  # a page beyond: the last one
