"""R8 reporting: the municipality's annual report of the SSP collaboration.

A report is generated from the data while it is a draft and completed by the coordinator with
text sections; the steering group's decision approves it (an agenda item links to it,
`ssp/meetings/links.py`), and approval freezes its figures as they were (`figures`), so a later
change to a case or its deletion under retention does not change an approved report. Figures
leave the platform only suppressed (`ssp/reports/suppression.py`): no count of children or cases
from 1 to 4 is shown.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssp.organisation.models import Municipality
from ssp.versioning import Versioned

YEAR_MIN = 2000
YEAR_MAX = 2100
SECTION_MAX = 10_000


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Udkast")
    APPROVED = "approved", _("Godkendt")


class AnnualReport(Versioned):
    """The annual report of one municipality for one calendar year."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    foreword = models.TextField(_("forord"), max_length=SECTION_MAX, blank=True)
    assessment = models.TextField(_("vurdering"), max_length=SECTION_MAX, blank=True)
    recommendations = models.TextField(
        _("anbefalinger for næste år"), max_length=SECTION_MAX, blank=True
    )
    # The figures as they were at approval (the suppressed publication, JSON); None while a draft.
    figures = models.JSONField(_("tal ved godkendelsen"), null=True, blank=True, editable=False)
    approved_item = models.ForeignKey(
        "meetings.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkendt på dagsordenspunkt"),
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="annual_report_once"),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="annual_report_year_range",
            ),
            # Approved means frozen: the figures are stored.
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(figures__isnull=False),
                name="annual_report_approved_is_frozen",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="approved"),
                name="annual_report_published_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_approved(self) -> bool:
        return self.status == ReportStatus.APPROVED

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
