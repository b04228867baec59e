"""Hot spots: listed for everyone in the organisation, on a map when tiles are configured."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.cases.models import Concern
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import hot_spots
from ssp.police.hot_spots import HotSpotData
from ssp.police.models import HotSpot, HotSpotStatus

pytestmark = pytest.mark.django_db


def test_the_list_works_without_a_tile_server(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    settings.SSP_MAP_TILE_URL = ""
    html = client_for("boligsocial").get("/hotspots/").content.decode()
    assert "Pladsen foran Ungdomsklubben Øst" in html
    assert 'data-testid="map"' not in html


def test_with_a_tile_server_the_spots_are_on_a_map(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    settings.SSP_MAP_TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
    html = client_for("laerer").get("/hotspots/").content.decode()
    assert 'data-testid="map"' in html
    assert html.count('src="https://tiles.invalid/') == 9
    assert 'class="ssp-marker"' in html


def test_staff_create_a_hot_spot_with_a_clear_error_for_half_coordinates(
    demo: Municipality, client_for: Any
) -> None:
    client: Client = client_for("koordinator")
    data = {
        "name": "Skolegården",
        "address": "Skolevej 2",
        "latitude": "55.1",
        "period_start": "2026-11-01",
        "description": "Uro om aftenen",
        "status": HotSpotStatus.ACTIVE,
    }
    response = client.post("/hotspots/ny/", data)
    assert response.status_code == 200
    assert "både bredde- og længdegrad" in response.content.decode()
    assert 'value="Skolegården"' in response.content.decode()  # what was typed is kept
    data["longitude"] = "12.1"
    assert client.post("/hotspots/ny/", data).status_code == 302
    assert HotSpot.objects.filter(name="Skolegården").exists()
    assert client_for("boligsocial").post("/hotspots/ny/", data).status_code == 403


def test_the_steering_group_chair_sees_the_counts_but_no_children(
    demo: Municipality, client_for: Any
) -> None:
    html = client_for("politiker").get("/optaelling/").content.decode()
    assert "Mette Holm" in html
    for name in ("Emil", "Sara", "Ali"):
        assert name not in html


def test_only_ssp_staff_save_hot_spots(demo: Municipality, users: dict[str, User]) -> None:
    data = HotSpotData(
        name="Skaterbanen",
        address="Parkvej 5",
        period_start=timezone.localdate(),
        description="Uro om aftenen",
    )
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        hot_spots.save_hot_spot(actor_user=users["boligsocial"], hot_spot=None, data=data)
    spot = hot_spots.save_hot_spot(actor_user=users["koordinator"], hot_spot=None, data=data)
    assert (spot.municipality_id, spot.status) == (demo.pk, HotSpotStatus.ACTIVE)
    changed = hot_spots.save_hot_spot(
        actor_user=users["koordinator"],
        hot_spot=spot,
        data=HotSpotData(
            name="Skaterbanen",
            address="Parkvej 5",
            period_start=spot.period_start,
            description="Roligt nu",
            status=HotSpotStatus.MONITORING,
        ),
    )
    changed.refresh_from_db()
    assert (changed.description, changed.status) == ("Roligt nu", HotSpotStatus.MONITORING)


def test_it_lists_only_the_linked_concerns_the_viewer_may_see(
    demo: Municipality, client_for: Any
) -> None:
    spot = HotSpot.objects.filter(municipality=demo).first()
    assert spot is not None
    housing = User.objects.get(username="boligsocial")
    hers = Concern.objects.filter(municipality=demo, raised_by=housing).first()
    other = Concern.objects.filter(municipality=demo).exclude(raised_by=housing).first()
    assert hers is not None and other is not None
    spot.concerns.set([hers, other])
    staff = client_for("koordinator").get(f"/hotspots/{spot.pk}/").content.decode()
    assert f"Bekymring nr. {hers.pk}" in staff
    assert f"Bekymring nr. {other.pk}" in staff
    # A non-authority employee sees what she raised herself, and only a count of the rest.
    html = client_for("boligsocial").get(f"/hotspots/{spot.pk}/").content.decode()
    assert f"Bekymring nr. {hers.pk}" in html
    assert f"Bekymring nr. {other.pk}" not in html
    assert "1 bekymring mere, som du ikke har adgang til." in html
