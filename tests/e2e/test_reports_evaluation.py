"""The biennial evaluation in Chromium: the coordinator makes an evaluation for Distrikt Øst's
local group and sends it out, a member of the group (the teacher) finds the invitation on her
start page and answers; the coordinator sees that one has answered and no figures while it is
open, closes it, and still sees no figures (fewer than 5 answers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from tests.e2e.conftest import log_in, pick

pytestmark = pytest.mark.e2e

FORUM = "Det lokale SSP-samarbejde, Distrikt Øst"
TITLE = "Evaluering af opgaverne i Distrikt Øst"


def accept_confirmations(page: Page) -> None:
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)


def test_the_coordinator_sends_an_evaluation_a_member_answers_it(page: Page) -> None:
    accept_confirmations(page)
    log_in(page, "koordinator")
    page.goto("/rapporter/evalueringer/")
    page.get_by_test_id("evaluation-new").click()
    form = page.get_by_test_id("evaluation-form")
    form.get_by_label("Titel").fill(TITLE)
    form.get_by_label("Indledning").fill("Tre korte spørgsmål om jeres opgaver.")
    closes_on = timezone.localdate() + timedelta(days=14)
    form.get_by_label("Svarfrist").fill(closes_on.isoformat())
    pick(form, "Fora", FORUM, search="Distrikt Øst")
    form.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Kladde")
    page.get_by_test_id("evaluation-send").get_by_role("button", name="Send ud").click()
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Sendt ud")

    page.context.clear_cookies()
    log_in(page, "laerer")
    invitation = page.get_by_test_id("evaluation-invitation")
    expect(invitation).to_contain_text(TITLE)
    invitation.get_by_role("link").click()
    answer = page.get_by_test_id("evaluation-answer-form")
    answer.get_by_role("group", name="Er forummets opgaver stadig relevante?").get_by_label(
        "Ja"
    ).check()
    answer.get_by_role("group", name="Giver arbejdet i forummet mening for dig?").get_by_label(
        "Delvist"
    ).check()
    answer.get_by_role(
        "group", name="Bidrager forummet til at forebygge kriminalitet blandt børn og unge?"
    ).get_by_label("Ja").check()
    answer.get_by_label("Kommentar (frivillig)").fill("Gode møder, men for lange.")
    answer.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Tak for dit svar.")).to_be_visible()
    expect(page.get_by_test_id("evaluation-invitation")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, "koordinator")
    page.goto("/rapporter/evalueringer/")
    page.get_by_test_id("evaluation-row").get_by_role("link", name=TITLE).click()
    # Open: no figures, no comments; staff see how many answered so far.
    expect(page.get_by_test_id("evaluation-answered")).to_have_text("1")
    expect(page.get_by_test_id("evaluation-pending")).to_be_visible()
    expect(page.get_by_test_id("report-table")).to_have_count(0)
    expect(page.get_by_test_id("evaluation-comments")).to_have_count(0)
    page.get_by_test_id("evaluation-close").get_by_role("button", name="Afslut").click()
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Afsluttet")
    # Closed with one answer (fewer than 5): nothing is published, not even to staff.
    expect(page.get_by_test_id("evaluation-responses")).to_have_text("<5")
    expect(page.get_by_test_id("evaluation-too-few")).to_contain_text("Færre end 5 har svaret")
    expect(page.get_by_test_id("report-table")).to_have_count(0)
    expect(page.get_by_test_id("evaluation-comments")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Gode møder")
