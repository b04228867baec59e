"""Agenda and protocol as PDF (WeasyPrint), from the already redacted item views."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from ssp.meetings.access import ItemView
from ssp.meetings.models import Meeting


def render_meeting(*, meeting: Meeting, items: list[ItemView], public: bool) -> bytes:
    html = render_to_string(
        "meetings/meeting_pdf.html",
        {"meeting": meeting, "items": items, "public": public, "printed_at": timezone.localtime()},
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
