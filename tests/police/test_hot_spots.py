"""Hot spots: listed for everyone in the organisation, on a map when tiles are configured."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ssp.organisation.models import Municipality
from ssp.police.models import HotSpot

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
        "status": "active",
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
