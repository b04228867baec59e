"""The heart of the platform in Chromium: from a teacher's worry to an action agreement."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in, pick

pytestmark = pytest.mark.e2e


def choose(select: Locator, text: str) -> None:
    """Pick the option whose label contains `text` (member labels carry title and unit)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    assert value is not None
    select.select_option(value)


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def pdf_text(path: Path) -> str:
    result = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_from_worksheet_concern_to_action_agreement(page: Page, tmp_path: Path) -> None:
    # The teacher raises a concern with the worksheet: caught in criminal activity.
    log_in(page, "laerer")
    page.get_by_test_id("new-concern").click()
    form = page.get_by_test_id("concern-form")
    form.get_by_label("Et navngivet barn eller en ung").check()
    form.get_by_label("Fornavn").fill("Oliver")
    form.get_by_label("Efternavn").fill("Testesen")
    form.get_by_label("CPR-nummer").fill("010312-4123")
    form.get_by_label("Skole", exact=True).select_option(label="Østskolen")
    form.get_by_label("Klasse").fill("7.a")
    form.get_by_label("Forældremyndighedsindehaver").fill("Hanne Testesen")
    form.get_by_label("Hvordan har du fået kendskab til det?").select_option(
        label="Skolens arbejdsark"
    )
    form.get_by_label("Beskriv din bekymring").fill("Oliver blev taget i at stjæle en cykel.")
    form.get_by_label("Udfyld arbejdsarket").check()
    form.get_by_label("Er taget i kriminel handling").check()
    form.get_by_role("button", name="Send bekymringen").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("Din bekymring er modtaget")
    expect(page.get_by_test_id("receipt-forum")).to_have_text(
        "Det lokale SSP-samarbejde, Distrikt Øst"
    )
    expect(page.get_by_test_id("next-step")).to_contain_text("handlingsaftale")
    page.get_by_test_id("logout").click()

    # The coordinator sees that an action agreement is required and opens a case.
    log_in(page, "koordinator")
    page.get_by_test_id("new-concerns").get_by_role("link", name="Oliver Testesen").click()
    expect(page.get_by_test_id("action-required")).to_be_visible()
    open_form = page.get_by_test_id("open-case-form")
    open_form.get_by_label("Niveau").select_option("red")
    pick(open_form, "Behandles i", "Det lokale SSP-samarbejde, Distrikt Øst", search="Distrikt Øst")
    open_form.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oliver Testesen")
    expect(page.get_by_test_id("agreement-required")).to_be_visible()

    # Oral consent from the mother.
    consent = page.get_by_test_id("consent-form")
    choose(consent.get_by_label("Givet af"), "Hanne Testesen")
    consent.get_by_label("Form").select_option("oral")
    consent.get_by_role("button", name="Registrér samtykke").click()
    expect(page.get_by_test_id("consent")).to_contain_text("Mundtligt – Hanne Testesen")

    # The action agreement, with the social worker as coordinator and a task for her.
    page.get_by_role("link", name="Ny handlingsaftale").click()
    agreement = page.get_by_test_id("agreement-form")
    agreement.get_by_label("Første handling").fill("Møde med Oliver og hans mor på skolen.")
    pick(agreement, "Tovholder", "Sofie Dahl")
    pick(agreement, "Kontaktperson", "Lars Berg")
    agreement.get_by_label("Opgave").fill("Tilbyd familien en samtale i familieafdelingen")
    pick(agreement, "Ansvarlig", "Sofie Dahl")
    agreement.get_by_label("Frist").fill(in_days(30))
    agreement.get_by_role("button", name="Gem handlingsaftalen").click()
    expect(page.get_by_test_id("agreement")).to_contain_text("Møde med Oliver og hans mor")
    expect(page.get_by_test_id("tasks")).to_contain_text("Tilbyd familien en samtale")
    case_url = page.url

    # A task with a deadline beyond the two-year horizon: the page keeps the text and says why.
    page.get_by_text("Ny opgave").click()
    task = page.get_by_test_id("task-form")
    task.get_by_label("Opgave").fill("Følg op på fritidsjobbet")
    pick(task, "Ansvarlig", "Sofie Dahl")
    task.get_by_label("Frist").fill(in_days(3 * 365))
    task.get_by_role("button", name="Opret opgave").click()
    task = page.get_by_test_id("task-form")
    expect(task.get_by_test_id("form-errors")).to_be_visible()
    expect(task.get_by_label("Opgave")).to_have_value("Følg op på fritidsjobbet")
    task.get_by_label("Frist").fill(in_days(14))
    task.get_by_role("button", name="Opret opgave").click()
    expect(page.get_by_test_id("tasks")).to_contain_text("Følg op på fritidsjobbet")

    # The PDF for the meeting with the family.
    with page.expect_download() as download_info:
        page.get_by_test_id("agreement-pdf").click()
    pdf_path = tmp_path / "aftale.pdf"
    download_info.value.save_as(pdf_path)
    text = pdf_text(pdf_path)
    assert "SSP-handlingsaftale" in text
    assert "Oliver Testesen" in text
    assert "Sofie Dahl" in text
    assert "Tilbyd familien en samtale i familieafdelingen" in text
    page.get_by_test_id("logout").click()

    # The social worker sees the case and her task on her start page.
    log_in(page, "socialraadgiver")
    expect(page.get_by_test_id("my-tasks")).to_contain_text(
        "Tilbyd familien en samtale i familieafdelingen"
    )
    expect(page.get_by_test_id("my-cases")).to_contain_text("Oliver Testesen")
    page.get_by_test_id("my-cases").get_by_role("link", name="Oliver Testesen").click()
    expect(page).to_have_url(case_url)
    page.get_by_test_id("logout").click()

    # The housing worker (non-authority) raises a group concern; the case stays closed to her.
    log_in(page, "boligsocial")
    page.get_by_test_id("new-concern").click()
    form = page.get_by_test_id("concern-form")
    form.get_by_label("En gruppe").check()
    form.get_by_label("Ca. hvor mange?").fill("5")
    form.get_by_label("Alder fra").fill("12")
    form.get_by_label("Alder til").fill("16")
    form.get_by_label("Sted", exact=True).fill("Foran klubben")
    form.get_by_label("Hvordan har du fået kendskab til det?").select_option(
        label="Medarbejders iagttagelse"
    )
    form.get_by_label("Beskriv din bekymring").fill("Pigerne bliver hentet af ældre fyre i bil.")
    form.get_by_role("button", name="Send bekymringen").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    for url in (case_url, case_url + "handlingsaftale/1/pdf/", "/unge/?q=Oliver"):
        response = page.request.get(url)
        assert response.status in (403, 404), (url, response.status)
    api = page.request.get("/api/v1/cases/cases/" + case_url.rstrip("/").rsplit("/", 1)[1])
    assert api.status in (403, 404)
    page.goto("/sager/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen adgang")
    page.goto("/bekymringer/")
    expect(page.get_by_test_id("concerns")).not_to_contain_text("Oliver")


def test_the_politician_sees_no_personal_data(page: Page) -> None:
    log_in(page, "politiker")
    expect(page.get_by_role("navigation", name="Hovedmenu")).not_to_contain_text("Sager")
    for url in ("/", "/organisation/aadal/"):
        page.goto(url)
        for name in ("Emil", "Ali", "Noah", "Sandberg", "Berg Hansen"):
            expect(page.locator("main")).not_to_contain_text(name)
    for url in ("/sager/", "/sager/1/", "/bekymringer/", "/unge/?q=Ali", "/api/v1/cases/cases/1"):
        response = page.request.get(url)
        assert response.status in (403, 404), (url, response.status)
    assert page.request.get("/api/v1/cases/cases").json() == []


def test_the_coordinator_shows_the_full_cpr_on_request(page: Page) -> None:
    log_in(page, "koordinator")
    page.goto("/unge/?q=Ali")
    page.get_by_test_id("search-results").get_by_role("link", name="Ali Berg Hansen").click()
    person_url = page.url
    expect(page.get_by_test_id("cpr")).to_contain_text("250810-xxxx")
    page.get_by_test_id("show-cpr").click()
    expect(page.get_by_test_id("cpr")).to_have_text("250810-4315")
    expect(page.get_by_test_id("show-cpr")).to_have_count(0)
    assert page.url == person_url  # swapped in place (htmx), not a new page
