"""Login with password, lockout after repeated failures, and the TOTP second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_it_logs_in_with_the_right_password(demo: Municipality) -> None:
    client = Client()
    response = client.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_keeps_the_user_name_and_says_so_in_danish(demo: Municipality) -> None:
    response = Client().post("/konto/login/", {"username": "laerer", "password": "nej"})
    html = response.content.decode()
    assert "Forkert brugernavn eller adgangskode" in html
    assert 'value="laerer"' in html


def test_it_locks_out_after_repeated_failures(demo: Municipality, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/konto/login/", {"username": "laerer", "password": "nej"})
    response = client.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert response.status_code == 429
    assert "midlertidigt spærret" in response.content.decode()
    # Another user is not affected.
    other = Client().post("/konto/login/", {"username": "politi", "password": "demo"})
    assert other.status_code == 302


def test_it_only_redirects_to_local_pages_after_login(demo: Municipality) -> None:
    response = Client().post(
        "/konto/login/?next=https://evil.example/",
        {"username": "laerer", "password": "demo", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_pages_need_login(db: None) -> None:
    response = Client().get("/organisation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/?next=/organisation/")


def test_logout_ends_the_session(demo: Municipality, client_for: Any) -> None:
    client = client_for("laerer")
    assert client.post("/konto/logout/").status_code == 302
    assert client.get("/").status_code == 302


def set_up_second_factor(client: Client, user: User) -> TOTPDevice:
    assert client.get("/konto/totrin/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        "/konto/totrin/", {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert "Koden passer ikke" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the device for a moment
    response = client.post("/konto/totrin/", {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_with_a_second_factor_the_login_asks_for_a_code(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    device = set_up_second_factor(client_for("socialraadgiver"), users["socialraadgiver"])
    client = Client()
    response = client.post("/konto/login/", {"username": "socialraadgiver", "password": "demo"})
    assert response["Location"] == "/konto/login/kode/"
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = client.post("/konto/login/kode/", {"code": "12345a"})
    assert "Koden består kun af tal" in wrong.content.decode()
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post("/konto/login/kode/", {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_too_many_wrong_codes_end_the_attempt(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    set_up_second_factor(client_for("politi"), users["politi"])
    client = Client()
    client.post("/konto/login/", {"username": "politi", "password": "demo"})
    for _ in range(5):
        response = client.post("/konto/login/kode/", {"code": "999999"})
    assert response["Location"] == "/konto/login/"
    assert client.get("/konto/login/kode/")["Location"] == "/konto/login/"


def test_mandatory_second_factor_for_users_who_see_personal_data(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    settings.SSP_REQUIRE_2FA = True
    response = client_for("koordinator").get("/organisation/")
    assert response.status_code == 302 and response["Location"] == "/konto/totrin/"
    # A politician sees no personal data: no second factor is forced.
    assert client_for("politiker").get("/").status_code == 200


def test_a_mandatory_second_factor_cannot_be_removed(
    demo: Municipality, users: dict[str, User], client_for: Any, settings: Any
) -> None:
    client = client_for("laerer")
    set_up_second_factor(client, users["laerer"])
    settings.SSP_REQUIRE_2FA = True
    client.post("/konto/totrin/fjern/")
    assert TOTPDevice.objects.filter(user=users["laerer"], confirmed=True).exists()
    settings.SSP_REQUIRE_2FA = False
    client.post("/konto/totrin/fjern/")
    assert not TOTPDevice.objects.filter(user=users["laerer"]).exists()
