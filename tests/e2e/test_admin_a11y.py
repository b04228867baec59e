"""Issue 15, accessibility of the Django admin: the split date and time inputs, the cells of the
tabular inlines and the autocomplete (select2) boxes are named, and the breadcrumb links are
underlined with enough contrast (they were white beside light blue text, 1.42:1, without an
underline). Checked with axe-core (WCAG 2.1 A and AA, every impact) in Chromium on a changelist,
a change form with date and time fields and an add form with empty autocomplete boxes, and in
the rendered HTML of a form with tabular inlines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from ssp.organisation.models import Forum, Municipality
from tests.a11y.checks import check_page
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_page(browser: Browser, live_server: Any, e2e_demo: None) -> Iterator[Page]:
    # axe is injected through the DevTools protocol; the app's CSP stays as it is.
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    """axe at 1280 and 390 px, every impact, with the two strict rules (tests/a11y/checks.py)."""
    return [str(problem) for problem in check_page(page)]


def test_admin_pages_have_named_widgets_and_readable_breadcrumbs(admin_page: Page) -> None:
    page = admin_page
    log_in(page, "admin")
    user_id = User.objects.get(username="laerer").pk
    problems: dict[str, list[str]] = {}
    for url in (
        "/admin/organisation/membership/",
        f"/admin/auth/user/{user_id}/change/",
        "/admin/auth/group/add/",
        "/admin/organisation/membership/add/",
    ):
        page.goto(url)
        problems[url] = violations(page)
    assert {url: found for url, found in problems.items() if found} == {}
    # The last page: each empty select2 box is named by its field's label.
    expect(page.get_by_role("combobox", name="Medlem")).to_have_count(1)
    expect(page.get_by_role("combobox", name="Forum")).to_have_count(1)
    crumb = page.locator("div.breadcrumbs a").first
    assert crumb.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    # The user's page: both halves of "last login" carry a name.
    page.goto(f"/admin/auth/user/{user_id}/change/")
    expect(page.get_by_label("Sidst logget ind: dato")).to_have_count(1)
    expect(page.get_by_label("Sidst logget ind: tidspunkt")).to_have_count(1)


@pytest.mark.django_db
def test_every_input_of_a_tabular_inline_row_is_named(demo: Municipality) -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    forum = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    html = client.get(f"/admin/organisation/forum/{forum.pk}/change/").content.decode()
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    unnamed = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit|button)"', tag) or "__prefix__" in tag:
            continue
        ident = re.search(r'\bid="([^"]+)"', tag)
        if "aria-label=" not in tag and (ident is None or ident.group(1) not in labelled):
            unnamed.append(tag)
    assert unnamed == []
    assert re.search(
        r'id="id_memberships-0-member"[^>]*aria-label="Medlem"|aria-label="Medlem"[^>]*id="id_memberships-0-member"',
        html,
    )
    assert 'aria-label="Slet"' in html
