"""The intervention form (R7): SSP staff create and change the catalogue's interventions. It
validates input and builds the service's data (`to_data()`); the service applies the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteChoiceField
from ssp.forms import (
    MemberPicker,
    ModelMultipleChoiceField,
    StyledForm,
    VersionedFormMixin,
    set_picker,
)
from ssp.organisation.models import Member, Unit
from ssp.prevention.models import AGE_MAX, AGE_MIN, Intervention, StaircaseStep
from ssp.prevention.services import InterventionData
from ssp.validation import max_length_of

# The form's fields in the order of the page (and of "Det er gemt nu" after a stale save).
INTERVENTION_FIELDS = (
    "name",
    "steps",
    "age_min",
    "age_max",
    "target_group",
    "description",
    "provider_unit",
    "contact",
    "how_to_refer",
    "capacity",
    "material",
    "active",
)


class StepChoiceField(ModelMultipleChoiceField[StaircaseStep]):
    """The municipality's steps (a handful) as checkboxes: "2. Forebygge … (gul)"."""

    def label_from_instance(self, obj: StaircaseStep) -> str:
        return f"{obj.number}. {obj.goal} ({obj.get_level_display()})"


class UnitPicker(AutocompleteChoiceField):
    """One unit of the municipality, found by name (a municipality may have hundreds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", ("name",))
        super().__init__(*args, **kwargs)


def _age_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=AGE_MIN, max_value=AGE_MAX)


class InterventionForm(StyledForm):
    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Intervention, "name"))
    steps = StepChoiceField(
        label=_("Trin på indsatstrappen"),
        queryset=StaircaseStep.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst ét trin på indsatstrappen.")},
    )
    age_min = _age_field(_("Fra alder"))
    age_max = _age_field(_("Til alder"))
    target_group = forms.CharField(
        label=_("Målgruppe"),
        required=False,
        max_length=max_length_of(Intervention, "target_group"),
        help_text=_("Fx klassetrin, område eller gruppe. Ingen navne."),
    )
    description = forms.CharField(
        label=_("Hvad er indsatsen"),
        required=False,
        max_length=max_length_of(Intervention, "description"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    provider_unit = UnitPicker(label=_("Udbyder"), queryset=Unit.objects.none(), required=False)
    contact = MemberPicker(label=_("Kontaktperson"), queryset=Member.objects.none(), required=False)
    how_to_refer = forms.CharField(
        label=_("Sådan henviser man"),
        required=False,
        max_length=max_length_of(Intervention, "how_to_refer"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity = forms.CharField(
        label=_("Kapacitet"),
        required=False,
        max_length=max_length_of(Intervention, "capacity"),
    )
    material = forms.CharField(
        label=_("Inspirationsmateriale og links"),
        required=False,
        max_length=max_length_of(Intervention, "material"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Et link eller en henvisning pr. linje."),
    )
    active = forms.BooleanField(label=_("I brug"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        steps: QuerySet[StaircaseStep],
        units: QuerySet[Unit],
        members: QuerySet[Member],
        search_urls: dict[str, str],
        **kwargs: Any,
    ) -> None:
        """`steps`, `units`, `members`: what may be chosen (the actor's municipality);
        `search_urls`: the search endpoints of the "provider_unit" and "contact" pickers."""
        super().__init__(*args, **kwargs)
        step_field = self.fields["steps"]
        if not isinstance(step_field, StepChoiceField):
            raise TypeError("steps is not a step choice field")
        step_field.queryset = steps
        set_picker(self, "provider_unit", units, search_urls["provider_unit"])
        set_picker(self, "contact", members, search_urls["contact"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("'Til alder' skal være mindst 'Fra alder'."))
        return data

    def to_data(self) -> InterventionData:
        data = self.cleaned_data
        unit, contact = data.get("provider_unit"), data.get("contact")
        return InterventionData(
            name=data["name"],
            step_ids=[step.pk for step in data["steps"]],
            age_min=data["age_min"],
            age_max=data["age_max"],
            target_group=data["target_group"],
            description=data["description"],
            provider_unit_id=unit.pk if unit is not None else None,
            contact_id=contact.pk if contact is not None else None,
            how_to_refer=data["how_to_refer"],
            capacity=data["capacity"],
            material=data["material"],
            active=bool(data["active"]),
        )

    @staticmethod
    def initial_for(intervention: Intervention) -> dict[str, Any]:
        """The form's initial values for changing an intervention."""
        initial: dict[str, Any] = {
            name: getattr(intervention, name)
            for name in INTERVENTION_FIELDS
            if name not in {"steps", "provider_unit", "contact"}
        }
        initial["steps"] = [step.pk for step in intervention.steps.all()]
        initial["provider_unit"] = intervention.provider_unit_id
        initial["contact"] = intervention.contact_id
        return initial


class InterventionEditForm(InterventionForm, VersionedFormMixin):
    """Changing an intervention: the form carries the version it was opened at."""

    @staticmethod
    def initial_for(intervention: Intervention) -> dict[str, Any]:
        return {**InterventionForm.initial_for(intervention), "version": intervention.version}

    @classmethod
    def stored_values(
        cls, current: dict[str, Any], intervention: Intervention
    ) -> list[tuple[str, Any]]:
        """What the other person saved (`StaleEdit.current`), as (label, value) for the page.
        The unit and the contact are named by the record read again after the stale save."""
        labels = {name: str(field.label) for name, field in cls.base_fields.items()}
        intervention.refresh_from_db()
        shown: list[tuple[str, Any]] = []
        for name in INTERVENTION_FIELDS:
            if name == "steps":
                value: Any = ", ".join(str(s.number) for s in intervention.steps.all())
            elif name == "provider_unit":
                value = intervention.provider_unit or None
            elif name == "contact":
                value = intervention.contact or None
            elif name == "active":
                value = _("Ja") if current.get(name) else _("Nej")
            else:
                value = current.get(name)
            shown.append((labels[name], value))
        return shown
