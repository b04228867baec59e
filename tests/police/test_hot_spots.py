"""Hot spots: listed for everyone in the organisation, on a map when tiles are configured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Concern
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import hot_spots
from ssp.police.hot_spots import HotSpotData
from ssp.police.models import HotSpot, HotSpotStatus
from ssp.versioning import StaleEdit

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
    assert response.status_code == 400
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


def hot_spot_post(spot: HotSpot, version: int, **fields: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": spot.name,
        "address": spot.address,
        "period_start": spot.period_start.isoformat(),
        "period_end": spot.period_end.isoformat() if spot.period_end else "",
        "description": spot.description,
        "outreach_plan": spot.outreach_plan,
        "status": spot.status,
        "version": version,
    }
    return {**data, **fields}


def test_repro_a_stale_hot_spot_save_is_refused_and_keeps_the_users_text(
    demo: Municipality, client_for: Any
) -> None:
    """Two coordinators open the same hot spot; A saves, then B saves her stale form: B is told,
    sees what A saved, keeps her own text, and can save again on purpose."""
    spot = HotSpot.objects.get(name="Stationen")
    url = f"/hotspots/{spot.pk}/ret/"
    a: Client = client_for("koordinator")
    b: Client = client_for("koordinator")
    opened = spot.version
    for client in (a, b):
        assert f'name="version" value="{opened}"' in client.get(url).content.decode()
    saved = a.post(url, hot_spot_post(spot, opened, description="A: Roligt siden oktober."))
    assert saved.status_code == 302
    events = AuditEvent.objects.filter(action=AuditAction.HOT_SPOT_CHANGED).count()

    stale = b.post(url, hot_spot_post(spot, opened, description="B: Salg igen i weekenden."))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "En anden har gemt ændringer, mens du skrev." in html
    assert "B: Salg igen i weekenden." in html  # her text, kept in the form
    assert 'data-testid="stored-values"' in html
    assert "A: Roligt siden oktober." in html  # what the other person saved
    assert f'name="version" value="{opened + 1}"' in html  # the next save goes against it
    spot.refresh_from_db()
    assert (spot.description, spot.version) == ("A: Roligt siden oktober.", opened + 1)
    assert AuditEvent.objects.filter(action=AuditAction.HOT_SPOT_CHANGED).count() == events

    again = b.post(url, hot_spot_post(spot, opened + 1, description="B: Salg igen i weekenden."))
    assert again.status_code == 302
    spot.refresh_from_db()
    assert (spot.description, spot.version) == ("B: Salg igen i weekenden.", opened + 2)


def test_the_service_refuses_a_stale_version(demo: Municipality, users: dict[str, User]) -> None:
    spot = HotSpot.objects.get(name="Stationen")
    data = HotSpotData(
        name=spot.name,
        address=spot.address,
        period_start=spot.period_start,
        description="Ny",
        status=HotSpotStatus.CLOSED,
    )
    with pytest.raises(StaleEdit) as refused:
        hot_spots.save_hot_spot(
            actor_user=users["koordinator"],
            hot_spot=spot,
            data=data,
            expected_version=spot.version - 1,
        )
    assert refused.value.current["description"] == "Salg af hash rapporteret af naboer."
    spot.refresh_from_db()
    assert spot.status == HotSpotStatus.MONITORING


def test_a_hot_spot_form_without_its_version_is_refused(
    demo: Municipality, client_for: Any
) -> None:
    spot = HotSpot.objects.get(name="Stationen")
    data = hot_spot_post(spot, spot.version, description="Ny")
    del data["version"]
    response = client_for("koordinator").post(f"/hotspots/{spot.pk}/ret/", data)
    assert response.status_code == 400
    assert "Siden er for gammel. Hent den igen." in response.content.decode()


def test_a_refused_hot_spot_save_stays_on_the_form(
    demo: Municipality, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DomainError from the service (here: a period the database would refuse) is shown on
    the form with what was typed, never the dead-end error page."""
    spot = HotSpot.objects.get(name="Stationen")

    def refuse(**kwargs: Any) -> HotSpot:
        raise DomainError("Slutdatoen ligger før startdatoen.")

    monkeypatch.setattr(hot_spots, "save_hot_spot", refuse)
    response = client_for("koordinator").post(
        f"/hotspots/{spot.pk}/ret/", hot_spot_post(spot, spot.version, description="Mit udkast")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Slutdatoen ligger før startdatoen." in html
    assert "Mit udkast" in html


def test_the_service_refuses_a_period_that_ends_before_it_starts(
    demo: Municipality, users: dict[str, User]
) -> None:
    today = timezone.localdate()
    with pytest.raises(DomainError, match="Slutdatoen ligger før startdatoen."):
        hot_spots.save_hot_spot(
            actor_user=users["koordinator"],
            hot_spot=None,
            data=HotSpotData(
                name="Baglæns",
                address="Vej 1",
                period_start=today,
                period_end=today - timedelta(days=1),
                description="x",
            ),
        )
