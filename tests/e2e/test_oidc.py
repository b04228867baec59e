"""Issue 15 in Chromium: a new employee logs in through the municipality's identity provider (a
real OpenID provider, oidc-provider-mock, started in this test run), lands on the start page in
their unit, and raises a concern about a pupil by name, school and class without a CPR number.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from playwright.sync_api import Page, expect

from ssp.accounts import oidc
from ssp.organisation.models import Member

pytestmark = pytest.mark.e2e


@pytest.fixture
def provider(settings: Any) -> Iterator[str]:
    """The provider on a free port of 127.0.0.1, and single sign-on pointed at it (the live
    server runs in this process and reads the settings at request time)."""
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    oidc._discovery.clear()
    settings.SSP_OIDC_ISSUER = issuer
    settings.SSP_OIDC_CLIENT_ID = "ssp-e2e"
    settings.SSP_OIDC_CLIENT_SECRET = "e2e-secret"
    settings.SSP_OIDC_CLAIM_UNIT = "enhed"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "ssp.accounts.oidc.SSPOIDCBackend",
    ]
    yield issuer
    server.shutdown()
    thread.join(5)
    server.server_close()


def test_a_new_employee_logs_in_with_sso_and_raises_a_concern_without_cpr(
    page: Page, provider: str
) -> None:
    requests.put(
        f"{provider}/users/emp-4711",
        json={
            "email": "sara.lund@aadal.example",
            "email_verified": True,
            "name": "Sara Lund",
            "enhed": "oestskolen",
            "amr": ["pwd"],
        },
        timeout=5,
    ).raise_for_status()
    # The provider's page loads a stylesheet from a CDN: no network in the tests.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())

    page.goto("/konto/login/")
    page.get_by_role("link", name="Log ind med kommunens login").click()
    # The provider's own page: who is logging in.
    page.get_by_placeholder("sub").fill("emp-4711")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # the start page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen, Sara Lund")
    expect(page.locator("main")).to_contain_text("medarbejder i Østskolen")
    # Not only the message after the login: the start page itself names the unit.
    expect(page.get_by_test_id("my-unit")).to_have_text("Du er medarbejder i Østskolen.")
    member = Member.objects.select_related("unit").get(email="sara.lund@aadal.example")
    assert member.unit is not None and member.unit.slug == "oestskolen"

    # A concern about a pupil known by name, school and class (no CPR number).
    page.goto("/bekymringer/ny/")
    form = page.get_by_test_id("concern-form")
    form.get_by_label("Et navngivet barn eller en ung").check()
    form.get_by_label("Fornavn").fill("Liva")
    form.get_by_label("Efternavn").fill("Skovgaard")
    expect(form.get_by_label("CPR-nummer")).to_have_value("")
    form.get_by_label("Skole", exact=True).select_option(label="Østskolen")
    form.get_by_label("Klasse").fill("7.b")
    form.get_by_label("Beskriv din bekymring").fill("Liva har været meget væk fra skolen.")
    form.get_by_role("button", name="Send bekymringen").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("Din bekymring er modtaget")
