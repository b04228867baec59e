"""Browser tests in real Chromium (Debian's package) driven by Playwright, against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from tests.demo_snapshot import ensure_demo

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the fixtures
# here are ordinary blocking calls in the test thread, which is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("SSP_E2E_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        raise RuntimeError(
            "Chromium was not found. Install Debian's package (apt-get install chromium) "
            "or set SSP_E2E_CHROMIUM to its path."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_demo(transactional_db: None) -> None:
    """The demo data; the live server's tests flush the database, so bring it back."""
    ensure_demo()


@pytest.fixture
def page(browser: Browser, live_server: Any, e2e_demo: None) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, username: str, password: str = "demo") -> None:
    page.goto("/konto/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


def pick(
    scope: Locator, label: str, option: str, *, search: str | None = None, exact: bool = True
) -> None:
    """Choose in a person or forum picker (ssp/autocomplete.py): type into its search box and
    check the match whose label contains `option` (member labels carry title and unit)."""
    box = scope.get_by_label(label, exact=exact)
    box.fill(search or option)
    picker = box.locator("xpath=ancestor::*[@data-ssp-ac][1]")
    picker.locator(".ssp-ac-results, .ssp-ac-chosen").get_by_label(option).first.check()
