"""Forms for the weekly review, deadlines, network councils, imports and hot spots."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.cases.cpr import InvalidCpr, parse_cpr
from ssp.cases.models import Concern
from ssp.forms import DATE_WIDGET, MemberChoiceField, MembersChoiceField, StyledForm
from ssp.organisation.models import Forum, Member
from ssp.police.models import HotSpotStatus, Routing


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Fil (CSV eller Excel)"))


class ReportForm(StyledForm):
    cpr = forms.CharField(label=_("CPR-nummer"), max_length=11)
    name = forms.CharField(label=_("Navn"), max_length=200)
    date = forms.DateField(label=_("Gerningsdato"), widget=DATE_WIDGET)
    time = forms.TimeField(
        label=_("Tidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    offence = forms.CharField(label=_("Forhold"), max_length=200)
    reference = forms.CharField(label=_("Politiets journalnummer"), max_length=60)
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_cpr(self) -> str:
        try:
            parse_cpr(self.cleaned_data["cpr"])
        except InvalidCpr as exc:
            raise forms.ValidationError(exc.message) from exc
        return str(self.cleaned_data["cpr"])


class RoutingForm(StyledForm):
    routing = forms.ChoiceField(label=_("Fordeles til"), choices=Routing.choices)
    member = MemberChoiceField(label=_("Person"), queryset=Member.objects.none(), required=False)
    forum = forms.ModelChoiceField(
        label=_("Lokalgruppe"), queryset=Forum.objects.none(), required=False
    )
    other = forms.CharField(label=_("Andre"), max_length=200, required=False)
    home_contact = MemberChoiceField(label=_("Kontakter hjemmet"), queryset=Member.objects.none())
    raise_concern = forms.BooleanField(label=_("Opret bekymring"), required=False, initial=True)

    def __init__(
        self, *args: Any, members: QuerySet[Member], fora: QuerySet[Forum], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["home_contact"].queryset = members  # type: ignore[attr-defined]
        self.fields["forum"].queryset = fora  # type: ignore[attr-defined]


class MetForm(StyledForm):
    met_on = forms.DateField(label=_("Overholdt den"), widget=DATE_WIDGET)


class CouncilForm(StyledForm):
    meeting_at = forms.DateTimeField(
        label=_("Tidspunkt"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    professionals = MembersChoiceField(
        label=_("Fagpersoner"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    network = forms.CharField(
        label=_("Netværk (fx træner, morfar)"), max_length=500, required=False
    )
    invited_young_person = forms.BooleanField(
        label=_("Den unge inviteres"), required=False, initial=True
    )
    invited_custody_holders = forms.BooleanField(
        label=_("Forældremyndighedsindehaverne inviteres"), required=False, initial=True
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professionals"].queryset = members  # type: ignore[attr-defined]


class HeldForm(StyledForm):
    held_on = forms.DateField(label=_("Afholdt den"), widget=DATE_WIDGET)


class HotSpotForm(StyledForm):
    name = forms.CharField(label=_("Navn"), max_length=200)
    address = forms.CharField(label=_("Adresse"), max_length=300)
    latitude = forms.DecimalField(
        label=_("Breddegrad"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Længdegrad"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    period_start = forms.DateField(label=_("Fra"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Til"), required=False, widget=DATE_WIDGET)
    description = forms.CharField(label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 3}))
    outreach_plan = forms.CharField(
        label=_("Plan for opsøgende arbejde"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=HotSpotStatus.choices)
    concerns = forms.ModelMultipleChoiceField(
        label=_("Bekymringer om grupper og steder"),
        queryset=Concern.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, concerns: QuerySet[Concern], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerns"].queryset = concerns  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Slutdatoen ligger før startdatoen."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Angiv både bredde- og længdegrad, eller ingen af dem."))
        return data
