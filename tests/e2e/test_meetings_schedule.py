"""Issue 14 in Chromium: the coordinator moves a meeting and sees the notice recorded; a
member unticks meeting e-mails on her account page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ssp.meetings.models import Meeting, MeetingStatus, NoticeKind
from ssp.organisation.models import Member
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_the_coordinator_moves_a_meeting_and_sees_the_notice(page: Page) -> None:
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    starts = timezone.localtime(meeting.starts_at) + timedelta(days=1)
    ends = timezone.localtime(meeting.ends_at) + timedelta(days=1)
    log_in(page, "koordinator")
    page.goto(f"/moeder/{meeting.pk}/")
    page.get_by_test_id("meeting-edit").click()
    form = page.get_by_test_id("meeting-edit-form")
    form.get_by_label("Begynder").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Slutter").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Gem og giv besked").click()
    expect(page.get_by_text("Mødet er gemt, og deltagerne har fået besked.")).to_be_visible()
    expect(page.get_by_test_id("notices")).to_contain_text("Flyttet møde sendt")
    meeting.refresh_from_db()
    assert meeting.starts_at == starts and meeting.sequence == 1
    assert meeting.notices.filter(kind=NoticeKind.MOVED).count() == 1


def test_the_member_unticks_meeting_emails_on_her_account_page(page: Page) -> None:
    log_in(page, "laerer")
    page.goto("/konto/")
    form = page.get_by_test_id("meeting-emails-form")
    box = form.get_by_label("Send mig mødeindkaldelser og -meddelelser på e-mail")
    expect(box).to_be_checked()
    box.uncheck()
    form.get_by_role("button", name="Gem").click()
    expect(
        page.get_by_text("Du får ikke længere mødeindkaldelser og -meddelelser på e-mail.")
    ).to_be_visible()
    expect(page.get_by_test_id("meeting-emails-form").get_by_role("checkbox")).not_to_be_checked()
    assert Member.objects.get(user__username="laerer").meeting_emails is False
