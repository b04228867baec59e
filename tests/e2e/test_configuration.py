"""Issue 16's Done-when in Chromium: the coordinator edits a legal basis and adds a standing
item on the municipality's configuration pages, and sees them used on the next disclosure and
on the next agenda."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ssp.cases.models import Case, Disclosure, LegalBasis
from ssp.meetings.models import Meeting, MeetingStatus
from tests.e2e.conftest import log_in, pick

pytestmark = pytest.mark.e2e

NEW_TITLE = "Afklaring af bekymring uden samtykke (§ 115)"
STANDING_TITLE = "Nyt fra klubberne og fritidstilbuddene"


def test_the_coordinator_configures_a_basis_and_a_standing_item_and_sees_them_used(
    page: Page,
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    old = LegalBasis.objects.get(
        municipality=case.municipality, code="rpl-115-clarify", retired_at__isnull=True
    )
    log_in(page, "koordinator")

    # From the organisation chart to the configuration pages.
    page.goto(f"/organisation/{case.municipality.slug}/")
    page.get_by_test_id("config-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Opsætning af")

    # Edit a legal basis: the old one is retired, the new title is in force.
    page.get_by_test_id("config-subnav").get_by_role(
        "link", name="Hjemler for videregivelse"
    ).click()
    row = page.get_by_test_id("legal-basis").filter(has_text=old.title)
    row.get_by_role("link", name="Ret").click()
    form = page.get_by_test_id("legal-basis-form")
    form.get_by_label("Titel").fill(NEW_TITLE)
    form.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("legal-bases")).to_contain_text(NEW_TITLE)
    expect(page.get_by_test_id("legal-bases")).not_to_contain_text(old.title)

    # A standing item for the type of the local group, which has a planned meeting.
    page.get_by_test_id("config-subnav").get_by_role("link", name="Faste dagsordenspunkter").click()
    form = page.get_by_test_id("standing-item-form")
    form.get_by_label("Forumtype").select_option(meeting.forum.forum_type)
    form.get_by_label("Titel").fill(STANDING_TITLE)
    form.get_by_label("Rækkefølge").fill("5")
    form.get_by_role("button", name="Opret punktet").click()
    expect(page.get_by_test_id(f"standing-group-{meeting.forum.forum_type}")).to_contain_text(
        STANDING_TITLE
    )

    # The next disclosure offers the new title (and not the old), and records it.
    page.goto(f"/sager/{case.pk}/videregivelse/")
    form = page.get_by_test_id("disclosure-form")
    basis = form.get_by_label("Hjemmel")
    expect(basis.locator("option", has_text=NEW_TITLE)).to_have_count(1)
    expect(basis.locator("option", has_text=old.title)).to_have_count(0)
    basis.select_option(label=NEW_TITLE)
    form.get_by_label("Formål").fill("Koordinering af indsatsen")
    form.get_by_label("Hvilke oplysninger").fill("At der er aftalt et møde med familien")
    pick(form, "Givet af", "Mette Holm")
    pick(form, "Modtagere", "Sofie Dahl")
    form.get_by_label("Dato").fill(timezone.localdate().isoformat())
    form.get_by_role("button", name="Registrér videregivelse").click()
    expect(page.get_by_test_id("disclosure").filter(has_text=NEW_TITLE)).to_have_count(1)
    assert Disclosure.objects.filter(case=case, legal_basis__title=NEW_TITLE).count() == 1

    # Preparing the local group's meeting puts the standing item on its agenda.
    page.goto(f"/moeder/{meeting.pk}/")
    page.get_by_test_id("prepare").click()
    expect(page.get_by_test_id("agenda")).to_contain_text(STANDING_TITLE)
