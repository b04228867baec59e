"""WCAG 2.1 A/AA with axe-core on one page per URL name and demo role, at 1280 and 390 px.

For every demo role, every named GET route that tests/test_routes.py's POLICY lets the role
reach (200) is opened once, with the URL arguments of `fill_kwargs`, and checked by
tests/a11y/checks.py: axe at 1280 px, then at 390 px (the viewport narrows, no second load) with
no sideways scrolling. Any violation fails, whatever its impact; `aria-valid-attr-value` and
`duplicate-id-aria` fail also as "incomplete". `make a11y` (tests/a11y/crawl.py) runs the same
checks over every page a role reaches by links.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page

from ssp.organisation.models import Municipality
from tests.a11y.checks import DESKTOP, check_page
from tests.e2e.conftest import log_in
from tests.test_routes import OK, POLICY, ROLES, all_routes, fill_kwargs

pytestmark = pytest.mark.e2e

# Named GET routes that answer with something other than a page: downloads (PDF, Excel, iCal,
# attachments), the pickers' HTML fragments (names ending in "_search") and JSON.
NOT_PAGES = frozenset(
    {
        "healthz",
        "audit:supervision_disclosures_xlsx",
        "cases:agreement_pdf",
        "meetings:attachment",
        "meetings:forum_feed",
        "meetings:my_feed",
        "meetings:pdf",
        "meetings:public_pdf",
        "police:council_letter",
        "prevention:calendar_feed",
        "prevention:plan_pdf",
        "prevention:plan_xlsx",
        "reports:pdf",
        "reports:public_pdf",
        "reports:xlsx",
    }
)


def is_page(name: str) -> bool:
    return not (name in NOT_PAGES or name.startswith("api:") or name.endswith("_search"))


def pages_of(role: str) -> list[str]:
    """The route names whose page the role reaches (200 in the policy)."""
    routes = all_routes()
    return sorted(
        name
        for name, policy in POLICY.items()
        if policy.get(role) == OK and name in routes and is_page(name)
    )


def test_every_role_has_pages_to_check() -> None:
    assert "home" in pages_of("tilsyn")
    assert "cases:case_detail" in pages_of("koordinator")
    assert "cases:case_detail" not in pages_of("laerer")
    assert not any(name.startswith("api:") or name in NOT_PAGES for name in pages_of("admin"))


@pytest.fixture
def role_page(browser: Browser, live_server: Any, e2e_demo: None) -> Iterator[Page]:
    # axe is injected through the DevTools protocol; the app's CSP stays as it is.
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=DESKTOP, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_at_both_widths(role: str, role_page: Page) -> None:
    page = role_page
    demo = Municipality.objects.get(slug="aadal")
    routes = all_routes()
    started = time.monotonic()
    log_in(page, role)
    page.wait_for_url(lambda url: "/konto/login/" not in url)
    names = pages_of(role)
    problems: dict[str, list[str]] = {}
    for name in names:
        url = reverse(name, kwargs=fill_kwargs(name, routes[name], demo))
        response = page.goto(url)
        assert response is not None, url
        content_type = response.headers.get("content-type", "")
        if response.status != 200 or not content_type.startswith("text/html"):
            problems[f"{name} {url}"] = [
                f"answered {response.status} {content_type} (not a page? see NOT_PAGES)"
            ]
            continue
        if found := check_page(page):
            problems[f"{name} {url}"] = [str(problem) for problem in found]
    print(f"\n{role}: {len(names)} pages in {time.monotonic() - started:.1f} s")
    assert problems == {}, "\n".join(
        f"{role} {where}:\n  " + "\n  ".join(items) for where, items in problems.items()
    )
