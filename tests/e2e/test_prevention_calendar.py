"""R7 in Chromium: the coordinator sees the coming activities under the standing item
"Koordinering af oplæg, ..." of the local group Øst's next agenda; a teacher finds the month's
activities in the activities calendar. Both use the demo's plan of the local group Øst
(`ssp/prevention/demo.py`: "Oplæg om sociale medier" for 7. klasse at Østskolen)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from ssp.access import get_actor
from ssp.meetings.models import Meeting
from ssp.organisation.demo import COORDINATION_ITEM
from ssp.prevention.coordination import content
from ssp.prevention.models import Activity
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_prevention import open_prevention

pytestmark = pytest.mark.e2e

DEMO_TALK = "Oplæg om sociale medier"
LOCAL_GROUP = "Det lokale SSP-samarbejde, Distrikt Øst"


def upcoming_oest() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status="planned")


def test_the_coordinator_sees_the_coming_activities_under_the_coordination_item(
    page: Page,
) -> None:
    meeting = upcoming_oest()
    coordinator = get_actor(User.objects.get(username="koordinator"))
    expected = content(coordinator, meeting).rows
    assert expected, "the demo plans activities in the coming period of the Øst meeting"

    log_in(page, "koordinator")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    page.get_by_test_id("upcoming").get_by_role("link", name=LOCAL_GROUP).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(LOCAL_GROUP)
    item = page.get_by_test_id("agenda-item").filter(has_text=COORDINATION_ITEM[:40])
    panel = item.get_by_test_id("item-panel")
    expect(panel).to_contain_text("Kommende oplæg, undervisning og arrangementer i området")
    rows = panel.get_by_test_id("panel-row")
    expect(rows).to_have_count(len(expected))
    for shown, row in zip(rows.all(), expected, strict=True):
        expect(shown).to_contain_text(row.text)
        expect(shown).to_contain_text(row.when)
    if any(row.text.startswith(DEMO_TALK) for row in expected):
        expect(panel).to_contain_text("7. klasse")
        expect(panel).to_contain_text("Østskolen")
    first_title = expected[0].text.split(" · ")[0]
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first_title)
    # The calendar, filtered to the forum's area, from the panel's link.
    page.go_back()
    page.get_by_test_id("item-panel").get_by_role("link", name="aktivitetskalenderen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktivitetskalender")
    expect(page.get_by_label("Med underfora og distriktets skoler")).to_be_checked()


def test_a_teacher_finds_the_months_activities_in_the_calendar(page: Page) -> None:
    talk = Activity.objects.filter(
        title=DEMO_TALK, plan__forum__key="lokal-ssp-oest", status="planned"
    ).earliest("starts_on")
    log_in(page, "laerer")
    open_prevention(page)
    page.get_by_test_id("prevention-nav").get_by_role("link", name="Aktivitetskalender").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktivitetskalender")
    month = page.get_by_test_id("calendar-month")
    expect(month).not_to_be_empty()
    if DEMO_TALK not in page.locator("main").inner_text():
        page.get_by_test_id("next-month").click()  # the talk is early next month
    calendar = page.get_by_test_id("calendar")
    row = calendar.get_by_test_id("calendar-activity").filter(has_text=DEMO_TALK).first
    expect(row).to_contain_text("Planlagt")
    expect(row).to_contain_text("7. klasse")
    expect(row).to_contain_text("Østskolen")
    expect(month).to_contain_text(str(talk.starts_on.year))

    # Only theme days: the talk goes; the kind is kept in the filter.
    page.get_by_test_id("calendar-filter").get_by_label("Type").select_option("theme_day")
    page.get_by_test_id("calendar-filter").get_by_role("button", name="Vis").click()
    expect(page.get_by_test_id("calendar-filter").get_by_label("Type")).to_have_value("theme_day")
    expect(page.locator("main")).not_to_contain_text(DEMO_TALK)

    # The subscription address for Outlook.
    expect(page.get_by_test_id("calendar-feed")).to_have_attribute(
        "href", re.compile(r"/forebyggelse/kalender/[^/]+\.ics$")
    )


def test_the_calendar_meets_wcag_21_aa(browser: Browser, live_server: Any, e2e_demo: None) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "laerer")
    page.goto("/forebyggelse/kalender/")
    problems = violations(page)
    context.close()
    assert problems == []
