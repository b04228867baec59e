"""WCAG 2.1 AA (the rule for Danish public-sector systems), checked with axe-core in Chromium on
the main pages. Serious and critical violations fail the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/",
    "/organisation/aadal/",
    "/organisation/aadal/kontakt/",
    "/bekymringer/",
    "/bekymringer/ny/",
    "/sager/",
    "/moeder/",
    "/frister/",
    "/politi/",
    "/fravaer/",
    "/hotspots/",
    "/konto/",
]


@pytest.fixture
def axe_page(browser: Browser, live_server: Any, e2e_demo: None) -> Iterator[Page]:
    # axe is injected through the DevTools protocol; the app's CSP stays as it is.
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_main_pages_meet_wcag_21_aa(axe_page: Page) -> None:
    page = axe_page
    page.goto("/konto/login/")
    problems = {"/konto/login/": violations(page)}
    log_in(page, "koordinator")
    for url in PAGES:
        page.goto(url)
        problems[url] = violations(page)
    page.goto("/sager/")
    page.get_by_test_id("cases").get_by_role("link").first.click()
    problems["case page"] = violations(page)
    page.goto("/moeder/")
    page.get_by_test_id("upcoming").get_by_role("link").first.click()
    problems["meeting page"] = violations(page)
    page.context.clear_cookies()
    page.goto("/offentlig/aadal/moeder/")
    page.get_by_test_id("public-meetings").get_by_role("link").first.click()
    problems["public protocol"] = violations(page)
    found = {url: items for url, items in problems.items() if items}
    assert found == {}, found
