"""The prevention forms (R7): the catalogue's interventions, focus areas, annual plans, their
activities and evaluations. They validate input and build the service's data (`to_data()`);
the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteChoiceField
from ssp.forms import (
    DATE_WIDGET,
    ForumPicker,
    MemberPicker,
    ModelMultipleChoiceField,
    OneTimeTokenMixin,
    StyledForm,
    VersionedFormMixin,
    set_picker,
)
from ssp.organisation.models import Forum, Member, Unit
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    CLASS_MAX,
    CLASS_MIN,
    REACHED_MAX,
    SCHOOL_YEAR_MAX,
    SCHOOL_YEAR_MIN,
    Activity,
    ActivityKind,
    FocusArea,
    Intervention,
    StaircaseStep,
)
from ssp.prevention.services import ActivityData, FocusAreaData, InterventionData
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


# --- Focus areas, annual plans and activities -------------------------------------------------

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-input"}, format="%H:%M")
FOCUS_AREA_FIELDS = ("forum", "title", "description", "starts_on", "ends_on")
ACTIVITY_FIELDS = (
    "title",
    "kind",
    "focus_area",
    "intervention",
    "goal",
    "target_group",
    "class_from",
    "class_to",
    "unit",
    "place",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "responsible",
    "partners",
)


def _pk(value: Any) -> int | None:
    return value.pk if value is not None else None


def _dates_ordered(form: forms.Form, data: dict[str, Any], later: str, message: Any) -> None:
    first, last = data.get("starts_on"), data.get("ends_on")
    if first is not None and last is not None and last < first:
        form.add_error(later, message)


class FocusAreaForm(StyledForm, OneTimeTokenMixin):
    forum = ForumPicker(
        label=_("Forum"),
        queryset=Forum.objects.none(),
        help_text=_("Styregruppen, et lokalråd, koordinationsgruppen eller et lokaludvalg."),
    )
    title = forms.CharField(label=_("Fokusområde"), max_length=max_length_of(FocusArea, "title"))
    description = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=max_length_of(FocusArea, "description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hvorfor og hvad vil I opnå? Skriv om grupper og steder, ikke om personer."),
    )
    starts_on = forms.DateField(label=_("Fra"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Til"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, fora: QuerySet[Forum], fora_search: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "forum", fora, fora_search)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _dates_ordered(self, data, "ends_on", _("'Til' skal være samme dag som eller efter 'Fra'."))
        return data

    def to_data(self) -> FocusAreaData:
        data = self.cleaned_data
        return FocusAreaData(
            forum_id=data["forum"].pk,
            title=data["title"],
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    @staticmethod
    def initial_for(area: FocusArea) -> dict[str, Any]:
        return {
            "forum": area.forum_id,
            "title": area.title,
            "description": area.description,
            "starts_on": area.starts_on,
            "ends_on": area.ends_on,
            "version": area.version,
        }


class FocusAreaEditForm(FocusAreaForm, VersionedFormMixin):
    """Changing a focus area: the form carries the version it was opened at."""


class PlanForm(StyledForm):
    forum = ForumPicker(label=_("Forum"), queryset=Forum.objects.none())
    school_year = forms.IntegerField(
        label=_("Skoleår"),
        min_value=SCHOOL_YEAR_MIN,
        max_value=SCHOOL_YEAR_MAX,
        help_text=_("Året skoleåret begynder: 2026 er skoleåret 2026/27."),
        widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
    )
    copy_last = forms.BooleanField(
        label=_("Start med en kopi af sidste års plan"), required=False, initial=True
    )

    def __init__(self, *args: Any, fora: QuerySet[Forum], fora_search: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "forum", fora, fora_search)


def _class_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=CLASS_MIN,
        max_value=CLASS_MAX,
        widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
    )


class FocusAreaChoiceField(forms.ModelChoiceField[FocusArea]):
    def label_from_instance(self, obj: FocusArea) -> str:
        return f"{obj.title} ({obj.starts_on:%d.%m.%Y}–{obj.ends_on:%d.%m.%Y})"


class ActivityForm(StyledForm, OneTimeTokenMixin):
    title = forms.CharField(label=_("Aktivitet"), max_length=max_length_of(Activity, "title"))
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices)
    focus_area = FocusAreaChoiceField(
        label=_("Fokusområde"), queryset=FocusArea.objects.none(), required=False
    )
    intervention = forms.ModelChoiceField(
        label=_("Indsats fra kataloget"), queryset=Intervention.objects.none(), required=False
    )
    goal = forms.CharField(
        label=_("Mål"),
        required=False,
        max_length=max_length_of(Activity, "goal"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_group = forms.CharField(
        label=_("Målgruppe"),
        required=False,
        max_length=max_length_of(Activity, "target_group"),
        help_text=_("Fx klassetrin, område eller gruppe. Ingen navne."),
    )
    class_from = _class_field(_("Fra klassetrin"))
    class_to = _class_field(_("Til klassetrin"))
    unit = UnitPicker(label=_("Skole eller sted"), queryset=Unit.objects.none(), required=False)
    place = forms.CharField(
        label=_("Sted"),
        required=False,
        max_length=max_length_of(Activity, "place"),
        help_text=_("Fx lokale, hal eller område, hvis det ikke er en skole eller enhed."),
    )
    starts_on = forms.DateField(label=_("Fra dato"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Til dato"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Fra kl."), required=False, widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("Til kl."), required=False, widget=TIME_WIDGET)
    responsible = MemberPicker(label=_("Ansvarlig"), queryset=Member.objects.none(), required=False)
    partners = forms.CharField(
        label=_("Samarbejdspartnere"),
        required=False,
        max_length=max_length_of(Activity, "partners"),
    )
    confirm_double_booking = forms.BooleanField(label=_("Gem alligevel"), required=False)

    def __init__(
        self,
        *args: Any,
        focus_areas: QuerySet[FocusArea],
        interventions: QuerySet[Intervention],
        units: QuerySet[Unit],
        members: QuerySet[Member],
        search_urls: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("focus_area", focus_areas), ("intervention", interventions)):
            field = self.fields[name]
            if not isinstance(field, forms.ModelChoiceField):
                raise TypeError(f"{name} is not a model choice")
            field.queryset = queryset
        set_picker(self, "unit", units, search_urls["unit"])
        set_picker(self, "responsible", members, search_urls["responsible"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _dates_ordered(
            self, data, "ends_on", _("'Til dato' skal være samme dag som eller efter 'Fra dato'.")
        )
        low, high = data.get("class_from"), data.get("class_to")
        if low is not None and high is not None and low > high:
            self.add_error("class_to", _("'Til klassetrin' skal være mindst 'Fra klassetrin'."))
        return data

    def to_data(self) -> ActivityData:
        data = self.cleaned_data
        return ActivityData(
            title=data["title"],
            kind=data["kind"],
            goal=data["goal"],
            focus_area_id=_pk(data.get("focus_area")),
            intervention_id=_pk(data.get("intervention")),
            target_group=data["target_group"],
            class_from=data["class_from"],
            class_to=data["class_to"],
            unit_id=_pk(data.get("unit")),
            place=data["place"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            responsible_id=_pk(data.get("responsible")),
            partners=data["partners"],
            confirm_double_booking=bool(data.get("confirm_double_booking")),
        )

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(activity, name)
            for name in ACTIVITY_FIELDS
            if name not in {"focus_area", "intervention", "unit", "responsible"}
        }
        initial |= {
            "focus_area": activity.focus_area_id,
            "intervention": activity.intervention_id,
            "unit": activity.unit_id,
            "responsible": activity.responsible_id,
            "version": activity.version,
        }
        return initial


class ActivityEditForm(ActivityForm, VersionedFormMixin):
    """Changing an activity: the form carries the version it was opened at."""


class EvaluationForm(VersionedFormMixin, StyledForm):
    reached = forms.IntegerField(
        label=_("Antal nået"),
        min_value=0,
        max_value=REACHED_MAX,
        help_text=_("Hvor mange børn, unge eller forældre aktiviteten nåede."),
        widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
    )
    what_worked = forms.CharField(
        label=_("Hvad virkede"),
        max_length=max_length_of(Activity, "what_worked"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_next = forms.CharField(
        label=_("Hvad nu"),
        required=False,
        max_length=max_length_of(Activity, "what_next"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvad gør I anderledes næste gang?"),
    )
