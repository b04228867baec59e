"""Issue 16: the public tip form (no login): a place or a group, never a named person."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ssp.cases import tips
from ssp.cases.models import ConcernSubject
from ssp.forms import OneTimeTokenMixin, StyledForm


class TipForm(StyledForm, OneTimeTokenMixin):
    subject = forms.ChoiceField(
        label=_("Hvad handler din henvendelse om?"),
        choices=[(value, ConcernSubject(value).label) for value in tips.TIP_SUBJECTS],
        widget=forms.RadioSelect,
        initial=ConcernSubject.PLACE,
    )
    place = forms.CharField(
        label=_("Hvor?"),
        max_length=tips.PLACE_MAX,
        help_text=_("Fx en adresse, en plads, en park eller et butikscenter."),
    )
    group_size = forms.IntegerField(
        label=_("Ca. hvor mange er de? (valgfrit)"),
        min_value=tips.GROUP_SIZE_MIN,
        max_value=tips.GROUP_SIZE_MAX,
        required=False,
    )
    group_age_min = forms.IntegerField(
        label=_("Alder fra (valgfrit)"),
        min_value=tips.AGE_MIN,
        max_value=tips.AGE_MAX,
        required=False,
    )
    group_age_max = forms.IntegerField(
        label=_("Alder til (valgfrit)"),
        min_value=tips.AGE_MIN,
        max_value=tips.AGE_MAX,
        required=False,
    )
    description = forms.CharField(
        label=_("Hvad skete der, og hvornår?"),
        max_length=tips.DESCRIPTION_MAX,
        help_text=_("Beskriv det, du så eller hørte, og hvornår det var (dag og klokkeslæt)."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact = forms.CharField(
        label=_("Hvordan kan vi kontakte dig? (valgfrit)"),
        max_length=tips.CONTACT_MAX,
        required=False,
        help_text=_("Din e-mail eller dit telefonnummer, hvis SSP må kontakte dig."),
    )
    # A field people do not see (hidden on the page): a program that fills in every field is
    # answered as if all went well, and nothing is stored.
    website = forms.CharField(
        label=_("Lad dette felt stå tomt"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("subject") == ConcernSubject.GROUP:
            low, high = data.get("group_age_min"), data.get("group_age_max")
            if low is not None and high is not None and high < low:
                self.add_error("group_age_max", _("'Alder til' skal være mindst 'alder fra'."))
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def to_data(self) -> tips.TipData:
        data = self.cleaned_data
        return tips.TipData(
            subject=data["subject"],
            place=data["place"],
            description=data["description"],
            group_size=data.get("group_size"),
            group_age_min=data.get("group_age_min"),
            group_age_max=data.get("group_age_max"),
            contact=data.get("contact") or "",
        )
