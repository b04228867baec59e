"""Issue 16 in Chromium (the Done-when): the police's SSP contact corrects a report's offence
from a serious to a non-serious kind, with a reason, and the network-council deadline
disappears from the deadline board."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# The demo's attempted robbery (ssp/police/demo.py): William Dam, waiting for the review, its
# network-council deadline running from the receipt.
REFERENCE = "0100-70001-00104-26"


def council_rows(page: Page) -> Locator:
    return (
        page.get_by_test_id("deadline")
        .filter(has_text="William Dam")
        .filter(has_text="Netværkssamråd")
    )


def test_the_police_contact_corrects_the_offence_and_the_council_deadline_goes(
    page: Page,
) -> None:
    log_in(page, "koordinator")
    page.goto("/frister/")
    rows = council_rows(page)
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("statute").first).to_contain_text("Barnets lov § 33")
    page.context.clear_cookies()

    log_in(page, "politi")
    page.goto("/politi/rapporter/")
    page.get_by_label("Journalnummer").fill("00104")
    page.get_by_role("button", name="Søg").click()
    page.get_by_test_id("report").get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_test_id("report-offence")).to_contain_text("Røveri")
    expect(page.get_by_text("William")).to_have_count(0)  # the list fields, not the child
    page.get_by_role("link", name="Ret rapporten").click()
    page.get_by_label("Kategori").select_option(label="Tyveri")
    page.get_by_label("Forsøg").uncheck()
    page.get_by_label("Begrundelse").fill("Forholdet var tyveri af en cykel, ikke røveri.")
    page.get_by_role("button", name="Gem rettelsen").click()
    expect(page.get_by_text("Rapporten er rettet.")).to_be_visible()
    expect(page.get_by_text("1 åben frist er fjernet.")).to_be_visible()
    expect(page.get_by_test_id("report-offence")).to_contain_text("Tyveri")
    expect(page.get_by_test_id("correction")).to_contain_text("ikke røveri")
    page.context.clear_cookies()

    log_in(page, "koordinator")
    page.goto("/frister/")
    expect(page.get_by_role("heading", name="Fristtavle")).to_be_visible()
    expect(council_rows(page)).to_have_count(0)
