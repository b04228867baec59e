"""Agenda and protocol as PDF (WeasyPrint), from the already redacted item views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from ssp.meetings.access import ItemView
from ssp.meetings.models import Attendance, Guest, Meeting


def render_meeting(
    *,
    meeting: Meeting,
    items: list[ItemView],
    public: bool,
    attendance: Sequence[Attendance] = (),
    guests: Sequence[Guest] = (),
    signatures: Sequence[Any] = (),
) -> bytes:
    """The PDF of the items as given (already redacted); the protocol's attendance, guests and
    signatures as the caller shows them (issue 14)."""
    html = render_to_string(
        "meetings/meeting_pdf.html",
        {
            "meeting": meeting,
            "items": items,
            "public": public,
            "printed_at": timezone.localtime(),
            "attendance": attendance,
            "guests": guests,
            "signatures": signatures,
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
