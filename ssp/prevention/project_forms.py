"""The project form (R7, Fredericia's projects): SSP staff create and change projects. It
validates input and builds the service's data (`to_data()`); `projects.py` applies the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.forms import (
    DATE_WIDGET,
    MemberPicker,
    OneTimeTokenMixin,
    StyledForm,
    VersionedFormMixin,
    set_picker,
)
from ssp.organisation.models import Member
from ssp.prevention.models import FocusArea, Project
from ssp.prevention.projects import ProjectData
from ssp.validation import max_length_of

PROJECT_FIELDS = (
    "name",
    "starts_on",
    "ends_on",
    "funding",
    "partners",
    "goals",
    "focus_area",
    "responsible",
    "evaluation",
    "evaluated",
)


def _text(label: Any, name: str, rows: int = 0, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length_of(Project, name),
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
        help_text=help_text,
    )


class FocusAreaChoiceField(forms.ModelChoiceField[FocusArea]):
    def label_from_instance(self, obj: FocusArea) -> str:
        return f"{obj.title} ({obj.starts_on:%d.%m.%Y}-{obj.ends_on:%d.%m.%Y})"


class ProjectForm(StyledForm):
    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Project, "name"))
    starts_on = forms.DateField(label=_("Fra"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Til"), widget=DATE_WIDGET)
    funding = _text(_("Finansiering"), "funding", help_text=_("Fx puljens navn og beløb."))
    partners = _text(_("Samarbejdspartnere"), "partners", rows=3)
    goals = _text(_("Mål"), "goals", rows=4)
    focus_area = FocusAreaChoiceField(
        label=_("Fokusområde"), queryset=FocusArea.objects.none(), required=False
    )
    responsible = MemberPicker(
        label=_("Projektleder"), queryset=Member.objects.none(), required=False
    )
    evaluation = _text(
        _("Evaluering"),
        "evaluation",
        rows=5,
        help_text=_("Kan skrives undervejs. Hvad blev nået, hvad virkede, hvad nu?"),
    )
    evaluated = forms.BooleanField(
        label=_("Projektet er evalueret"),
        required=False,
        help_text=_("Kan først markeres, når projektet er slut, og kræver en evaluering."),
    )

    def __init__(
        self,
        *args: Any,
        focus_areas: QuerySet[FocusArea],
        members: QuerySet[Member],
        members_search: str,
        **kwargs: Any,
    ) -> None:
        """`focus_areas`, `members`: what may be chosen (the actor's municipality, the focus
        areas bounded); `members_search`: the project leader picker's search endpoint."""
        super().__init__(*args, **kwargs)
        field = self.fields["focus_area"]
        if not isinstance(field, FocusAreaChoiceField):
            raise TypeError("focus_area is not a focus area choice field")
        field.queryset = focus_areas
        set_picker(self, "responsible", members, members_search)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts is not None and ends is not None and ends < starts:
            self.add_error("ends_on", _("'Til' skal ligge på eller efter 'Fra'."))
        if data.get("evaluated") and not (data.get("evaluation") or "").strip():
            self.add_error(
                "evaluation", _("Skriv evalueringen, før projektet markeres som evalueret.")
            )
        return data

    def to_data(self) -> ProjectData:
        data = self.cleaned_data
        focus_area, responsible = data.get("focus_area"), data.get("responsible")
        return ProjectData(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            funding=data["funding"],
            partners=data["partners"],
            goals=data["goals"],
            focus_area_id=focus_area.pk if focus_area is not None else None,
            responsible_id=responsible.pk if responsible is not None else None,
            evaluation=data["evaluation"],
            evaluated=bool(data["evaluated"]),
        )


class ProjectNewForm(OneTimeTokenMixin, ProjectForm):
    """Creating a project: one project per form, however often it is posted."""


class ProjectEditForm(VersionedFormMixin, ProjectForm):
    """Changing a project: the form carries the version it was opened at."""

    @staticmethod
    def initial_for(project: Project) -> dict[str, Any]:
        return {
            "name": project.name,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "funding": project.funding,
            "partners": project.partners,
            "goals": project.goals,
            "focus_area": project.focus_area_id,
            "responsible": project.responsible_id,
            "evaluation": project.evaluation,
            "evaluated": project.evaluated_at is not None,
            "version": project.version,
        }

    @classmethod
    def stored_values(cls, current: dict[str, Any], project: Project) -> list[tuple[str, Any]]:
        """What the other person saved (`StaleEdit.current`), as (label, value) for the page."""
        project.refresh_from_db()
        labels = {name: str(field.label) for name, field in cls.base_fields.items()}
        shown: list[tuple[str, Any]] = []
        for name in PROJECT_FIELDS:
            if name == "focus_area":
                value: Any = project.focus_area
            elif name == "responsible":
                value = project.responsible.name if project.responsible else None
            elif name == "evaluated":
                value = _("Ja") if current.get("evaluated_at") else _("Nej")
            else:
                value = current.get(name)
            shown.append((labels[name], value))
        return shown
