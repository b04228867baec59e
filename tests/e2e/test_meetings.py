"""Meetings in Chromium: an Områdegruppe's meeting from agenda to public protocol and the
minutes forwarded to the Lokalråd; a non-authority member sees "Lukket punkt"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from ssp.meetings.models import Meeting
from ssp.organisation.models import AccessRole, Forum, Member, Membership, Municipality
from ssp.organisation.services import load_preset
from tests.e2e.conftest import log_in, pick

pytestmark = pytest.mark.e2e


def person(username: str, name: str, forum: Forum, role: str, sector: str) -> None:
    user = User.objects.create_user(username, password="demo", first_name=name)
    member = Member.objects.create(
        user=user,
        municipality=Municipality.objects.get(slug="hoeje-taastrup"),
        name=name,
        title="SSP",
        sector=sector,
        access_role=AccessRole.EMPLOYEE,
        is_authority=True,
    )
    Membership.objects.create(forum=forum, member=member, role=role)


@pytest.fixture
def hoeje_taastrup(e2e_demo: None) -> None:
    load_preset(name="hoeje-taastrup")
    area = Forum.objects.get(municipality__slug="hoeje-taastrup", key="omraadegruppe-1")
    council = Forum.objects.get(municipality__slug="hoeje-taastrup", key="lokalraad")
    person("ht_formand", "Karin Formand", area, "chair", "buf")
    person("ht_medlem", "Morten Medlem", area, "member", "police")
    person("ht_lokalraad", "Lise Lokalråd", council, "member", "sof")


def test_an_omraadegruppe_meeting_from_agenda_to_public_protocol(
    page: Page, hoeje_taastrup: None
) -> None:
    log_in(page, "ht_formand")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    form = page.get_by_test_id("meeting-form")
    pick(form, "Forum", "SSP-områdegruppen, Område 1", search="Område 1")
    form.get_by_label("Type").select_option("regular")
    # Yesterday's meeting: its minutes can be written (they can from the meeting's start).
    yesterday = timezone.localdate() - timedelta(days=1)
    form.get_by_label("Tidspunkt").fill(f"{yesterday:%Y-%m-%d}T08:00")
    form.get_by_label("Sted").fill("Borgerhuset")
    form.get_by_role("button", name="Indkald").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SSP-områdegruppen, Område 1")

    # Standing items from the preset, and a public item of our own.
    page.get_by_test_id("prepare").click()
    agenda = page.get_by_test_id("agenda")
    expect(agenda.get_by_test_id("agenda-item")).to_have_count(6)
    expect(agenda).to_contain_text("Nedsættelse af personkreds til Ad hoc handlegrupper")
    page.get_by_text("Nyt punkt").click()
    item_form = page.get_by_test_id("item-form")
    item_form.get_by_label("Overskrift").fill("Sommeraktiviteter for unge i området")
    item_form.get_by_label("Synlighed").select_option("public")
    item_form.get_by_role("button", name="Tilføj punkt").click()
    expect(agenda.get_by_test_id("agenda-item")).to_have_count(7)

    # Hold the meeting: attendance, a decision with a responsible member and a deadline.
    page.get_by_test_id("minutes-link").click()
    minutes = page.get_by_test_id("minutes-form")
    last = minutes.get_by_test_id("minutes-item").last
    last.get_by_label("Beslutning").fill("Der laves en plan for sommerens aktiviteter.")
    pick(last, "Ansvarlig", "Morten Medlem")
    deadline = timezone.localdate() + timedelta(days=60)
    last.get_by_label("Frist").fill(f"{deadline:%Y-%m-%d}")
    # Issue 14: every item needs a decision before the meeting is closed ("Afslut mødet").
    items = minutes.get_by_test_id("minutes-item")
    for index in range(items.count() - 1):
        items.nth(index).get_by_label("Beslutning").fill("Taget til efterretning.")
    minutes.get_by_role("button", name="Gem referatet").click()
    expect(page.get_by_test_id("attendance")).to_contain_text("Morten Medlem: til stede")
    page.get_by_test_id("close-meeting").click()
    page.get_by_test_id("sign").click()
    expect(page.get_by_text("1 af 2 faste medlemmer")).to_be_visible()
    meeting_url = page.url
    page.get_by_test_id("logout").click()

    # The other permanent member has the task on his start page and signs.
    log_in(page, "ht_medlem")
    expect(page.get_by_test_id("meeting-tasks")).to_contain_text("Der laves en plan for sommerens")
    page.goto(meeting_url)
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("approved")).to_be_visible()
    expect(page.get_by_test_id("forwarded-to")).to_contain_text("Lokalrådet")
    page.get_by_test_id("logout").click()

    # The chair publishes; the public page needs no login and shows public items only.
    log_in(page, "ht_formand")
    page.goto(meeting_url)
    page.get_by_test_id("publish").click()
    page.get_by_test_id("public-link").click()
    public_url = page.url
    page.context.clear_cookies()
    page.goto(public_url)
    protocol = page.get_by_test_id("public-protocol")
    expect(protocol).to_contain_text("Sommeraktiviteter for unge i området")
    expect(protocol).to_contain_text("Der laves en plan for sommerens aktiviteter.")
    expect(protocol).not_to_contain_text("Nedsættelse af personkreds")
    assert page.request.get(public_url + "pdf/").headers["content-type"] == "application/pdf"

    # The Lokalråd sees the forwarded minutes for orientation.
    log_in(page, "ht_lokalraad")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    page.get_by_test_id("forwarded").get_by_role("link").first.click()
    expect(
        page.get_by_text("Referat til orientering fra SSP-områdegruppen, Område 1")
    ).to_be_visible()
    expect(page.get_by_test_id("agenda")).to_contain_text("Sommeraktiviteter for unge i området")


def test_a_non_authority_member_sees_lukket_punkt_and_can_hand_in_her_concern(page: Page) -> None:
    log_in(page, "boligsocial")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    page.get_by_test_id("upcoming").get_by_role("link").first.click()
    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Lukket punkt")
    expect(agenda).not_to_contain_text("Sara")
    closed = agenda.get_by_test_id("agenda-item").filter(has_text="Lukket punkt")
    closed.get_by_role("textbox").fill("Jeg kender familien fra boligområdet.")
    closed.get_by_role("button", name="Giv videre").click()
    expect(page.get_by_text("Dit bidrag er givet videre til punktet.")).to_be_visible()
    expect(page.get_by_test_id("agenda")).not_to_contain_text("Sara")
    meeting_id = page.url.rstrip("/").rsplit("/", 1)[1]
    api = page.request.get(f"/api/v1/meetings/meetings/{meeting_id}").json()
    closed_items = [i for i in api["items"] if i["visibility"] == "closed"]
    assert closed_items and all(
        i["title"] == "Lukket punkt" and not i["description"] for i in closed_items
    )


def test_two_coordinators_write_the_minutes_and_the_later_one_sees_the_first_ones_decision(
    page: Page, browser: Browser, live_server: Any
) -> None:
    """No lost update: the second save is refused, keeps its text and shows what was saved."""
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status="planned")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    url = f"/moeder/{meeting.pk}/referat/"
    other_context = browser.new_context(base_url=live_server.url, locale="da-DK")
    other = other_context.new_page()
    try:
        for session in (page, other):
            log_in(session, "koordinator")
            session.goto(url)
        first = page.get_by_test_id("minutes-item").filter(has_text="Aftener ved klubben")
        first.get_by_label("Beslutning").fill("Gadeteamet kigger forbi om fredagen.")
        page.get_by_role("button", name="Gem referatet").click()
        expect(page.get_by_test_id("agenda")).to_contain_text("Gadeteamet kigger forbi")

        second = other.get_by_test_id("minutes-item").filter(has_text="Aftener ved klubben")
        second.get_by_label("Beslutning").fill("Klubben holder åbent til kl. 22.")
        other.get_by_role("button", name="Gem referatet").click()
        expect(other.get_by_test_id("form-errors")).to_contain_text(
            "En anden har gemt ændringer, mens du skrev."
        )
        expect(other.get_by_test_id("saved-now")).to_contain_text(
            "Gadeteamet kigger forbi om fredagen."
        )
        expect(second.get_by_label("Beslutning")).to_have_value("Klubben holder åbent til kl. 22.")
    finally:
        other_context.close()
