"""Main paths of the foundation in Chromium: log in, chart, forum, whom to contact, lockout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_teacher_finds_the_organisation_a_forum_and_the_contact_for_her_district(
    page: Page,
) -> None:
    log_in(page, "laerer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Lars Berg")

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Organisation"
    ).click()
    expect(page).to_have_url(re.compile(r"/organisation/aadal/$"))
    chart = page.get_by_test_id("org-chart")
    expect(chart).to_contain_text("SSP Styregruppen")
    expect(chart).to_contain_text("SSP Koordinationsgruppen")
    expect(chart.get_by_test_id("forum-card")).to_have_count(6)

    chart.get_by_role("link", name="SSP Koordinationsgruppen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SSP Koordinationsgruppen")
    expect(page.get_by_test_id("reports-to")).to_have_text("SSP Styregruppen")
    expect(page.get_by_test_id("members")).to_contain_text("Peter Nørgaard")
    expect(page.get_by_test_id("cadence")).to_have_text("4 gange om året")

    page.get_by_role("link", name="Hvem kontakter jeg?").first.click()
    page.get_by_test_id("districts").get_by_role("link", name="Distrikt Øst").click()
    contacts = page.get_by_test_id("district-contacts")
    expect(contacts).to_contain_text("Det lokale SSP-samarbejde, Distrikt Øst")
    expect(contacts).to_contain_text("Mette Holm")


def test_the_unit_search_updates_the_list_in_place(page: Page) -> None:
    log_in(page, "boligsocial")
    page.goto("/organisation/aadal/kontakt/")
    page.get_by_label("Søg efter enhed").fill("Vestsk")
    units = page.get_by_test_id("units")
    expect(units.get_by_role("link")).to_have_count(1)
    expect(units).to_contain_text("Vestskolen")
    units.get_by_role("link", name="Vestskolen").click()
    expect(page.get_by_test_id("unit-contact")).to_contain_text("Rasmus Bech")


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_user_out(page: Page) -> None:
    log_in(page, "politi", password="forkert")
    expect(page.get_by_test_id("login-error")).to_contain_text(
        "Forkert brugernavn eller adgangskode"
    )
    expect(page.get_by_label("Brugernavn")).to_have_value("politi")
    for _ in range(4):
        log_in(page, "politi", password="forkert")
    log_in(page, "politi")  # the right password, but too late
    expect(page.get_by_test_id("locked-out")).to_have_text("Brugeren er midlertidigt spærret")


def test_the_politician_logs_in_and_out(page: Page) -> None:
    log_in(page, "politiker")
    expect(page.get_by_test_id("user-name")).to_have_text("Poul Madsen")
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/konto/login/$"))
    page.goto("/organisation/aadal/")
    expect(page).to_have_url(re.compile(r"/konto/login/\?next="))


def test_a_large_level_of_the_chart_is_a_count_that_opens_in_place(page: Page) -> None:
    from ssp.organisation.models import Forum, ForumLevel

    coordination = Forum.objects.get(municipality__slug="aadal", key="koordinationsgruppe")
    Forum.objects.bulk_create(
        Forum(
            municipality=coordination.municipality,
            key=f"ekstra-{n}",
            name=f"Ekstra lokalgruppe {n:02d}",
            forum_type="lokalgruppe",
            level=ForumLevel.OPERATIONAL,
            cadence="monthly",
            parent=coordination,
        )
        for n in range(20)
    )
    operational = Forum.objects.filter(parent=coordination, level=ForumLevel.OPERATIONAL).count()
    log_in(page, "laerer")
    page.goto("/organisation/aadal/")
    chart = page.get_by_test_id("org-chart")
    expect(chart).to_contain_text("SSP Koordinationsgruppen")
    expect(chart).not_to_contain_text("Ekstra lokalgruppe")
    group = chart.get_by_test_id("chart-group")
    expect(group).to_have_count(1)
    # Without JavaScript the opened group holds a link to the level's paginated list.
    expect(group.locator("a[href*='niveau=operational']")).to_have_count(1)
    group.locator("summary").click()
    expect(group.get_by_test_id("forum-card")).to_have_count(operational)
    expect(group).to_contain_text("Ekstra lokalgruppe 00")
    group.get_by_role("link", name="Ekstra lokalgruppe 07").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ekstra lokalgruppe 07")
    expect(page.get_by_test_id("reports-to")).to_have_text("SSP Koordinationsgruppen")
