"""Issue 15 (Done when): the police user uploads a list and, after the coordinator routes one of
its reports in the weekly review, sees that row as "Fordelt" on the import's page: never the
child's name or whom the report went to. The §115 notice stays on the police pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

DAY = (timezone.localdate() - timedelta(days=3)).strftime("%d-%m-%Y")
LIST = (
    "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n"
    f"070612-4002;Åge Østergård;{DAY};20:00;Butikstyveri;E2E-POLITI-1;Tog en taske\n"
    f"080712-4005;Bodil Ærlig;{DAY};21:00;Hærværk;E2E-POLITI-2;\n"
)
NOTICE = "Retsplejelovens § 115"


def pick(picker: Locator, label: str, typed: str) -> None:
    picker.get_by_label(label, exact=True).fill(typed)
    picker.get_by_label("Sofie Dahl", exact=False).check()


def test_the_police_contact_uploads_a_list_and_sees_a_row_routed(
    page: Page, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    police_list = tmp_path / "politiets-liste.csv"
    police_list.write_bytes(LIST.encode("cp1252"))  # as Excel writes it

    log_in(page, "politi")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Politiets lister"
    ).click()
    expect(page.get_by_test_id("police-notice-banner")).to_contain_text(NOTICE)
    form = page.get_by_test_id("import-form")
    form.get_by_label("Fil (CSV eller Excel)").set_input_files(police_list)
    form.get_by_role("button", name="Indlæs").click()
    expect(page.get_by_text("2 rapporter er importeret")).to_be_visible()
    expect(page.get_by_test_id("police-notice-banner")).to_contain_text(NOTICE)
    rows = page.get_by_test_id("import-report")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="E2E-POLITI-1")).to_contain_text("Venter på gennemgang")
    job_url = page.url

    # The coordinator routes one of the reports in the weekly review.
    other_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    coordinator = other_context.new_page()
    log_in(coordinator, "koordinator")
    coordinator.goto("/politi/")
    item = coordinator.get_by_test_id("queue-item").filter(has_text="Åge Østergård")
    item.get_by_role("link", name="Fordel").click()
    item.get_by_label("Fordeles til").select_option("social_worker")
    pick(item.locator("[data-testid$='-member']"), "Person", "Sofie")
    pick(item.locator("[data-testid$='-home_contact']"), "Kontakter hjemmet", "Sofie")
    item.get_by_role("button", name="Fordel").click()
    expect(coordinator.get_by_text("Rapporten er fordelt")).to_be_visible()
    other_context.close()

    # Back on the import's page, the police see that row routed, and not to whom.
    page.goto(job_url)
    expect(rows.filter(has_text="E2E-POLITI-1")).to_contain_text("Fordelt")
    expect(rows.filter(has_text="E2E-POLITI-2")).to_contain_text("Venter på gennemgang")
    main = page.locator("main")
    for hidden in ("Åge Østergård", "Bodil Ærlig", "Sofie Dahl", "070612"):
        expect(main).not_to_contain_text(hidden)

    # The import is listed on the police's own page, which has no weekly review.
    page.get_by_role("link", name="Til politiets lister").click()
    expect(page.get_by_test_id("import-job")).to_contain_text("politiets-liste.csv")
    expect(page.get_by_role("link", name="Fordel")).to_have_count(0)


def test_the_police_contacts_pages_meet_wcag_21_aa(
    browser: Browser, live_server: Any, e2e_demo: None, tmp_path: Path
) -> None:
    """axe (WCAG 2.1 A/AA, serious and critical) on the contact's list page, an import's page
    with its reports, and the report form, on a desktop and a phone."""
    from tests.e2e.test_accessibility import violations

    police_list = tmp_path / "liste.csv"
    police_list.write_bytes(LIST.replace("E2E-POLITI", "E2E-AXE").encode("cp1252"))
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "politi")
    page.goto("/politi/import/")
    form = page.get_by_test_id("import-form")
    form.get_by_label("Fil (CSV eller Excel)").set_input_files(police_list)
    form.get_by_role("button", name="Indlæs").click()
    expect(page.get_by_test_id("import-report")).to_have_count(2)
    job_url = page.url
    problems: dict[str, list[str]] = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in ("/politi/import/", job_url, "/politi/ny/"):
            page.goto(url)
            problems[f"{url} @ {width}"] = violations(page)
    context.close()
    found = {url: items for url, items in problems.items() if items}
    assert found == {}, found
