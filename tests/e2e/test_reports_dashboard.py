"""R8 in Chromium: the politician opens the steering group's dashboard and sees the charts, each
with its table (for screen readers), and no names; the page meets WCAG 2.1 AA."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

DASHBOARD = "/rapporter/oversigt/"


def test_the_politician_sees_the_dashboards_charts_and_tables(page: Page) -> None:
    log_in(page, "politiker")
    page.goto(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overblik for styregruppen")
    figures = page.get_by_test_id("dashboard-figure")
    expect(figures).to_have_count(4)
    for title in (
        "Bekymringer indberettet",
        "Sager oprettet",
        "Forebyggende aktiviteter gennemført",
        "Frister overholdt til tiden",
    ):
        figure = figures.filter(has=page.get_by_role("heading", name=title, exact=True))
        expect(figure.get_by_role("img", name=title)).to_be_visible()
        table = figure.get_by_role("table", name=title)
        expect(table).to_be_visible()
        expect(table.get_by_role("row")).to_have_count(5)  # the header and four quarters
    expect(page.locator("main script")).to_have_count(0)


def test_the_dashboard_meets_wcag_21_aa(browser: Browser, live_server: Any, e2e_demo: None) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "politiker")
    page.goto(DASHBOARD)
    problems = violations(page)
    context.close()
    assert problems == []
