"""Forms of issue 15: the users-in-bulk upload and the password pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ssp.accounts import password_reset
from ssp.forms import StyledForm
from ssp.police import imports


class BulkUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel)"),
        help_text=_(
            "Kolonner: navn, e-mail, enhed, funktion, sektor, myndighedsperson, fora, "
            "rolle, adgangsrolle."
        ),
    )
    allow_elevated = forms.BooleanField(
        label=_(
            "Filen må give adgang til personoplysninger: adgangsroller over medarbejder "
            "(SSP-medarbejder, administrator, tilsyn) og myndighedspersoner"
        ),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                gettext("Filen er for stor (højst %(mb)s MB).")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ResetRequestForm(StyledForm):
    email = forms.EmailField(label=_("Din e-mailadresse"), max_length=254)


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's form (the password validators apply); saving goes through the service, which
    writes the audit event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-input")

    def save(self, commit: bool = True) -> User:
        return password_reset.set_password_from_link(
            user=self.user, password=self.cleaned_data["new_password1"]
        )
