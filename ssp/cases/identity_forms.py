"""Issue 15: the forms that complete a young person's identity and merge two registrations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteChoiceField
from ssp.cases.cpr import CPR_PATTERN
from ssp.cases.models import YoungPerson
from ssp.forms import StyledForm, set_picker

CPR_INPUT_MAX_LENGTH = 11  # "ddmmyy-xxxx"


class CompleteIdentityForm(StyledForm):
    cpr = forms.CharField(
        label=_("CPR-nummer"),
        max_length=CPR_INPUT_MAX_LENGTH,
        help_text=_("Fx 010203-1234. Fødselsdatoen tages fra CPR-nummeret."),
    )

    # Shown only when the number's birth date differs from the one typed at the report.
    correct_birth_date = forms.BooleanField(
        label=_("Ret fødselsdatoen til CPR-nummerets"), required=False
    )

    def clean_cpr(self) -> str:
        value = str(self.cleaned_data["cpr"]).strip()
        if not CPR_PATTERN.match(value):
            raise forms.ValidationError(_("CPR-nummeret skal have 10 cifre, fx 010203-1234."))
        return value


class YoungPersonPicker(AutocompleteChoiceField):
    """One young person, found by name (ssp/autocomplete.py): at most a page of matches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", ("first_name", "last_name"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)

    def hint_from_instance(self, obj: Any) -> str:
        parts = [str(obj.cpr_masked)]
        if obj.school is not None:
            parts.append(str(obj.school))
        if obj.class_name:
            parts.append(str(obj.class_name))
        return ", ".join(parts)


class MergeForm(StyledForm):
    other = YoungPersonPicker(
        label=_("Den anden registrering af barnet"),
        queryset=YoungPerson.objects.none(),
        help_text=_("Søg på fornavn eller efternavn."),
    )

    def __init__(
        self, *args: Any, candidates: QuerySet[YoungPerson], search_url: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "other", candidates, search_url)
        self.style_widgets()
