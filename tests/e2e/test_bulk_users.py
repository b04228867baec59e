"""Issue 15 (2) in Chromium: an administrator uploads the example file of users, sees the
preview and applies it; a new user opens the invitation link from the e-mail and chooses a
password, then logs in with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "users.csv"
NEW_PASSWORD = "Blå-Cykel-Regn-2026"


def test_an_administrator_imports_users_and_a_new_user_sets_a_password(page: Page) -> None:
    log_in(page, "admin")
    page.goto("/konto/brugere/import/")
    form = page.get_by_test_id("bulk-upload-form")
    form.get_by_label("Fil (CSV eller Excel)").set_input_files(EXAMPLE)
    # The example makes a social worker an authority person: that needs the confirmation.
    form.get_by_label("Filen må give adgang til personoplysninger", exact=False).check()
    form.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("3 nye brugere")
    expect(page.get_by_test_id("bulk-new")).to_contain_text("karen.kristoffersen@example.dk")
    expect(page.get_by_test_id("bulk-memberships")).to_contain_text(
        "Det lokale SSP-samarbejde, Distrikt Vest"
    )
    assert not User.objects.filter(email__endswith="@example.dk").exists()

    mail.outbox.clear()
    page.get_by_role("button", name="Gennemfør").click()
    expect(page.get_by_test_id("bulk-done")).to_contain_text("3 nye brugere")
    assert User.objects.filter(email__endswith="@example.dk").count() == 3
    invitation = next(m for m in mail.outbox if m.to == ["aisha.nielsen@example.dk"])
    assert "Ådal" in invitation.subject
    match = re.search(r"https?://[^/\s]+(/konto/adgangskode/ny/\S+/)", str(invitation.body))
    assert match is not None

    page.context.clear_cookies()  # the new user's own browser
    page.goto(match.group(1))
    set_form = page.get_by_test_id("password-set-form")
    set_form.get_by_label("Ny adgangskode", exact=True).fill(NEW_PASSWORD)
    set_form.get_by_label("Bekræftelse af ny adgangskode").fill(NEW_PASSWORD)
    set_form.get_by_role("button", name="Gem adgangskode").click()
    expect(page.get_by_test_id("password-set-done")).to_be_visible()

    # The link is single use.
    page.goto(match.group(1))
    expect(page.get_by_test_id("password-link-invalid")).to_be_visible()

    log_in(page, "aisha.nielsen@example.dk", NEW_PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/konto/login/"))
    expect(page.get_by_test_id("login-error")).to_have_count(0)
