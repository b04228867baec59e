"""Issue 16 (Done when): a citizen's tip about a place reaches the coordinator's start page; the
SSP guide opens from "Hvem kontakter jeg?"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_an_anonymous_tip_about_a_place_reaches_the_coordinators_start_page(
    page: Page,
) -> None:
    page.goto("/tip/aadal/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fortæl SSP om et sted eller en gruppe"
    )
    expect(page.get_by_text("Skriv ikke navne eller personnumre på børn")).to_be_visible()
    page.get_by_label("Et sted").check()
    page.get_by_label("Hvor?").fill("Skaterbanen ved Hallen")
    description = page.get_by_label("Hvad skete der, og hvornår?")
    description.fill("En dreng, 010203-1234, smadrede flasker fredag kl. 23.")
    page.get_by_test_id("tip-submit").click()
    # A CPR-like number is refused, naming it, and the input stays.
    expect(page.get_by_test_id("form-errors")).to_contain_text("Fjern personnummeret")
    expect(page.get_by_label("Hvor?")).to_have_value("Skaterbanen ved Hallen")
    description.fill("Unge smadrer flasker ved skaterbanen fredag aften ved 23-tiden.")
    page.get_by_test_id("tip-submit").click()
    expect(page.get_by_test_id("tip-thanks")).to_contain_text("SSP-koordinatoren læser")

    log_in(page, "koordinator")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")
    tip = page.get_by_role("listitem").filter(has=page.get_by_test_id("tip-source")).first
    expect(tip).to_contain_text("Henvendelse fra borger eller netværk")
    tip.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/bekymringer/\d+/$"))
    expect(page.locator("body")).to_contain_text("Skaterbanen ved Hallen")


def test_the_guide_opens_from_whom_do_i_contact_and_the_coordinator_edits_it(
    page: Page,
) -> None:
    log_in(page, "koordinator")
    page.goto("/organisation/aadal/kontakt/")
    page.get_by_test_id("guide-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SSP-vejledning for Ådal Kommune")
    expect(page.get_by_test_id("guide-default-note")).to_be_visible()
    expect(page.get_by_test_id("guide-contacts")).to_contain_text("Mette Holm")
    page.get_by_test_id("guide-edit-link").click()
    page.get_by_label("Sådan reagerer du").fill("Bevar roen.\n\nSkriv ned, hvad du så og hørte.")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("guide-how_to_react")).to_contain_text("Bevar roen.")
    expect(page.get_by_test_id("guide-default-note")).to_have_count(0)
