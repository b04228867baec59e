"""R7 in Chromium: a teacher finds "Cool Kids" in the catalogue by age and step; a coordinator
adds an intervention and finds it in the catalogue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in, pick
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e


def open_prevention(page: Page) -> None:
    """Through the main menu; when the menu has more items than fit, "Forebyggelse" (after
    "Hvem kontakter jeg?") is under "Mere"."""
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Forside")).to_be_visible()
    link = menu.get_by_role("link", name="Forebyggelse")
    if not link.is_visible():
        menu.get_by_role("button", name="Mere").click()
    link.click()
    expect(page.get_by_role("heading", name="Indsatstrappen")).to_be_visible()


def test_a_teacher_finds_cool_kids_by_age_and_step(page: Page) -> None:
    log_in(page, "laerer")
    open_prevention(page)
    expect(page.get_by_test_id("step")).to_have_count(3)
    search = page.get_by_test_id("catalogue-search")
    search.get_by_label("Alder").fill("9")
    search.get_by_label("Trin").select_option("2")
    search.get_by_role("button", name="Søg").click()
    catalogue = page.get_by_test_id("catalogue")
    expect(catalogue.get_by_role("link", name="Cool Kids")).to_be_visible()
    expect(catalogue).not_to_contain_text("SSP deltagelse på blå mandag")  # step 1
    expect(page.get_by_label("Alder")).to_have_value("9")  # the search is kept
    catalogue.get_by_role("link", name="Cool Kids").click()
    facts = page.get_by_test_id("intervention-facts")
    expect(facts).to_contain_text("7-12 år")
    expect(page.get_by_role("link", name="Ret")).to_have_count(0)  # teachers do not edit


def test_a_coordinator_adds_an_intervention_and_finds_it_in_the_catalogue(page: Page) -> None:
    log_in(page, "koordinator")
    open_prevention(page)
    page.get_by_role("link", name="Ny indsats").click()
    form = page.get_by_test_id("intervention-form")
    form.get_by_label("Navn").fill("Lektiecafé i Engparken")
    form.get_by_label(re.compile(r"^2\. ")).check()
    form.get_by_label("Fra alder").fill("9")
    form.get_by_label("Til alder").fill("13")
    form.get_by_label("Målgruppe").fill("Børn i 3.-6. klasse i Engparken")
    form.get_by_label("Hvad er indsatsen").fill("Hjælp til lektier to eftermiddage om ugen.")
    pick(form, "Udbyder", "Ungdomsklubben Øst", search="Ungdoms")
    pick(form, "Kontaktperson", "Mette Holm", search="Mette")
    form.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Indsatsen er gemt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lektiecafé i Engparken")).to_be_visible()
    expect(page.get_by_test_id("intervention-facts")).to_contain_text("Ungdomsklubben Øst")
    expect(page.get_by_test_id("intervention-facts")).to_contain_text("Mette Holm")

    open_prevention(page)
    search = page.get_by_test_id("catalogue-search")
    search.get_by_label("Alder").fill("10")
    search.get_by_label("Ord").fill("lektier")
    search.get_by_role("button", name="Søg").click()
    expect(
        page.get_by_test_id("catalogue").get_by_role("link", name="Lektiecafé i Engparken")
    ).to_be_visible()


def test_the_prevention_pages_meet_wcag_21_aa(
    browser: Browser, live_server: Any, e2e_demo: None
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "koordinator")
    problems = {}
    for url in ("/forebyggelse/", "/forebyggelse/?alder=9&trin=2", "/forebyggelse/indsatser/ny/"):
        page.goto(url)
        problems[url] = violations(page)
    page.goto("/forebyggelse/")
    page.get_by_test_id("catalogue").get_by_role("link").first.click()
    problems["intervention page"] = violations(page)
    context.close()
    assert {url: items for url, items in problems.items() if items} == {}
