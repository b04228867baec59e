"""The checks of `make test` and `make a11y` catch what they promise (tests/a11y/checks.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.a11y.checks import DESKTOP, OVERFLOW_RULE, check_page
from tests.e2e.conftest import CHROMIUM_FLAGS, chromium_path

pytestmark = pytest.mark.e2e

PAGE = """<!DOCTYPE html><html lang="da"><head><title>Prøve</title></head><body><main>
<h1>Prøve</h1>
<span id="navn">Navn</span><span id="navn">Efternavn</span><input aria-labelledby="navn">
<input aria-label="Dato" aria-describedby="findes-ikke">
<div style="width: 600px">{wide}</div>
</main></body></html>"""


def test_duplicate_aria_ids_dangling_references_and_overflow_on_a_phone_are_found() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=DESKTOP)
        page.set_content(PAGE.format(wide="bred"))
        found = {(problem.width, problem.rule) for problem in check_page(page)}
        page.set_content(PAGE.format(wide="").replace('style="width: 600px"', ""))
        page.evaluate("() => document.querySelectorAll('#navn')[1].remove()")
        page.evaluate("() => document.querySelector('[aria-describedby]').remove()")
        clean = check_page(page)
        browser.close()
    # duplicate-id-aria is one of the rules axe reports as "incomplete": it counts all the same.
    assert {(1280, "duplicate-id-aria"), (390, "duplicate-id-aria")} <= found
    assert (1280, "aria-valid-attr-value") in found, found
    assert (390, OVERFLOW_RULE) in found and (1280, OVERFLOW_RULE) not in found
    assert clean == []
