from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode fra din godkendelses-app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-input"}
        ),
        error_messages={"required": _("Skriv den 6-cifrede kode.")},
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        if not code.isdecimal():
            raise forms.ValidationError(_("Koden består kun af tal."))
        return code


class ConfidentialityForm(forms.Form):
    """R4: the user ticks that they have read and know their duty of confidentiality."""

    confirmed = forms.BooleanField(
        label=_("Jeg har læst teksten og kender min tavshedspligt"),
        required=True,
        error_messages={"required": _("Sæt kryds for at bekræfte tavshedspligten.")},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class MeetingEmailsForm(forms.Form):
    """Issue 14: the member's choice of meeting e-mails (invitations, notices, reminders)."""

    meeting_emails = forms.BooleanField(
        label=_("Send mig mødeindkaldelser og -meddelelser på e-mail"), required=False
    )
