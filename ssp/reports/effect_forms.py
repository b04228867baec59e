"""The effect-measurement upload: one file (CSV or Excel); what it holds (the police's figures
or the youth profile survey) is told by its headers (`ssp/reports/effect.py`).
The form carries a one-time token: the same post twice imports once.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ssp.forms import OneTimeTokenMixin, StyledForm


class EffectUploadForm(OneTimeTokenMixin, StyledForm):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel)"),
        help_text=_(
            "Politiets tal eller ungeprofilundersøgelsen: filen genkendes på overskrifterne i "
            "første række. Årene i filen erstatter de tal, der er indlæst for de år."
        ),
    )
