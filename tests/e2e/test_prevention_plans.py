"""R7 in Chromium: a coordinator makes this year's annual plan of the local group Vest as a copy
of last year's, adds an activity under the focus area "Fravær", marks it done and evaluates it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from ssp.prevention.models import ActivityStatus, AnnualPlan, FocusArea
from ssp.prevention.services import current_school_year
from tests.e2e.conftest import log_in, pick
from tests.e2e.test_accessibility import violations
from tests.e2e.test_prevention import open_prevention

pytestmark = pytest.mark.e2e

VEST = "Det lokale SSP-samarbejde, Distrikt Vest"


def test_a_coordinator_copies_last_years_plan_and_evaluates_an_activity(page: Page) -> None:
    log_in(page, "koordinator")
    open_prevention(page)
    page.get_by_test_id("prevention-nav").get_by_role("link", name="Årsplaner").click()
    page.get_by_role("link", name="Ny årsplan").click()

    form = page.get_by_test_id("plan-form")
    pick(form, "Forum", VEST, search="Vest")
    expect(form.get_by_label("Start med en kopi af sidste års plan")).to_be_checked()
    form.get_by_role("button", name="Opret årsplan").click()

    expect(page.get_by_text("Årsplanen er oprettet.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(VEST)
    activities = page.get_by_test_id("activity")
    expect(activities).to_have_count(3)
    for row in range(3):
        expect(activities.nth(row)).to_contain_text("Planlagt")
    expect(page.get_by_test_id("activities")).to_contain_text("Oplæg om sociale medier")
    expect(page.get_by_test_id("plan-status")).to_contain_text("Kladde")

    page.get_by_role("link", name="Ny aktivitet").click()
    form = page.get_by_test_id("activity-form")
    day = (timezone.localdate() + timedelta(days=45)).isoformat()
    area = FocusArea.objects.get(forum__key="styregruppe", title="Fravær")
    form.get_by_label("Aktivitet", exact=True).fill("Forældremøde om fravær")
    form.get_by_label("Type").select_option(label="Forældremøde")
    form.get_by_label("Fokusområde").select_option(
        label=f"Fravær ({area.starts_on:%d.%m.%Y}–{area.ends_on:%d.%m.%Y})"
    )
    form.get_by_label("Målgruppe").fill("Forældre i 7. klasse")
    form.get_by_label("Fra klassetrin").fill("7")
    form.get_by_label("Til klassetrin").fill("7")
    form.get_by_label("Fra dato").fill(day)
    form.get_by_label("Til dato").fill(day)
    form.get_by_role("button", name="Gem").click()

    expect(page.get_by_text("Aktiviteten er gemt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Forældremøde om fravær")).to_be_visible()
    facts = page.get_by_test_id("activity-facts")
    expect(facts).to_contain_text("Fravær")
    expect(page.get_by_test_id("activity-status")).to_have_text("Planlagt")

    page.get_by_role("button", name="Markér som gennemført").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("Gennemført")

    page.get_by_role("link", name="Evaluér").click()
    evaluation = page.get_by_test_id("evaluation-form")
    evaluation.get_by_label("Antal nået").fill("31")
    evaluation.get_by_label("Hvad virkede").fill("Forældrene lavede fælles aftaler om morgener.")
    evaluation.get_by_role("button", name="Gem evaluering").click()

    expect(page.get_by_text("Evalueringen er gemt.")).to_be_visible()
    expect(page.get_by_test_id("activity-status")).to_have_text("Evalueret")
    expect(page.get_by_test_id("evaluation")).to_contain_text("31")

    page.get_by_role("link", name="Til årsplan").click()
    expect(page.get_by_test_id("activities")).to_contain_text("Forældremøde om fravær")
    expect(
        page.get_by_test_id("activity").filter(has_text="Forældremøde om fravær")
    ).to_contain_text("Evalueret")


def test_the_plan_pages_meet_wcag_21_aa(browser: Browser, live_server: Any, e2e_demo: None) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "koordinator")
    oest = AnnualPlan.objects.get(forum__key="lokal-ssp-oest", school_year=current_school_year())
    evaluated = oest.activities.get(status=ActivityStatus.EVALUATED)
    done = oest.activities.filter(status=ActivityStatus.DONE).first()
    area = FocusArea.objects.get(forum__key="styregruppe", title="Fravær")
    assert done is not None
    urls = (
        reverse("prevention:focus_areas"),
        reverse("prevention:focus_area", args=[area.pk]),
        reverse("prevention:focus_area_new"),
        reverse("prevention:plans"),
        reverse("prevention:plan_new"),
        reverse("prevention:plan", args=[oest.pk]),
        reverse("prevention:activity", args=[evaluated.pk]),
        reverse("prevention:activity_new", args=[oest.pk]),
        reverse("prevention:activity_evaluate", args=[done.pk]),
    )
    problems = {}
    for url in urls:
        page.goto(url)
        problems[url] = violations(page)
    context.close()
    assert {url: items for url, items in problems.items() if items} == {}
