"""The organisation API: token and session authentication, scoped like the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ssp.accounts.models import ApiToken
from ssp.organisation.models import Forum, Municipality
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db


def token_for(username: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("create_api_token", username, name="skolesystem")
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_a_token_reads_the_organisation(
    demo: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    token = token_for("koordinator", capsys)
    client = Client()
    response = client.get(
        "/api/v1/organisation/municipalities", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert [m["slug"] for m in response.json()] == ["aadal"]
    fora = client.get(
        "/api/v1/organisation/municipalities/aadal/fora", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert {f["key"] for f in fora} >= {"styregruppe", "koordinationsgruppe", "lokal-ssp-oest"}


def test_only_the_hash_of_a_token_is_stored(
    demo: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    token = token_for("laerer", capsys)
    stored = ApiToken.objects.get(user__username="laerer")
    assert token not in (stored.key_hash, stored.hint)
    assert token.startswith(stored.hint)


def test_a_wrong_or_revoked_token_gets_401(
    demo: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client()
    url = "/api/v1/organisation/municipalities"
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ssp_wrong").status_code == 401
    token = token_for("laerer", capsys)
    ApiToken.objects.filter(user__username="laerer").update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_the_forum_endpoint_gives_seats_and_members(demo: Municipality, client_for: Any) -> None:
    forum = Forum.objects.get(municipality=demo, key="styregruppe")
    data = client_for("politiker").get(f"/api/v1/organisation/fora/{forum.pk}").json()
    assert data["cadence"] == "quarterly"
    assert any(m["name"] == "Poul Madsen" and m["role"] == "chair" for m in data["members"])
    assert any(s["function"] == "Formand (politisk udpeget)" for s in data["seats"])


def test_another_municipalitys_forum_is_404(demo: Municipality, client_for: Any) -> None:
    load_preset(name="koebenhavn")
    forum = Forum.objects.get(municipality__slug="koebenhavn", key="ledergruppe")
    assert client_for("koordinator").get(f"/api/v1/organisation/fora/{forum.pk}").status_code == 404


def test_the_openapi_schema_lists_the_endpoints(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/organisation/municipalities" in schema["paths"]
    assert "/api/v1/organisation/fora/{forum_id}" in schema["paths"]
