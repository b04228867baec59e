"""The person picker in Chromium (ssp/autocomplete.py): the case page loads its task form on
demand, the user types two letters, picks a person among the matches and submits the task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ssp.cases.models import Case
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import axe_page, violations

__all__ = ["axe_page"]  # the fixture, shared with the accessibility test

pytestmark = pytest.mark.e2e


def test_it_finds_a_person_by_typing_and_gives_them_a_task(page: Page) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    log_in(page, "koordinator")
    page.goto(f"/sager/{case.pk}/")
    # The form is not on the page until it is opened: the page stays small.
    expect(page.get_by_test_id("task-form")).to_have_count(0)
    page.get_by_test_id("task-details").get_by_text("Ny opgave").click()
    form = page.get_by_test_id("task-form")
    form.get_by_label("Opgave", exact=True).fill("Aftal et møde med klubben")
    # With JavaScript the matches come while typing; the no-JS "Søg" button is gone.
    expect(form.get_by_role("button", name="Søg")).to_have_count(0)
    box = form.get_by_label("Ansvarlig", exact=True)
    box.press_sequentially("Sof", delay=60)
    expect(form.get_by_role("status")).to_contain_text("fundet")
    match = form.locator(".ssp-ac-results").get_by_label("Sofie Dahl")
    expect(match).to_be_visible()
    # Keyboard: arrow down from the search box to the matches, then choose.
    box.press("ArrowDown")
    expect(form.locator(".ssp-ac-results input").first).to_be_focused()
    match.check()
    due = timezone.localdate() + timedelta(days=10)
    form.get_by_label("Frist").fill(due.isoformat())
    form.get_by_role("button", name="Opret opgave").click()
    expect(page.get_by_test_id("tasks")).to_contain_text("Aftal et møde med klubben")
    expect(page.get_by_test_id("tasks")).to_contain_text("Sofie Dahl")


def test_a_new_search_keeps_the_people_already_chosen(page: Page) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    log_in(page, "koordinator")
    page.goto(f"/sager/{case.pk}/")
    page.get_by_test_id("disclosure-details").get_by_text("Registrér videregivelse").click()
    form = page.get_by_test_id("disclosure-form")
    receivers = form.get_by_label("Modtagere", exact=True)
    receivers.fill("Sofie")
    form.locator(".ssp-ac-results").get_by_label("Sofie Dahl").check()
    receivers.fill("Lars")
    form.locator(".ssp-ac-results").get_by_label("Lars Berg").check()
    receivers.fill("xq")
    expect(form.get_by_role("status").last).to_contain_text("Ingen fundet")
    chosen = form.locator(".ssp-ac-chosen")
    expect(chosen.get_by_label("Sofie Dahl")).to_be_checked()
    expect(chosen.get_by_label("Lars Berg")).to_be_checked()


def test_the_pickers_meet_wcag_21_aa_with_matches_shown(axe_page: Page) -> None:
    page = axe_page
    case = Case.objects.get(young_person__first_name="Ali")
    log_in(page, "koordinator")
    page.goto(f"/sager/{case.pk}/videregivelse/")
    form = page.get_by_test_id("disclosure-form")
    form.get_by_label("Givet af", exact=True).fill("Sofie")
    form.get_by_label("Modtagere", exact=True).fill("Lars")
    expect(form.locator(".ssp-ac-results").get_by_label("Lars Berg")).to_be_visible()
    expect(form.locator(".ssp-ac-results").get_by_label("Sofie Dahl")).to_be_visible()
    assert violations(page) == []
