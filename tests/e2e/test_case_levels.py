"""Issue 16 in Chromium: the coordinator changes a case's level with a reason and sees it on the
timeline; a green group concern becomes an activity in the prevention plan."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ssp.cases.models import Case, Concern, ConcernStatus, ConcernSubject
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

REASON = "Ny anmeldelse; sagen følges nu på gult niveau med skolen."


def test_the_coordinator_changes_the_level_and_sees_it_on_the_timeline(page: Page) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    log_in(page, "koordinator")
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    page.get_by_test_id("level-details").locator("summary").click()
    form = page.get_by_test_id("level-form")
    form.get_by_label("Niveau").select_option(label="Gul – specifik forebyggelse")
    form.get_by_label("Begrundelse").fill(REASON)
    form.get_by_role("button", name="Skift niveau").click()
    expect(page.get_by_text("Sagens niveau er ændret.")).to_be_visible()
    expect(page.get_by_test_id("level-changes")).to_contain_text(REASON)
    expect(page.get_by_test_id("level-changes")).to_contain_text("Rød – individorienteret")
    expect(page.get_by_test_id("timeline")).to_contain_text("Niveau ændret fra Rød til Gul.")
    # The same level again is refused with a reason, and the user's text stays on the form.
    page.goto(reverse("cases:case_level", args=[case.pk]))
    page.get_by_test_id("level-form").get_by_label("Begrundelse").fill("Igen")
    page.get_by_test_id("level-form").get_by_role("button", name="Skift niveau").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("allerede på dette niveau")
    expect(page.get_by_test_id("level-form").get_by_label("Begrundelse")).to_have_value("Igen")


def test_a_green_group_concern_becomes_an_activity_in_the_plan(page: Page) -> None:
    concern = Concern.objects.filter(subject=ConcernSubject.GROUP).order_by("pk")[0]
    log_in(page, "koordinator")
    page.goto(reverse("cases:concern_detail", args=[concern.pk]))
    page.get_by_test_id("to-prevention-link").click()
    form = page.get_by_test_id("prevention-form")
    expect(form.get_by_label("Sted")).to_have_value("Foran Ungdomsklubben Øst")
    form.get_by_label("Aktivitet").fill("Opsøgende arbejde foran klubben")
    form.get_by_role("button", name="Opret aktiviteten").click()
    expect(page.get_by_text("Bekymringen er nu en aktivitet i forebyggelsesplanen")).to_be_visible()
    expect(page.get_by_test_id("concern-status")).to_have_text(
        "Overført til den generelle forebyggelse"
    )
    page.get_by_test_id("concern-activity").get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("Opsøgende arbejde foran klubben")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.PREVENTION
