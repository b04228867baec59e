"""Demo reports for Ådal Kommune (R8): the effect figures, last year's closed evaluation, and the
annual report of the year before last, approved by the steering group and published (its figures
frozen from the demo data as they are when seeded). Last year's report is left for the
coordinator to make (the user guide walks through it)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ssp.organisation.models import Municipality
from ssp.reports import services
from ssp.reports.demo_effect import seed_effect
from ssp.reports.demo_evaluation import seed_evaluation
from ssp.reports.figures import publication
from ssp.reports.models import AnnualReport, ReportStatus
from ssp.reports.suppression import suppress

DEMO_COORDINATOR = "koordinator"


@transaction.atomic
def seed_reports(municipality: Municipality) -> None:
    # The effect figures (five years of police figures and one youth survey) and last year's
    # closed evaluation, then the published report (which freezes the effect tables too).
    seed_effect(municipality)
    seed_evaluation(municipality)
    coordinator = User.objects.filter(username=DEMO_COORDINATOR).first()
    year = timezone.localdate().year - 2
    if (
        coordinator is None
        or AnnualReport.objects.filter(municipality=municipality, year=year).exists()
    ):
        return
    report = services.create_report(actor_user=coordinator, year=year)
    report = services.update_texts(
        actor_user=coordinator,
        report=report,
        foreword=(
            "SSP-samarbejdet i Ådal har i året arbejdet med fravær og med unge i grupper i "
            "Distrikt Øst. Rapporten samler årets tal og følger op på styregruppens fokusområder."
        ),
        assessment="Flere bekymringer blev opfanget tidligt, og færre blev til sager.",
        recommendations="Fortsæt indsatsen mod fravær, og styrk samarbejdet med klubberne.",
        expected_version=report.version,
    )
    # Approved as the steering group's decision freezes it (the demo's meetings lie in this
    # year, so no agenda item of that year exists to link): the same suppressed figures.
    frozen = [table.to_json() for table in suppress(publication(municipality.pk, year))]
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.APPROVED, figures=frozen, approved_at=timezone.now()
    )
    report.refresh_from_db()
    services.publish(actor_user=coordinator, report=report)
