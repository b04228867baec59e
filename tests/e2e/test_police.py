"""R5 in Chromium: the weekly review of the police list, the deadline board, and worrying
absence turned into a concern by the school's SSP contact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

LIST = (
    "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n"
    "050512-4888;Åse Ærø;01-11-2026;20:00;Butikstyveri;E2E-1;Tog en taske\n"
)


def pick(picker: Locator, label: str, typed: str) -> None:
    """Type into a person picker and choose the match (the list comes from the server)."""
    picker.get_by_label(label, exact=True).fill(typed)
    picker.get_by_label("Sofie Dahl", exact=False).check()


def test_the_coordinator_imports_routes_and_sees_the_deadline_board(
    page: Page, tmp_path: Path
) -> None:
    police_list = tmp_path / "politiets-liste.csv"
    police_list.write_bytes(LIST.encode("cp1252"))  # as Excel writes it
    log_in(page, "koordinator")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Politiets lister"
    ).click()
    page.get_by_test_id("import-form").get_by_label("Fil (CSV eller Excel)").set_input_files(
        police_list
    )
    page.get_by_test_id("import-form").get_by_role("button", name="Indlæs").click()
    expect(page.get_by_text("1 rapport er importeret")).to_be_visible()
    page.get_by_role("link", name="Til politiets lister").click()  # from the import's page

    # The queue is paginated; the routing form is opened on demand, its pickers search.
    item = page.get_by_test_id("queue-item").filter(has_text="Åse Ærø")
    expect(item).to_contain_text("Tyveri")
    expect(item.get_by_label("Fordeles til")).to_have_count(0)
    item.get_by_role("link", name="Fordel").click()
    item.get_by_label("Fordeles til").select_option("social_worker")
    pick(item.locator("[data-testid$='-member']"), "Person", "Sofie")
    pick(item.locator("[data-testid$='-home_contact']"), "Kontakter hjemmet", "Sofie")
    item.get_by_role("button", name="Fordel").click()
    expect(page.get_by_text("Rapporten er fordelt")).to_be_visible()
    expect(page.get_by_test_id("queue-item").filter(has_text="Åse Ærø")).to_have_count(0)
    expect(page.get_by_test_id("routed")).to_contain_text("Åse Ærø")

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Frister").click()
    board = page.get_by_test_id("deadline-board")
    expect(board.locator("[data-colour=overdue]").first).to_be_visible()
    overdue_colour = board.locator("[data-colour=overdue] td").first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )
    assert overdue_colour == "rgb(248, 215, 212)"  # red
    new_row = board.get_by_test_id("deadline").filter(has_text="Åse Ærø")
    expect(new_row).to_have_attribute("data-colour", "on_time")
    expect(new_row).to_contain_text("Sofie Dahl")
    # Overdue first: no deadline in time comes before an overdue one.
    colours = board.get_by_test_id("deadline").evaluate_all(
        "rows => rows.map(row => row.dataset.colour)"
    )
    assert colours.index("on_time") > max(i for i, c in enumerate(colours) if c == "overdue")

    new_row.get_by_role("button", name="Registrér").click()
    expect(page.get_by_text("Fristen er markeret som overholdt.")).to_be_visible()
    expect(
        page.get_by_test_id("deadline-board").get_by_test_id("deadline").filter(has_text="Åse Ærø")
    ).to_have_count(0)


def test_a_school_contact_sees_worrying_absence_and_raises_a_concern(page: Page) -> None:
    log_in(page, "laerer")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Fravær").click()
    row = page.get_by_test_id("absence-row").filter(has_text="120312-xxxx")
    expect(row).to_contain_text("Ny")
    row.get_by_role("link", name="Rejs bekymring").click()
    form = page.get_by_test_id("concern-form")
    expect(form.get_by_label("Fornavn")).to_have_value("Emil")
    # Masked in the page: the number itself is taken from the absence record on the server.
    expect(form.get_by_label("CPR-nummer")).to_have_value("120312-xxxx")
    expect(form.get_by_label("Hvordan har du fået kendskab til det?")).to_have_value("absence")
    form.get_by_role("button", name="Send bekymringen").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    expect(page.get_by_test_id("receipt-forum")).to_have_text(
        "Det lokale SSP-samarbejde, Distrikt Øst"
    )


def test_a_council_after_its_deadline_asks_for_the_reason_and_shows_it_on_the_board(
    page: Page,
) -> None:
    """R5: the demo's open council deadline has passed; calling the council anyway keeps the
    coordinator on the form until she writes why, and the board shows the reason."""
    log_in(page, "koordinator")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Frister").click()
    page.get_by_role("link", name="Indkald netværkssamråd").first.click()
    form = page.get_by_test_id("council-form")
    form.get_by_label("Tidspunkt").fill(
        f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}T15:00"
    )
    form.get_by_label("Sted").fill("Rådhuset, mødelokale 2")  # issue 16: required
    form.get_by_label("Sofie Dahl").check()
    form.get_by_label("Netværk (fx træner, morfar)").fill("Træneren")
    form.get_by_role("button", name="Indkald").click()

    expect(page.get_by_text("Skriv hvorfor samrådet holdes efter fristen.")).to_be_visible()
    form = page.get_by_test_id("council-form")
    expect(form.get_by_label("Netværk (fx træner, morfar)")).to_have_value("Træneren")
    form.get_by_label("Begrundelse, hvis samrådet holdes efter fristen").fill(
        "Forældrene var bortrejst."
    )
    form.get_by_role("button", name="Indkald").click()
    expect(page.get_by_text("Netværkssamrådet er indkaldt.")).to_be_visible()

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Frister").click()
    late = page.get_by_test_id("council").filter(has_text="Forældrene var bortrejst.")
    expect(late.get_by_test_id("council-late")).to_contain_text("Efter fristen")
