"""Issue 16: the form of the municipality's SSP guide (three texts, versioned)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ssp.forms import StyledForm, VersionedFormMixin
from ssp.organisation.models import Guide
from ssp.validation import max_length_of

HELP = _("En tom linje giver et nyt afsnit. Et tomt felt viser standardteksten.")


def _section(label: StrOrPromise, name: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length_of(Guide, name),
        required=False,
        help_text=HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class GuideForm(StyledForm, VersionedFormMixin):
    how_to_react = _section(_("Sådan reagerer du"), "how_to_react")
    whom_to_contact = _section(_("Hvem du kontakter"), "whom_to_contact")
    after_concern = _section(_("Hvad der sker efter en bekymring"), "after_concern")

    def texts(self) -> dict[str, str]:
        return {
            name: str(self.cleaned_data.get(name) or "")
            for name in ("how_to_react", "whom_to_contact", "after_concern")
        }
