"""A printable PDF of an action agreement (WeasyPrint), for the meeting with the family."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from ssp.cases.models import ActionAgreement


def render_agreement(*, request: HttpRequest, agreement: ActionAgreement) -> bytes:
    html = render_to_string(
        "cases/agreement_pdf.html",
        {
            "agreement": agreement,
            "case": agreement.case,
            "person": agreement.case.young_person,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
