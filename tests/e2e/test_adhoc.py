"""Ad hoc action groups in Chromium (issue 10, part 2): a Høje-Taastrup Områdegruppe's chair
sets up an ad hoc group between meetings (the next agenda tells the Områdegruppe, naming no
one) and dissolves it with a result that the next agenda shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, Page, expect

from ssp.meetings import services as meeting_services
from ssp.meetings.models import Meeting
from ssp.organisation.models import AccessRole, Forum, Member, Membership, Municipality
from ssp.organisation.services import load_preset
from tests.e2e.conftest import log_in, pick
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

AREA_KEY = "omraadegruppe-1"


def person(username: str, name: str, forum: Forum, role: str, sector: str) -> None:
    user = User.objects.create_user(username, password="demo", first_name=name)
    member = Member.objects.create(
        user=user,
        municipality=Municipality.objects.get(slug="hoeje-taastrup"),
        name=name,
        title="SSP",
        sector=sector,
        access_role=AccessRole.EMPLOYEE,
        is_authority=sector != "housing",
    )
    Membership.objects.create(forum=forum, member=member, role=role)


@pytest.fixture
def omraadegruppe(e2e_demo: None) -> Meeting:
    """Høje-Taastrup's Områdegruppe 1 with a chair, two members and its next meeting."""
    load_preset(name="hoeje-taastrup")
    area = Forum.objects.get(municipality__slug="hoeje-taastrup", key=AREA_KEY)
    person("ht_formand", "Karin Formand", area, "chair", "buf")
    person("ht_politi", "Morten Politi", area, "member", "police")
    person("ht_bolig", "Bo Boligsocial", area, "member", "housing")
    starts = timezone.now() + timedelta(days=14)
    return Meeting.objects.create(forum=area, starts_at=starts, ends_at=starts + timedelta(hours=2))


def accept_confirmations(page: Page) -> None:
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)


def test_an_omraadegruppe_chair_sets_up_and_dissolves_an_adhoc_group(
    page: Page, omraadegruppe: Meeting
) -> None:
    accept_confirmations(page)
    log_in(page, "ht_formand")
    page.goto("/handlegrupper/")
    page.get_by_test_id("adhoc-set-up").click()
    form = page.get_by_test_id("adhoc-set-up-form")
    pick(form, "Nedsættes fra forummet", omraadegruppe.forum.name)
    form.get_by_label("Et område").check()
    form.get_by_label("Opgave").fill("Skabe ro omkring stationen om aftenen")
    members = "Medlemmer (ved en navngiven ung kun myndighedspersoner)"
    pick(form, members, "Morten Politi")
    pick(form, members, "Bo Boligsocial")
    expect(form.get_by_label("Nedsat imellem møderne")).to_be_checked()
    # First without a task: the form stays, with what was chosen.
    form.get_by_label("Opgave").fill("")
    form.get_by_role("button", name="Nedsæt handlegruppe").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    form = page.get_by_test_id("adhoc-set-up-form")
    expect(form.get_by_label("Morten Politi")).to_be_checked()
    form.get_by_label("Opgave").fill("Skabe ro omkring stationen om aftenen")
    form.get_by_role("button", name="Nedsæt handlegruppe").click()

    expect(page.get_by_test_id("adhoc-status")).to_have_text("Aktiv")
    expect(page.get_by_test_id("adhoc-members")).to_contain_text("Morten Politi")
    group_url = page.url

    # The daily job tells the Områdegruppe on its next agenda, naming no one.
    meeting_services.prepare_next_agendas(today=timezone.localdate())
    page.goto(f"/moeder/{omraadegruppe.pk}/")
    content = page.locator("main")
    expect(content).to_contain_text(
        "Ad hoc handlegruppe nedsat imellem møderne: et område, 2 medlemmer"
    )
    expect(content).not_to_contain_text("Morten Politi")

    # Dissolved by decision, with a result: a result with a phone number is refused first.
    page.goto(group_url)
    dissolve = page.get_by_test_id("adhoc-dissolve-form")
    dissolve.get_by_label("Resultat").fill("Ring til klubben på 20 30 40 50")
    dissolve.get_by_role("button", name="Opløs handlegruppen").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("personoplysninger")
    dissolve = page.get_by_test_id("adhoc-dissolve-form")
    expect(dissolve.get_by_label("Resultat")).to_have_value("Ring til klubben på 20 30 40 50")
    dissolve.get_by_label("Resultat").fill("Klubben holder aftenåbent; politiet patruljerer.")
    dissolve.get_by_role("button", name="Opløs handlegruppen").click()
    expect(page.get_by_test_id("adhoc-status")).to_contain_text("Opløst")
    expect(page.get_by_test_id("adhoc-result")).to_have_text(
        "Klubben holder aftenåbent; politiet patruljerer."
    )

    meeting_services.prepare_next_agendas(today=timezone.localdate())
    page.goto(f"/moeder/{omraadegruppe.pk}/")
    expect(page.locator("main")).to_contain_text("Klubben holder aftenåbent; politiet patruljerer.")


def test_the_adhoc_pages_meet_wcag_21_aa(
    browser: Browser, live_server: Any, omraadegruppe: Meeting
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    log_in(page, "ht_formand")
    problems: dict[str, list[str]] = {}
    for url in ("/handlegrupper/", "/handlegrupper/ny/"):
        page.goto(url)
        problems[url] = violations(page)
    page.get_by_role("button", name="Nedsæt handlegruppe").click()  # the form with its errors
    problems["form with errors"] = violations(page)
    context.close()
    assert {url: items for url, items in problems.items() if items} == {}
