"""Who may see and write the reports (R8).

Reports hold figures only, suppressed (`suppression.py`: no count of children or cases from 1 to
4 leaves the platform), so everyone who works in the SSP collaboration of the municipality sees
them: SSP staff, employees and politicians (the steering group decides on them). SSP staff
write the draft's text and put it on the steering group's agenda. A published report is public
(`public_reports`, no login). Built on `ssp/access.py` only.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ssp.access import (
    Actor,
    get_or_404,
    is_employee,
    is_politician,
    is_ssp_staff,
    municipality_of,
)
from ssp.reports.models import AnnualReport


def can_see_reports(actor: Actor) -> bool:
    """Staff, employees and politicians of a municipality (the navigation's "Rapporter")."""
    return is_ssp_staff(actor) or is_employee(actor) or is_politician(actor)


def can_write_reports(actor: Actor) -> bool:
    """SSP staff make the annual report and write its text sections."""
    return is_ssp_staff(actor)


def visible_reports(actor: Actor) -> QuerySet[AnnualReport]:
    if not can_see_reports(actor):
        return AnnualReport.objects.none()
    return AnnualReport.objects.filter(municipality_id=municipality_of(actor))


def public_reports(municipality_slug: str) -> QuerySet[AnnualReport]:
    """The published reports of a municipality, for everyone (no login)."""
    return AnnualReport.objects.filter(
        municipality__slug=municipality_slug, published_at__isnull=False
    )


def get_report_for(actor: Actor, year: int, *, for_change: bool = False) -> AnnualReport:
    """The actor's municipality's report of `year`, or 404; `for_change` asks the right to
    write it (404 likewise)."""
    if for_change and not can_write_reports(actor):
        return get_or_404(AnnualReport.objects.none(), year=year)
    return get_or_404(visible_reports(actor), year=year)
