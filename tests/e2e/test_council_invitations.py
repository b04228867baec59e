"""Issue 16 (8) in Chromium: the coordinator calls a network council with a place from the
deadline board, sends the invitations (one e-mail per professional, nothing about the child)
and downloads the family's letter."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from ssp.police.models import NetworkCouncil
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PLACE = "Familiehuset, Torvet 1, mødelokale 3"


def pdf_text(path: Path) -> str:
    result = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


def test_the_coordinator_invites_to_a_network_council_and_prints_the_letter(
    page: Page, tmp_path: Path
) -> None:
    log_in(page, "koordinator")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Frister").click()
    page.get_by_role("link", name="Indkald netværkssamråd").first.click()
    form = page.get_by_test_id("council-form")
    form.get_by_label("Tidspunkt").fill(
        f"{timezone.localdate() + timedelta(days=1):%Y-%m-%d}T15:00"
    )
    form.get_by_label("Sted").fill(PLACE)
    form.get_by_label("Sofie Dahl").check()
    form.get_by_label("Begrundelse, hvis samrådet holdes efter fristen").fill(
        "Familien kunne først i morgen."
    )
    form.get_by_role("button", name="Indkald").click()
    expect(page.get_by_text("Netværkssamrådet er indkaldt.")).to_be_visible()
    expect(page.get_by_test_id("council-place")).to_have_text(PLACE)
    expect(page.get_by_test_id("invitations-sent")).to_have_text("Ikke sendt endnu")

    council = NetworkCouncil.objects.get(place=PLACE)
    offence = council.report.offence_text if council.report else ""
    reference = council.report.police_reference if council.report else ""
    child = council.young_person

    mail.outbox.clear()
    page.get_by_test_id("invite-form").get_by_role("button", name="Send invitationer").click()
    expect(page.get_by_text("Invitationerne er sendt")).to_be_visible()
    expect(page.get_by_test_id("invitations-sent")).to_contain_text("Sendt")
    expect(page.get_by_role("button", name="Send invitationer")).to_have_count(0)
    assert [message.to for message in mail.outbox] == [["socialraadgiver@aadal.invalid"]]
    body = f"{mail.outbox[0].subject} {mail.outbox[0].body}"
    assert PLACE in body
    for secret in (child.first_name, child.last_name, reference):
        assert secret and secret not in body

    with page.expect_download() as download_info:
        page.get_by_test_id("council-letter").click()
    download = download_info.value
    assert download.suggested_filename == f"netvaerkssamraad-{council.pk}-brev.pdf"
    pdf_path = tmp_path / "brev.pdf"
    download.save_as(pdf_path)
    text = pdf_text(pdf_path)
    assert "Invitation til netværkssamråd" in text
    assert PLACE in text
    assert "kl. 15.00" in text
    assert reference not in text
    if offence:
        assert offence not in text
    if council.report and council.report.offence:
        assert council.report.offence.name not in text
