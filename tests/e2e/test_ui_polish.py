"""Issue 15 points 5 and 6 in Chromium: long unbroken text wraps on a phone, tables that scroll
in their box are reachable by keyboard, and the favicon is served."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize

from ssp.cases.models import Case, Task
from ssp.organisation.models import Forum, Member
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, live_server: Any, e2e_demo: None) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the phone's screen (0: no sideways scrolling)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def test_long_unbroken_text_and_feed_addresses_fit_a_phone(phone: Page) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    unbroken = "Ringtilklasselæreren" * 25  # 500 characters without a space: the column's max
    Task.objects.create(
        case=case,
        owner=Member.objects.get(user__username="koordinator"),
        description=unbroken,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    log_in(phone, "koordinator")
    phone.goto(f"/sager/{case.pk}/")
    assert phone.get_by_text(unbroken).is_visible()
    assert overflow(phone) == 0
    phone.goto("/moeder/")
    assert phone.get_by_test_id("feed-url").is_visible()
    assert overflow(phone) == 0
    forum = Forum.objects.get(municipality__slug="aadal", key="ssp-team")
    phone.goto(f"/organisation/fora/{forum.pk}/")
    assert overflow(phone) == 0


def test_a_table_that_scrolls_in_its_box_is_reached_and_scrolled_by_keyboard(
    phone: Page,
) -> None:
    log_in(phone, "koordinator")
    forum = Forum.objects.get(municipality__slug="aadal", key="ssp-team")
    phone.goto(f"/organisation/fora/{forum.pk}/")
    region = phone.get_by_role("region", name="Sammensætning")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should scroll"
    region.focus()
    assert region.evaluate("el => el === document.activeElement")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the scroll to move (fails after 5 s if it never does).
    phone.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
    assert overflow(phone) == 0


def test_the_favicon_is_linked_and_served(phone: Page) -> None:
    phone.goto("/konto/login/")
    href = phone.locator('link[rel="icon"]').get_attribute("href")
    assert href and href.endswith(".svg")
    response = phone.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.body()
