"""Single sign-on (issue 15) against a real OpenID Connect provider started in this test run.

The provider is oidc-provider-mock (Flask + authlib) in a thread on 127.0.0.1: it signs real ID
tokens (RS256, published on its JWKS endpoint), keeps codes, checks the client at its token
endpoint and serves userinfo. The flow is the real authorization code flow: Django's test client
plays the browser on our side, `requests` submits the provider's authorization form (its `sub`
field), and the provider's `PUT /users/<sub>` sets the claims it will vouch for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from ssp.accounts import bulk_users, middleware, oidc, password_reset, views
from ssp.accounts.models import SingleSignOnIdentity
from ssp.accounts.services import acknowledge_confidentiality
from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import AccessRole, Member, Municipality, Unit

pytestmark = pytest.mark.django_db

CLIENT_ID = "ssp-test"
HEADER = "navn;e-mail;enhed;funktion;sektor;myndighedsperson;fora;rolle;adgangsrolle\n"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID provider, on a free port of 127.0.0.1 (its issuer is this address)."""
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def sso(settings: Any, provider: str) -> str:
    """Single sign-on on, pointed at the provider (settings are read at request time)."""
    oidc._discovery.clear()
    settings.SSP_OIDC_ISSUER = provider
    settings.SSP_OIDC_CLIENT_ID = CLIENT_ID
    settings.SSP_OIDC_CLIENT_SECRET = "test-secret"
    settings.SSP_OIDC_CLAIM_UNIT = "unit"
    settings.SSP_OIDC_CLAIM_SECTOR = "sector"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "ssp.accounts.oidc.SSPOIDCBackend",
    ]
    return provider


def set_claims(provider: str, sub: str, claims: dict[str, Any]) -> None:
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()


def to_provider(client: Client, provider: str, *, next_url: str = "") -> str:
    """Our start of the flow: the redirect to the provider's authorization endpoint."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(f"/oidc/authenticate/{query}")
    assert response.status_code == 302
    location: str = response["Location"]
    assert location.startswith(f"{provider}/oauth2/authorize?")
    params = parse_qs(urlsplit(location).query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["nonce"] and params["state"] and params["code_challenge"]
    return location


def at_provider(location: str, form: dict[str, str]) -> str:
    """The user's answer on the provider's page; returns our callback's path and query."""
    answer = requests.post(location, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return f"{callback.path}?{callback.query}"


def sso_login(
    client: Client,
    provider: str,
    sub: str,
    claims: dict[str, Any],
    *,
    next_url: str = "",
    verified: bool = True,
) -> Any:
    """One login through the provider as `sub` with these claims (the address marked verified
    unless `verified` is False or the claims say otherwise)."""
    if verified:
        claims = {"email_verified": True, **claims}
    set_claims(provider, sub, claims)
    location = to_provider(client, provider, next_url=next_url)
    return client.get(at_provider(location, {"sub": sub}))


def logged_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def bulk_invite(demo: Municipality, row: str) -> Member:
    """A user invited by the bulk import (the service the import page uses)."""
    rows = bulk_users.read_rows(
        filename="brugere.csv", content=(HEADER + row).encode(), municipality=demo
    )
    plan = bulk_users.plan_import(rows=rows, municipality=demo, allow_elevated=True)
    bulk_users.apply_import(
        actor=None,
        actor_user=None,
        municipality=demo,
        rows=rows,
        token=f"invite-{rows[0].email}",
        fingerprint=plan.fingerprint,
        allow_elevated=True,
    )
    member = Member.objects.select_related("user", "unit").get(email=rows[0].email)
    assert member.user is not None
    # As the demo's users have (the gate itself is tested in test_confidentiality.py).
    acknowledge_confidentiality(user=member.user, municipality=demo)
    return member


def test_first_login_creates_the_user_in_the_unit_from_the_claim(
    sso: str, demo: Municipality
) -> None:
    assert Municipality.objects.count() == 1  # the installation's only municipality is used
    client = Client()
    response = sso_login(
        client,
        sso,
        "sub-new-1",
        {
            "email": "Nanna.Holm@Example.dk",
            "name": "Nanna Holm",
            "unit": "oestskolen",
            "sector": "BUF",
            "amr": ["pwd"],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_as(client)
    assert user is not None and user.username == "nanna.holm@example.dk"
    assert not user.has_usable_password()
    member = Member.objects.select_related("unit").get(user=user)
    assert member.municipality_id == demo.pk and member.unit is not None
    assert member.unit.slug == "oestskolen" and member.sector == "buf"
    assert member.name == "Nanna Holm"
    assert member.access_role == AccessRole.EMPLOYEE and not member.is_authority
    start = client.get("/")
    assert start.status_code == 200
    assert "Du er logget ind som medarbejder i Østskolen" in start.content.decode()
    # Audited without personal data: ids and booleans only.
    created = AuditEvent.objects.get(action=AuditAction.SSO_USER_CREATED)
    login = AuditEvent.objects.filter(action=AuditAction.SSO_LOGIN).latest("pk")
    assert login.actor_id == user.pk and login.data == {"second_factor": False, "created": True}
    for event in (created, login):
        assert "Nanna" not in str(event.data) + event.object_repr
        assert "example.dk" not in str(event.data) + event.object_repr
    # The second login finds the same user (e-mail in another case) and creates nothing.
    again = Client()
    sso_login(again, sso, "sub-new-1", {"email": "nanna.holm@example.dk", "unit": "vestskolen"})
    assert logged_in_as(again) == user
    assert User.objects.filter(email__iexact="nanna.holm@example.dk").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SSO_USER_CREATED).count() == 1


def test_a_new_user_without_a_matching_unit_gets_no_access_and_is_told_whom_to_ask(
    sso: str, demo: Municipality
) -> None:
    client = Client()
    sso_login(client, sso, "sub-new-2", {"email": "ukendt@example.dk", "unit": "Ingen Skole"})
    member = Member.objects.get(user=logged_in_as(client))
    assert member.unit is None and member.sector == "other" and not member.is_authority
    page = client.get("/").content.decode()
    assert "Kontakt SSP-koordinatoren" in page


def test_an_invited_user_keeps_the_imports_unit_role_and_authority(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_OIDC_CLAIM_AUTHORITY = "myndighed"
    settings.SSP_OIDC_CLAIM_ROLE = "rolle"
    member = bulk_invite(
        demo, "Mikkel Sørensen;mikkel.s@example.dk;oestskolen;Lærer;BUF;ja;;;ssp\n"
    )
    assert member.user is not None and member.is_authority
    client = Client()
    sso_login(
        client,
        sso,
        "sub-invited",
        {
            "email": "MIKKEL.S@example.dk",
            "name": "Someone Else",
            "unit": "vestskolen",
            "sector": "politi",
            "myndighed": "nej",
            "rolle": "medarbejder",
        },
    )
    assert logged_in_as(client) == member.user
    member.refresh_from_db()
    assert member.unit is not None and member.unit.slug == "oestskolen"
    assert member.is_authority and member.access_role == AccessRole.SSP_STAFF
    assert member.sector == "buf" and member.name == "Mikkel Sørensen"
    assert not AuditEvent.objects.filter(action=AuditAction.SSO_USER_CREATED).exists()


def test_authority_and_role_claims_count_only_when_configured(
    sso: str, demo: Municipality, settings: Any
) -> None:
    claims = {"unit": "oestskolen", "myndighed": "ja", "rolle": "ssp"}
    plain = Client()
    sso_login(plain, sso, "sub-claims-1", {**claims, "email": "a1@example.dk"})
    member = Member.objects.get(user=logged_in_as(plain))
    assert member.access_role == AccessRole.EMPLOYEE and not member.is_authority
    settings.SSP_OIDC_CLAIM_AUTHORITY = "myndighed"
    settings.SSP_OIDC_CLAIM_ROLE = "rolle"
    settings.SSP_OIDC_ROLE_MAP = {"ssp": "ssp_staff"}
    mapped = Client()
    sso_login(mapped, sso, "sub-claims-2", {**claims, "email": "a2@example.dk"})
    member = Member.objects.get(user=logged_in_as(mapped))
    assert member.access_role == AccessRole.SSP_STAFF and member.is_authority
    created = AuditEvent.objects.filter(action=AuditAction.SSO_USER_CREATED).latest("pk")
    assert created.data["access_role"] == "ssp_staff" and created.data["is_authority"] is True


def test_a_deactivated_user_is_refused_with_a_danish_page(sso: str, demo: Municipality) -> None:
    member = bulk_invite(demo, "Gone Away;gone@example.dk;oestskolen;;BUF;nej;;;\n")
    assert member.user is not None
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    client = Client()
    response = sso_login(client, sso, "sub-gone", {"email": "gone@example.dk"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Din bruger er deaktiveret" in page and 'href="/konto/login/"' in page
    assert logged_in_as(client) is None


def test_deactivation_ends_a_running_sso_session(sso: str, demo: Municipality) -> None:
    member = bulk_invite(demo, "Still Here;still@example.dk;oestskolen;;BUF;nej;;;\n")
    client = Client()
    sso_login(client, sso, "sub-still", {"email": "still@example.dk"})
    assert client.get("/").status_code == 200
    assert member.user is not None
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/login/")


def test_a_second_factor_at_the_provider_counts_and_a_password_alone_does_not(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_REQUIRE_2FA = True
    bulk_invite(demo, "Maja Mfa;maja@example.dk;oestskolen;;BUF;ja;;;\n")
    with_mfa = Client()
    sso_login(with_mfa, sso, "sub-maja", {"email": "maja@example.dk", "amr": ["pwd", "mfa"]})
    assert with_mfa.get("/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.SSO_LOGIN).latest("pk")
    assert event.data["second_factor"] is True
    password_only = Client()
    sso_login(password_only, sso, "sub-maja", {"email": "maja@example.dk", "amr": ["pwd"]})
    response = password_only.get("/")
    assert response.status_code == 302 and response["Location"] == "/konto/totrin/"
    # An acr value from the configured list counts too (NSIS "betydelig").
    with_acr = Client()
    sso_login(
        with_acr,
        sso,
        "sub-maja",
        {
            "email": "maja@example.dk",
            "acr": "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        },
    )
    assert with_acr.get("/").status_code == 200


def test_without_local_login_the_password_post_is_refused(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_LOCAL_LOGIN = False
    client = Client()
    page = client.get("/konto/login/").content.decode()
    assert "Log ind med kommunens login" in page and 'name="password"' not in page
    response = client.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert response.status_code == 403
    assert "Login med brugernavn og adgangskode er slået fra" in response.content.decode()
    assert logged_in_as(client) is None
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_label="laerer").exists()
    reset = client.post("/konto/adgangskode/glemt/", {"email": "laerer@example.dk"})
    assert "Platformen bruger ikke adgangskoder" in reset.content.decode()


def test_with_sso_on_the_password_login_still_works_and_offers_both(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_OIDC_PROVIDER_NAME = "Ådal Login"
    client = Client()
    page = client.get("/konto/login/?next=/sager/").content.decode()
    assert "Log ind med Ådal Login" in page and 'name="password"' in page
    assert 'href="/oidc/authenticate/?next=%2Fsager%2F"' in page
    response = client.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert response.status_code == 302 and logged_in_as(client) is not None


def test_a_state_that_does_not_match_is_refused_without_an_error(
    sso: str, demo: Municipality
) -> None:
    set_claims(sso, "sub-state", {"email": "state@example.dk", "email_verified": True})
    client = Client()
    location = to_provider(client, sso)
    callback = at_provider(location, {"sub": "sub-state"})
    forged = callback.replace("state=", "state=x", 1)
    response = client.get(forged)
    assert response.status_code == 400
    assert "Login kunne ikke bekræftes" in response.content.decode()
    assert logged_in_as(client) is None
    # A callback in another browser (no state in its session) is refused the same way.
    assert Client().get(callback).status_code == 400
    # The right state works once; used again it is refused.
    assert client.get(callback).status_code == 302
    assert logged_in_as(client) is not None
    assert client.get(callback).status_code == 400


def test_a_denial_at_the_provider_ends_on_a_danish_page(sso: str, demo: Municipality) -> None:
    client = Client()
    location = to_provider(client, sso)
    response = client.get(at_provider(location, {"action": "deny"}))
    assert response.status_code == 403
    assert "Login blev afbrudt eller afvist" in response.content.decode()
    assert logged_in_as(client) is None
    # A provider that names the state in its error answer (the mock does not): it is spent.
    state = parse_qs(urlsplit(to_provider(client, sso)).query)["state"][0]
    client.get(f"/oidc/callback/?{urlencode({'error': 'access_denied', 'state': state})}")
    assert state not in client.session["oidc_states"]
    # A link to the error answer does not log a logged-in user out.
    logged_in = Client()
    logged_in.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert logged_in.get("/oidc/callback/?error=access_denied&state=x").status_code == 403
    assert logged_in_as(logged_in) is not None


def test_the_municipality_is_never_guessed(sso: str, demo: Municipality, settings: Any) -> None:
    Municipality.objects.create(
        name="Nabo Kommune", slug="nabo", police_district=demo.police_district
    )
    unknown = sso_login(Client(), sso, "sub-m1", {"email": "m1@example.dk"})
    assert unknown.status_code == 403 and "hvilken kommune" in unknown.content.decode()
    assert not User.objects.filter(email="m1@example.dk").exists()
    settings.SSP_OIDC_CLAIM_MUNICIPALITY = "kommune"
    settings.SSP_OIDC_MUNICIPALITY_MAP = {"29189897": "nabo"}
    client = Client()
    sso_login(client, sso, "sub-m2", {"email": "m2@example.dk", "kommune": "29189897"})
    assert Member.objects.get(user=logged_in_as(client), municipality__slug="nabo")
    # An existing user of Ådal whom the claim places in Nabo is refused.
    bulk_invite(demo, "Ida Ådal;ida@example.dk;oestskolen;;BUF;nej;;;\n")
    mismatch = sso_login(Client(), sso, "sub-m3", {"email": "ida@example.dk", "kommune": "nabo"})
    assert mismatch.status_code == 403


def test_an_unreachable_provider_gives_a_danish_page(settings: Any, db: None) -> None:
    oidc._discovery.clear()
    settings.SSP_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nobody answers
    settings.SSP_OIDC_CLIENT_ID = CLIENT_ID
    settings.SSP_OIDC_TIMEOUT_SECONDS = 2
    response = Client().get("/oidc/authenticate/")
    assert response.status_code == 502
    assert "Kommunens login svarer ikke" in response.content.decode()


def test_sso_off_has_no_button_and_no_endpoints(db: None) -> None:
    client = Client()
    assert "oidc" not in client.get("/konto/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "http://elsewhere.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
        {"sub": ""},
    ],
)
def test_an_id_token_from_another_issuer_or_for_another_client_is_refused(
    settings: Any, change: dict[str, Any]
) -> None:
    """What mozilla-django-oidc does not check (the provider above always issues good ones)."""
    settings.SSP_OIDC_ISSUER = "http://127.0.0.1:1"
    settings.SSP_OIDC_CLIENT_ID = CLIENT_ID
    good = {"iss": "http://127.0.0.1:1", "aud": [CLIENT_ID], "sub": "abc"}
    oidc._check_id_token(good)
    with pytest.raises(SuspiciousOperation):
        oidc._check_id_token(good | change)


def test_units_are_matched_by_short_name_or_name(demo: Municipality, settings: Any) -> None:
    settings.SSP_OIDC_CLAIM_UNIT = "unit"
    school = Unit.objects.get(municipality=demo, slug="oestskolen")
    assert oidc.unit_of({"unit": "OESTSKOLEN"}, demo) == school
    assert oidc.unit_of({"unit": school.name.upper()}, demo) == school
    assert oidc.unit_of({"unit": ["oestskolen", "x"]}, demo) == school
    assert oidc.unit_of({"unit": "oest\x00skolen"}, demo) is None
    assert oidc.unit_of({"unit": {"nested": 1}}, demo) is None


# --- Review fixes (issue 15, security review of single sign-on) ------------------------------


def refusal_audited(reason: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("pk")
    assert event.data == {"sso": True, "reason": reason}
    return event


def test_a_login_is_bound_to_the_providers_subject_not_to_the_address(
    sso: str, demo: Municipality
) -> None:
    first = Client()
    sso_login(first, sso, "sub-bound", {"email": "bo@example.dk"})
    user = logged_in_as(first)
    assert user is not None
    identity = SingleSignOnIdentity.objects.get(user=user)
    assert identity.issuer == sso and identity.subject == "sub-bound"
    # The provider changes the person's address: the binding still finds them.
    moved = Client()
    sso_login(moved, sso, "sub-bound", {"email": "bo.new@example.dk"})
    assert logged_in_as(moved) == user
    # A recycled mailbox: another subject with the bound user's address is refused and audited.
    recycled = Client()
    response = sso_login(recycled, sso, "sub-recycled", {"email": "bo@example.dk"})
    assert response.status_code == 403 and "ikke entydigt" in response.content.decode()
    assert logged_in_as(recycled) is None
    assert refusal_audited("conflict").object_id == str(user.pk)
    assert SingleSignOnIdentity.objects.filter(subject="sub-recycled").count() == 0


def test_an_existing_user_is_matched_once_on_a_verified_address_then_bound(
    sso: str, demo: Municipality, settings: Any
) -> None:
    member = bulk_invite(demo, "Vera Verified;vera@example.dk;oestskolen;;BUF;nej;;;\n")
    # No email_verified at all (as Entra ID), or the text "false": refused.
    for claims in (
        {"email": "vera@example.dk"},
        {"email": "vera@example.dk", "email_verified": "false"},
    ):
        response = sso_login(Client(), sso, "sub-vera", claims, verified=False)
        assert response.status_code == 403
        assert "ikke bekræftet din e-mailadresse" in response.content.decode()
    assert not SingleSignOnIdentity.objects.exists()
    # The text "true" is as good as true.
    client = Client()
    sso_login(client, sso, "sub-vera", {"email": "vera@example.dk", "email_verified": "true"})
    assert logged_in_as(client) == member.user
    assert SingleSignOnIdentity.objects.get(subject="sub-vera").user == member.user
    # With the provider's addresses trusted (SSP_OIDC_TRUST_EMAIL), no email_verified is needed.
    settings.SSP_OIDC_TRUST_EMAIL = True
    trusted = Client()
    sso_login(trusted, sso, "sub-trusted", {"email": "trusted@example.dk"}, verified=False)
    assert logged_in_as(trusted) is not None


def test_only_the_configured_email_domains_may_log_in(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_OIDC_EMAIL_DOMAINS = ["aadal.dk"]
    outside = sso_login(Client(), sso, "sub-d1", {"email": "x@gmail.example"})
    assert outside.status_code == 403 and "domæner" in outside.content.decode()
    assert not User.objects.filter(email="x@gmail.example").exists()
    inside = Client()
    sso_login(inside, sso, "sub-d2", {"email": "Y@Aadal.dk"})
    user = logged_in_as(inside)
    assert user is not None and user.email == "y@aadal.dk"


def test_staff_and_superusers_are_never_matched_unless_allowed(
    sso: str, demo: Municipality, settings: Any
) -> None:
    admin = User.objects.get(username="admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    claims = {"email": admin.email.upper(), "amr": ["mfa"]}
    response = sso_login(Client(), sso, "attacker", claims)
    assert response.status_code == 403 and "administrationen" in response.content.decode()
    assert refusal_audited("staff").object_id == str(admin.pk)
    assert not SingleSignOnIdentity.objects.exists()
    settings.SSP_OIDC_ALLOW_STAFF = True
    allowed = Client()
    sso_login(allowed, sso, "admin-sub", claims)
    assert logged_in_as(allowed) == admin


def test_several_municipalities_without_a_claim_refuse_even_existing_users(
    sso: str, demo: Municipality, settings: Any
) -> None:
    member = bulk_invite(demo, "Eva Existing;eva@example.dk;oestskolen;;BUF;nej;;;\n")
    nabo = Municipality.objects.create(
        name="Nabo Kommune", slug="nabo", police_district=demo.police_district
    )
    response = sso_login(Client(), sso, "sub-eva", {"email": "eva@example.dk"})
    assert response.status_code == 403 and "hvilken kommune" in response.content.decode()
    # With the claim configured, a user without a member (an operator) is a mismatch.
    settings.SSP_OIDC_CLAIM_MUNICIPALITY = "kommune"
    User.objects.create_user(username="operator", email="op@example.dk")
    operator = sso_login(Client(), sso, "sub-op", {"email": "op@example.dk", "kommune": "nabo"})
    assert operator.status_code == 403 and "anden kommune" in operator.content.decode()
    refusal_audited("mismatch")
    right = Client()
    sso_login(right, sso, "sub-eva", {"email": "eva@example.dk", "kommune": "aadal"})
    assert logged_in_as(right) == member.user
    # Bound to Ådal's subject; the claim now placing them in Nabo is still a mismatch.
    wrong = sso_login(Client(), sso, "sub-eva", {"email": "eva@example.dk", "kommune": nabo.slug})
    assert wrong.status_code == 403


def test_a_user_without_a_member_on_a_single_municipality_installation_may_log_in(
    sso: str, demo: Municipality
) -> None:
    operator = User.objects.create_user(username="operator", email="op@example.dk")
    client = Client()
    sso_login(client, sso, "sub-op", {"email": "op@example.dk"})
    assert logged_in_as(client) == operator


def test_single_factor_amr_values_are_not_a_second_factor(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_REQUIRE_2FA = True
    bulk_invite(demo, "Otto Otp;otto@example.dk;oestskolen;;BUF;ja;;;\n")
    for amr in (["otp"], ["hwk"], ["swk"], ["pwd", "otp"]):
        client = Client()
        sso_login(client, sso, "sub-otto", {"email": "otto@example.dk", "amr": amr})
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == "/konto/totrin/", amr


def test_a_password_login_does_not_inherit_the_sso_second_factor(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_REQUIRE_2FA = True
    client = Client()
    sso_login(client, sso, "sub-koord", {"email": "koordinator@aadal.invalid", "amr": ["mfa"]})
    assert logged_in_as(client) is not None and client.get("/").status_code == 200
    # The set-up page does not ask a user whose provider gave the second factor.
    setup = client.get("/konto/totrin/")
    assert setup.status_code == 302 and setup["Location"] == "/"
    # The operator turns single sign-on off: the session is no longer logged in ...
    settings.AUTHENTICATION_BACKENDS = [
        backend for backend in settings.AUTHENTICATION_BACKENDS if "oidc" not in backend
    ]
    assert client.get("/").status_code == 302
    # ... and a password login in the same browser must give the code like any other.
    client.post("/konto/login/", {"username": "koordinator", "password": "demo"})
    assert client.session["_auth_user_backend"].endswith("ModelBackend")
    assert middleware.SSO_MFA_SESSION_KEY not in client.session
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/konto/totrin/"


def test_without_local_login_password_sessions_codes_invitations_and_resets_end(
    sso: str, demo: Municipality, settings: Any, mailoutbox: list[Any]
) -> None:
    password_session = Client()
    password_session.post("/konto/login/", {"username": "laerer", "password": "demo"})
    assert password_session.get("/").status_code == 200
    pending = Client()
    session = pending.session
    session[views.PENDING_USER_KEY] = User.objects.get(username="laerer").pk
    session.save()
    settings.SSP_LOCAL_LOGIN = False
    # A session from the password login ends at its next request.
    ended = password_session.get("/")
    assert ended.status_code == 302 and ended["Location"] == "/konto/login/"
    assert logged_in_as(password_session) is None
    # A password step passed before the switch cannot be finished with a code.
    code = pending.post("/konto/login/kode/", {"code": "123456"})
    assert code.status_code == 302 and code["Location"] == "/konto/login/"
    assert views.PENDING_USER_KEY not in pending.session
    # An SSO session is not touched.
    sso_client = Client()
    sso_login(sso_client, sso, "sub-laerer", {"email": "laerer@aadal.invalid"})
    assert sso_client.get("/").status_code == 200
    # An invitation holds no password link; it says to log in with the municipality's login.
    user = User.objects.get(username="laerer")
    assert password_reset.send_invitation.call(user.pk) == 1
    body = mailoutbox[-1].body
    assert "kommunens login" in body and "/konto/login/" in body
    assert "/konto/adgangskode/" not in body and "Dit brugernavn" not in body


def test_a_user_bound_to_sso_gets_no_password_reset_link(
    sso: str, demo: Municipality, mailoutbox: list[Any]
) -> None:
    sso_login(Client(), sso, "sub-laerer", {"email": "laerer@aadal.invalid"})
    assert password_reset.send_reset.call("laerer@aadal.invalid") == 0
    assert password_reset.send_reset.call("koordinator@aadal.invalid") == 1


def test_look_alike_and_taken_addresses_are_refused(sso: str, demo: Municipality) -> None:
    kelvin = sso_login(Client(), sso, "sub-kelvin", {"email": "\u212aoordinator@aadal.invalid"})
    assert kelvin.status_code == 403 and "ingen gyldig e-mailadresse" in kelvin.content.decode()
    assert User.objects.filter(email__iexact="koordinator@aadal.invalid").count() == 1
    for address in ("m\u00e4rta@example.dk", "ﬁona@example.dk"):
        assert sso_login(Client(), sso, "sub-u", {"email": address}).status_code == 403
    # A user whose user name is the address (but with another e-mail) is neither taken over
    # nor duplicated.
    User.objects.create_user(username="taken@example.dk", email="other@example.dk")
    taken = Client()
    refused = sso_login(taken, sso, "sub-taken", {"email": "TAKEN@example.dk"})
    assert refused.status_code == 403 and logged_in_as(taken) is None
    assert User.objects.filter(username__iexact="taken@example.dk").count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"exp": 1000},
        {"iat": int(time.time()) + 3600},
        {"nbf": int(time.time()) + 3600},
        {"aud": "another-client"},
        {"iss": "http://elsewhere.example"},
    ],
)
def test_an_expired_or_not_yet_valid_id_token_ends_on_the_danish_page(
    sso: str, demo: Municipality, change: dict[str, Any]
) -> None:
    client = Client()
    response = sso_login(client, sso, "sub-time", {"email": "time@example.dk", **change})
    assert response.status_code == 400
    assert "Login kunne ikke bekræftes" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_provider_clock_a_little_ahead_is_allowed(sso: str, demo: Municipality) -> None:
    client = Client()
    ahead = int(time.time()) + 30
    sso_login(client, sso, "sub-skew", {"email": "skew@example.dk", "iat": ahead, "nbf": ahead})
    assert logged_in_as(client) is not None


def test_odd_provider_answers_end_on_the_danish_page(
    sso: str, demo: Municipality, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A JWKS that is not one (the discovery document): no keys.
    settings.SSP_OIDC_JWKS_ENDPOINT = f"{sso}/.well-known/openid-configuration"
    no_keys = sso_login(Client(), sso, "sub-odd", {"email": "odd@example.dk"})
    assert no_keys.status_code == 400
    settings.SSP_OIDC_JWKS_ENDPOINT = ""
    # Another algorithm than the configured one.
    settings.SSP_OIDC_SIGN_ALGO = "RS512"
    other_alg = sso_login(Client(), sso, "sub-odd", {"email": "odd@example.dk"})
    assert other_alg.status_code == 400
    settings.SSP_OIDC_SIGN_ALGO = "RS256"
    # A token response without an ID token.
    real_get_token = oidc.SSPOIDCBackend.get_token

    def without_id_token(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = real_get_token(self, payload)
        answer.pop("id_token", None)
        return answer

    monkeypatch.setattr(oidc.SSPOIDCBackend, "get_token", without_id_token)
    client = Client()
    missing = sso_login(client, sso, "sub-odd", {"email": "odd@example.dk"})
    assert missing.status_code == 400 and logged_in_as(client) is None


def test_roles_come_from_an_exact_map_and_elevated_roles_need_an_opt_in(
    sso: str, demo: Municipality, settings: Any
) -> None:
    settings.SSP_OIDC_CLAIM_ROLE = "groups"
    settings.SSP_OIDC_ROLE_MAP = {"ssp-team": "ssp_staff", "Admin": "administrator"}

    def role(sub: str, groups: list[str]) -> str:
        client = Client()
        sso_login(client, sso, sub, {"email": f"{sub}@example.dk", "groups": groups})
        return str(Member.objects.get(user=logged_in_as(client)).access_role)

    assert role("r1", ["SSP", "admin", "Ssp-Team"]) == AccessRole.EMPLOYEE  # not exact
    assert role("r2", ["Admin"]) == AccessRole.EMPLOYEE  # elevated: not without the opt-in
    assert role("r3", ["Admin", "ssp-team"]) == AccessRole.SSP_STAFF
    settings.SSP_OIDC_ALLOW_ELEVATED_ROLES = True
    assert role("r4", ["Admin"]) == AccessRole.ADMINISTRATOR
    assert role("r5", ["Admin", "ssp-team"]) == AccessRole.SSP_STAFF  # the least privileged


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example", "/\\evil"])
def test_next_never_leaves_the_site(sso: str, demo: Municipality, next_url: str) -> None:
    response = sso_login(Client(), sso, "sub-next", {"email": "n@example.dk"}, next_url=next_url)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SSP_OIDC_SIGN_ALGO": "none"}, "SSP_OIDC_SIGN_ALGO"),
        ({"SSP_OIDC_MFA_VALUES": "mfa,otp"}, "single factor"),
        ({"SSP_OIDC_CLAIM_ROLE": "groups"}, "SSP_OIDC_ROLE_MAP"),
        ({"SSP_OIDC_ROLE_MAP": "x:king"}, "SSP_OIDC_ROLE_MAP"),
        ({"SSP_OIDC_CA_BUNDLE": "/nonexistent/ca.pem"}, "SSP_OIDC_CA_BUNDLE"),
    ],
)
def test_the_settings_refuse_unsafe_single_sign_on_configurations(
    env: dict[str, str], message: str
) -> None:
    base = {
        "SSP_OIDC_ISSUER": "https://login.example",
        "SSP_OIDC_CLIENT_ID": "x",
        "SSP_OIDC_CLIENT_SECRET": "y",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import pytest, ssp.settings"],
        env={**os.environ, **base, **env},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
