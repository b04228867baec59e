"""Issue 14 in Chromium: the Faxe steering group's meeting from invitation to a vote, closed,
signed by every permanent member (each logs in), published; the public protocol shows the
decision numbers, the vote's result and the signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from ssp.meetings import notices, services
from ssp.meetings.models import Meeting, MeetingKind
from ssp.organisation.models import Forum
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

SIGNERS = ("politiker", "naestformand", "byraadsmedlem", "politileder", "centerchef")


def steering_meeting() -> Meeting:
    """A steering-group meeting in three days."""
    return services.create_meeting(
        actor_user=User.objects.get(username="koordinator"),
        forum=Forum.objects.get(municipality__slug="aadal", key="styregruppe"),
        kind=MeetingKind.EXTRA,
        starts_at=timezone.now() + timedelta(days=3),
        location="Rådhuset, mødelokale 2",
    )


def begin(meeting: Meeting) -> None:
    """The meeting's day has come: it began an hour ago (its minutes can be written)."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    meeting.refresh_from_db()


def test_the_steering_group_votes_closes_signs_and_publishes(page: Page) -> None:
    meeting = steering_meeting()
    url = f"/moeder/{meeting.pk}/"
    log_in(page, "koordinator")
    page.goto(url)

    # The agenda: the previous minutes first, the open decision tasks, the election of the chair
    # (her term ends within 60 days: `terms.seed_terms`), and an item of our own.
    page.get_by_test_id("prepare").click()
    agenda = page.get_by_test_id("agenda")
    expect(agenda.get_by_test_id("agenda-item").first).to_contain_text(
        "Godkendelse af referat fra sidste møde"
    )
    expect(agenda).to_contain_text("Opfølgning på beslutninger")
    expect(agenda).to_contain_text("Valg af formand for SSP Styregruppen")
    page.get_by_text("Nyt punkt").click()
    item_form = page.get_by_test_id("item-form")
    item_form.get_by_label("Overskrift").fill("Fritidsjob som indsatsområde")
    item_form.get_by_label("Synlighed").select_option("public")
    item_form.get_by_role("button", name="Tilføj punkt").click()
    expect(agenda.get_by_test_id("agenda-item")).to_have_count(4)

    # The daily job sends the invitation with the agenda to the members (helper N's notices).
    mail.outbox.clear()
    assert notices.send_invitations() == 1
    invitation = next(m for m in mail.outbox if "politiker@aadal.invalid" in m.to)
    assert invitation.subject.startswith("Indkaldelse")
    assert "Fritidsjob som indsatsområde" in invitation.body
    begin(meeting)
    page.reload()

    # The minutes: a decision on every item; a recorded vote of the entitled members.
    page.get_by_test_id("minutes-link").click()
    minutes = page.get_by_test_id("minutes-form")
    rows = minutes.get_by_test_id("minutes-item")
    rows.nth(0).get_by_label("Beslutning").fill("Referatet er godkendt.")
    rows.nth(0).get_by_label("Afstemning", exact=True).select_option("unanimous")
    rows.nth(1).get_by_label("Beslutning").fill("Orienteringen er taget til efterretning.")
    rows.nth(2).get_by_label("Beslutning").fill("Formanden blev genvalgt.")
    vote = rows.nth(3)
    vote.get_by_label("Beslutning").fill("Fritidsjob bliver indsatsområde.")
    vote.get_by_label("Afstemning", exact=True).select_option("recorded")
    for name, choice in (
        ("Poul Madsen", "for"),
        ("Hanne Vestergaard", "for"),
        ("Jens Kofoed", "against"),
        ("Birgitte Krag", "for"),
    ):
        vote.get_by_label(name, exact=True).select_option(choice)
    minutes.get_by_role("button", name="Gem referatet").click()
    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Vedtaget: 3 for, 1 imod, 0 undlod")
    expect(agenda).to_contain_text("Jens Kofoed: imod")
    expect(agenda.get_by_test_id("decision-number").last).to_contain_text(
        f"STY {timezone.localtime(meeting.starts_at).year}-"
    )
    numbers = agenda.get_by_test_id("decision-number").all_inner_texts()

    # "Afslut mødet": every item has a decision.
    page.get_by_test_id("close-meeting").click()
    expect(page.get_by_text("Mødet er afsluttet.")).to_be_visible()
    page.get_by_test_id("logout").click()

    # Every permanent member logs in and signs.
    for count, username in enumerate(SIGNERS, start=1):
        log_in(page, username)
        page.goto(url)
        page.get_by_test_id("sign").click()
        expect(page.get_by_test_id("signatures")).to_contain_text("hele protokollen")
        if count < len(SIGNERS):
            expect(page.get_by_text(f"{count} af {len(SIGNERS)} faste medlemmer")).to_be_visible()
        page.get_by_test_id("logout").click()
    meeting.refresh_from_db()
    assert meeting.approved_at is not None

    # The secretary publishes; the public page shows numbers, the vote and the signatures.
    log_in(page, "koordinator")
    page.goto(url)
    expect(page.get_by_test_id("approved")).to_be_visible()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("public-link").click()
    public_url = page.url
    page.context.clear_cookies()
    page.goto(public_url)
    protocol = page.get_by_test_id("public-protocol")
    # The public items' numbers (1 and 4); the internal follow-up and election are not public.
    expect(protocol).to_contain_text(numbers[0])
    expect(protocol).to_contain_text(numbers[3])
    expect(protocol).not_to_contain_text(numbers[1])
    expect(protocol).not_to_contain_text(numbers[2])
    expect(protocol).to_contain_text("Vedtaget: 3 for, 1 imod, 0 undlod")
    # Who voted how: elected members by name, the police member by function (issue 14).
    expect(protocol).to_contain_text("Jens Kofoed: imod")
    expect(protocol).to_contain_text("Ledelsesrepræsentant for Politiet: for")
    expect(protocol).not_to_contain_text("Birgitte Krag")
    signatures = page.get_by_test_id("public-signatures")
    expect(signatures.get_by_role("listitem")).to_have_count(len(SIGNERS))
    expect(signatures).to_contain_text("Poul Madsen: underskrevet")
    expect(signatures).to_contain_text("Centerchef for Center for Familie, Social & Beskæftigelse")
    expect(signatures).not_to_contain_text("Ole Svendsen")
