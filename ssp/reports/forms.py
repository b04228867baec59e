"""The annual report's forms: a new report (the year) and its text sections (versioned)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ssp.forms import StyledForm, VersionedFormMixin
from ssp.reports.models import SECTION_MAX, YEAR_MAX, YEAR_MIN, AnnualReport


class NewReportForm(StyledForm):
    year = forms.IntegerField(label=_("År"), min_value=YEAR_MIN, max_value=YEAR_MAX)


SECTION_WIDGET = {"rows": 8}


class TextsForm(VersionedFormMixin, StyledForm):
    """The coordinator's three text sections. They are published: no names, no CPR numbers."""

    foreword = forms.CharField(
        label=_("Forord"),
        help_text=_("Årets arbejde i korte træk. Skriv om grupper og områder, ikke om personer."),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs=SECTION_WIDGET),
    )
    assessment = forms.CharField(
        label=_("Vurdering"),
        help_text=_("Hvad viser tallene, og hvad har virket?"),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs=SECTION_WIDGET),
    )
    recommendations = forms.CharField(
        label=_("Anbefalinger for næste år"),
        help_text=_("Forslag til styregruppen: indsatser og fokusområder."),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs=SECTION_WIDGET),
    )

    @staticmethod
    def initial_for(report: AnnualReport) -> dict[str, Any]:
        return {
            "foreword": report.foreword,
            "assessment": report.assessment,
            "recommendations": report.recommendations,
            "version": report.version,
        }
