"""Effect measurement in Chromium: the coordinator uploads the police's figures as CSV through
the page and sees the trend against the goal; a broken file shows the row report and nothing is
imported."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ssp.organisation.models import Municipality
from ssp.reports.models import CrimeFigure, EffectImport
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

EFFECT = "/rapporter/effekt/"
GOOD = (
    "År;Aldersgruppe;Forholdsgruppe;Opgørelse;Antal\n"
    "2021;15-17 år;Vold;Sigtede;20\n"
    "2021;15-17 år;Tyveri;Sigtede;30\n"
    "2022;15-17 år;Vold;Sigtede;18\n"
    "2022;15-17 år;Tyveri;Sigtede;25\n"
    "2023;15-17 år;Vold;Sigtede;12\n"
    "2023;15-17 år;Tyveri;Sigtede;26\n"
)
BROKEN = (
    "År;Aldersgruppe;Forholdsgruppe;Antal\n"
    "2024;15-17 år;Vold;10\n"
    "2024;15-17 år;Tyveri;mange\n"
    "2024;12-14 år;Vold;7\n"
)


def upload(page: Page, name: str, text: str) -> None:
    form = page.get_by_test_id("effect-import")
    form.get_by_label("Fil (CSV eller Excel)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    form.get_by_role("button", name="Indlæs").click()


def test_the_coordinator_uploads_the_police_figures_and_sees_the_trend(page: Page) -> None:
    EffectImport.objects.filter(municipality__slug="aadal").delete()
    log_in(page, "koordinator")
    page.goto(EFFECT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Effektmåling")
    expect(page.get_by_test_id("effect-empty")).to_be_visible()

    upload(page, "politiets-tal.csv", BROKEN)
    errors = page.get_by_test_id("effect-import-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("Række 3: Antal skal være et helt tal")
    expect(page.get_by_test_id("effect-empty")).to_be_visible()
    assert not CrimeFigure.objects.filter(municipality__slug="aadal").exists()

    upload(page, "politiets-tal.csv", GOOD)
    expect(page.get_by_text("Filen er indlæst: 6 rækker for 2021, 2022, 2023.")).to_be_visible()
    figure = page.get_by_test_id("effect-crime")
    expect(figure).to_have_count(1)
    title = "Effektmåling: Sigtede unge efter forholdsgruppe"
    expect(figure.get_by_role("img", name=f"{title}, i alt pr. år")).to_be_visible()
    table = figure.get_by_role("table", name=title)
    expect(table.get_by_role("row", name="Tyveri")).to_contain_text("Ikke faldende")
    expect(table.get_by_role("row", name="Vold")).to_contain_text("Faldende som målet")
    expect(figure.get_by_test_id("effect-total-verdict")).to_contain_text("Faldende som målet")
    expect(page.get_by_test_id("effect-imports")).to_contain_text("Mette Holm")
    assert Municipality.objects.filter(slug="aadal").exists()
