"""R8 in Chromium: the coordinator makes last year's annual report, writes the foreword, puts
it on the steering group's agenda, approves it in the minutes and downloads the PDF and Excel."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from ssp.meetings.models import Meeting, MeetingStatus
from ssp.reports.models import AnnualReport, ReportStatus
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

FOREWORD = "Et år hvor fravær og fritidsjob fyldte mest i samarbejdet."


def steering_meeting_begun() -> Meeting:
    """The steering group's next planned meeting, moved to an hour ago (minutes are written
    from the meeting's start)."""
    meeting = (
        Meeting.objects.filter(forum__key="styregruppe", status=MeetingStatus.PLANNED)
        .order_by("starts_at")
        .first()
    )
    assert meeting is not None
    start = timezone.now() - timedelta(hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=start, ends_at=start + (meeting.ends_at - meeting.starts_at)
    )
    return meeting


def open_reports(page: Page) -> None:
    """Through the main menu; "Rapporter" may be under "Mere" when the menu is full."""
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Forside")).to_be_visible()
    link = menu.get_by_role("link", name="Rapporter")
    if not link.is_visible():
        menu.get_by_role("button", name="Mere").click()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Årsrapporter")


def test_the_coordinator_makes_and_approves_last_years_report(page: Page) -> None:
    year = timezone.localdate().year - 1
    meeting = steering_meeting_begun()
    log_in(page, "koordinator")
    open_reports(page)
    page.get_by_role("button", name=f"Lav årsrapport for {year}").click()
    expect(page.get_by_text("Årsrapporten er oprettet som udkast.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årsrapport {year}")
    expect(page.get_by_test_id("report-status")).to_contain_text("Udkast")

    page.get_by_role("link", name="Ret tekst").click()
    form = page.get_by_test_id("report-texts-form")
    form.get_by_label("Forord").fill(FOREWORD)
    form.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("Teksten er gemt.")).to_be_visible()
    expect(page.get_by_test_id("foreword")).to_contain_text(FOREWORD)
    report_url = page.url

    # On the steering group's agenda, linked to the report.
    page.goto(f"/moeder/{meeting.pk}/")
    page.get_by_text("Nyt punkt").click()
    item_form = page.get_by_test_id("item-form")
    item_form.get_by_label("Overskrift").fill(f"Årsrapport {year} til godkendelse")
    item_form.get_by_label("Synlighed").select_option("public")
    item_form.get_by_label("Tilknyt").select_option(label=f"Årsrapport {year}")
    item_form.get_by_role("button", name="Tilføj punkt").click()
    expect(page.get_by_test_id("agenda")).to_contain_text(f"Årsrapport {year} til godkendelse")

    # The minutes: the decision, with the approval box ticked.
    page.get_by_test_id("minutes-link").click()
    minutes = page.get_by_test_id("minutes-form")
    row = minutes.get_by_test_id("minutes-item").filter(
        has_text=f"Årsrapport {year} til godkendelse"
    )
    row.get_by_label("Beslutning", exact=True).fill("Styregruppen godkender årsrapporten.")
    row.get_by_label("Beslutningen godkender årsrapporten").check()
    minutes.get_by_role("button", name="Gem referatet").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("Styregruppen godkender årsrapporten.")

    report = AnnualReport.objects.get(year=year)
    assert report.status == ReportStatus.APPROVED and report.figures is not None

    page.goto(report_url)
    expect(page.get_by_test_id("report-status")).to_contain_text("Godkendt")
    expect(page.get_by_role("link", name="Ret tekst")).to_have_count(0)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Hent som PDF").click()
    pdf_path = pdf_download.value.path()
    assert pdf_download.value.suggested_filename == f"aarsrapport-aadal-{year}.pdf"
    with open(pdf_path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Hent som Excel").click()
    assert xlsx_download.value.suggested_filename == f"aarsrapport-aadal-{year}.xlsx"
    with open(xlsx_download.value.path(), "rb") as xlsx:
        workbook = load_workbook(io.BytesIO(xlsx.read()))
    assert workbook.sheetnames[0] == "Tekst"
    texts = [cell.value for row_ in workbook["Tekst"].iter_rows() for cell in row_]
    assert FOREWORD in texts
