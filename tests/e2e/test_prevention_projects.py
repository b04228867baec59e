"""R7 in Chromium: a coordinator registers a project (Fredericia) and finds it in the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, pick
from tests.e2e.test_prevention import open_prevention

pytestmark = pytest.mark.e2e


def test_a_coordinator_creates_a_project_and_sees_it_in_the_list(page: Page) -> None:
    log_in(page, "koordinator")
    open_prevention(page)
    page.get_by_test_id("prevention-nav").get_by_role("link", name="Projekter").click()
    page.get_by_role("link", name="Nyt projekt").click()
    form = page.get_by_test_id("project-form")
    form.get_by_label("Navn").fill("Tryg i nattelivet")
    form.get_by_label("Fra", exact=True).fill("2026-08-01")
    form.get_by_label("Til", exact=True).fill("2027-06-30")
    form.get_by_label("Finansiering").fill("Puljen til kriminalpræventive indsatser")
    form.get_by_label("Mål", exact=True).fill("Færre konflikter i nattelivet for 16-18-årige.")
    pick(form, "Projektleder", "Mette Holm", search="Mette")
    form.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("heading", name="Tryg i nattelivet")).to_be_visible()
    expect(page.get_by_test_id("project-facts")).to_contain_text("Mette Holm")
    page.get_by_role("link", name="Til projekterne").click()
    projects = page.get_by_test_id("projects")
    expect(projects.get_by_role("link", name="Tryg i nattelivet")).to_be_visible()
