"""Subject access in Chromium: a coordinator produces the export for a family as a PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ssp.cases.models import YoungPerson
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def pdf_text(path: Path) -> str:
    result = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())  # table cells wrap: compare the words


def test_a_coordinator_produces_a_subject_access_pdf(page: Page, tmp_path: Path) -> None:
    ali = YoungPerson.objects.get(first_name="Ali")
    log_in(page, "koordinator")
    page.goto(f"/unge/{ali.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ali Berg Hansen")
    page.get_by_test_id("subject-access").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indsigt for Ali Berg Hansen")
    form = page.get_by_test_id("subject-access-form")
    form.get_by_label("Fatima Hansen (forældremyndighedsindehaver)").check()
    form.get_by_label("PDF til familien").check()
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Dan indsigten").click()
    download = download_info.value
    assert "Ali" not in download.suggested_filename
    pdf_path = tmp_path / "indsigt.pdf"
    download.save_as(pdf_path)
    text = pdf_text(pdf_path)
    assert "Indsigt: oplysninger i SSP-platformen" in text
    assert "Ali" in text and "Berg Hansen" in text
    assert "Fatima Hansen" in text  # his own custody holder
    assert "Politiet har anmeldt Ali for hærværk på skolen." in text  # the concern
    assert "Bekymringssamtale med Ali" in text  # a task
    assert "Udveksling af oplysninger mellem skole, socialforvaltning og politi" in text
    assert "Myndighedssagsbehandler" in text  # staff by function
    for other in ("Emil", "Noah", "Sara", "Lone Sandberg", "Peter Krogh", "Mette Holm"):
        assert other not in text, other
