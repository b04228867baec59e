"""Forms of the data subjects' rights and supervision pages (ssp/audit/views.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp import access
from ssp.audit import subject_access, supervision
from ssp.audit.models import AuditAction
from ssp.cases.models import CustodyHolder, LegalBasis, YoungPerson
from ssp.forms import DATE_WIDGET, StyledForm
from ssp.organisation.models import SchoolDistrict, Unit, UnitKind
from ssp.validation import max_length_of

REASON_MAX_LENGTH = 1000


class SubjectAccessForm(StyledForm):
    requested_by = forms.ChoiceField(
        label=gettext_lazy("Hvem har bedt om indsigt?"), widget=forms.RadioSelect
    )
    export_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=subject_access.ExportFormat.choices,
        initial=subject_access.ExportFormat.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, holders: list[CustodyHolder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holders = {str(holder.pk): holder for holder in holders}
        cast(forms.ChoiceField, self.fields["requested_by"]).choices = [
            (subject_access.Requester.YOUNG_PERSON, subject_access.Requester.YOUNG_PERSON.label),
            *[
                (
                    f"holder-{pk}",
                    _("%(name)s (forældremyndighedsindehaver)") % {"name": holder.name},
                )
                for pk, holder in self.holders.items()
            ],
        ]

    def to_request(self) -> subject_access.SubjectAccessRequest:
        chosen = str(self.cleaned_data["requested_by"])
        holder = self.holders.get(chosen.removeprefix("holder-"))
        return subject_access.SubjectAccessRequest(
            requested_by=(
                subject_access.Requester.CUSTODY_HOLDER
                if holder is not None
                else subject_access.Requester.YOUNG_PERSON
            ),
            custody_holder=holder,
            export_format=subject_access.ExportFormat(self.cleaned_data["export_format"]),
        )


class CorrectionForm(StyledForm):
    first_name = forms.CharField(
        label=gettext_lazy("Fornavn"), max_length=max_length_of(YoungPerson, "first_name")
    )
    last_name = forms.CharField(
        label=gettext_lazy("Efternavn"), max_length=max_length_of(YoungPerson, "last_name")
    )
    school = forms.ModelChoiceField(
        label=gettext_lazy("Skole"), queryset=Unit.objects.none(), required=False
    )
    class_name = forms.CharField(
        label=gettext_lazy("Klasse"),
        max_length=max_length_of(YoungPerson, "class_name"),
        required=False,
    )
    school_district = forms.ModelChoiceField(
        label=gettext_lazy("Skoledistrikt"), queryset=SchoolDistrict.objects.none(), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Begrundelse for rettelsen"),
        help_text=gettext_lazy('Fx "Den unges mor har oplyst, at navnet er stavet forkert".'),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, person: YoungPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Unit], self.fields["school"]).queryset = Unit.objects.filter(
            municipality_id=person.municipality_id,
            kind__in=[UnitKind.SCHOOL, UnitKind.YOUTH_SCHOOL],
        ).order_by("name")
        cast(
            forms.ModelChoiceField[SchoolDistrict], self.fields["school_district"]
        ).queryset = SchoolDistrict.objects.filter(municipality_id=person.municipality_id).order_by(
            "name"
        )
        if not self.is_bound:
            self.initial.update(
                {
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "school": person.school_id,
                    "class_name": person.class_name,
                    "school_district": person.school_district_id,
                    "fingerprint": subject_access.fingerprint_of(person),
                }
            )

    def to_data(self) -> subject_access.CorrectionData:
        data = self.cleaned_data
        return subject_access.CorrectionData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            school=data["school"],
            class_name=data["class_name"],
            school_district=data["school_district"],
            reason=data["reason"],
        )


class DisclosureFilterForm(StyledForm):
    fra = forms.DateField(label=gettext_lazy("Fra"), required=False, widget=DATE_WIDGET)
    til = forms.DateField(label=gettext_lazy("Til"), required=False, widget=DATE_WIDGET)
    hjemmel = forms.ModelChoiceField(
        label=gettext_lazy("Hjemmel"),
        queryset=LegalBasis.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle hjemler"),
    )

    def __init__(self, *args: Any, actor: access.Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField[LegalBasis], self.fields["hjemmel"]
        ).queryset = supervision.legal_bases_of(actor)

    def chosen(self) -> supervision.DisclosureFilter:
        if not self.is_valid():
            return supervision.DisclosureFilter()
        data = self.cleaned_data
        return supervision.DisclosureFilter(
            start=data["fra"], end=data["til"], legal_basis=data["hjemmel"]
        )


class EventFilterForm(StyledForm):
    bruger = forms.TypedChoiceField(
        label=gettext_lazy("Bruger"), required=False, coerce=int, empty_value=None
    )
    handling = forms.ChoiceField(label=gettext_lazy("Hændelse"), required=False)
    fra = forms.DateField(label=gettext_lazy("Fra"), required=False, widget=DATE_WIDGET)
    til = forms.DateField(label=gettext_lazy("Til"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: access.Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["bruger"]).choices = [
            ("", _("Alle brugere")),
            *supervision.users_of(actor),
        ]
        cast(forms.ChoiceField, self.fields["handling"]).choices = [
            ("", _("Alle hændelser")),
            *AuditAction.choices,
        ]

    def chosen(self) -> supervision.EventFilter:
        if not self.is_valid():
            return supervision.EventFilter()
        data = self.cleaned_data
        return supervision.EventFilter(
            user_id=data["bruger"], action=data["handling"], start=data["fra"], end=data["til"]
        )
