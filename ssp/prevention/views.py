"""Pages of the prevention work (R7): the intervention staircase and the catalogue, one
intervention, and the catalogue's form for SSP staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ssp import access, autocomplete
from ssp.access import Actor
from ssp.cases.selectors import members_of_municipality
from ssp.errors import DomainError
from ssp.http import actor_of, page_number, user_of
from ssp.organisation import selectors as org_selectors
from ssp.prevention import access as prevention_access
from ssp.prevention import forms, selectors, services, usage
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    Intervention,
    PreventionLevel,
    StaircaseStep,
)
from ssp.versioning import StaleEdit

INVALID = 400
# The staircase's colours (ssp.css `ssp-level--*`), by prevention level.
LEVEL_COLOURS = {
    PreventionLevel.GENERAL: "green",
    PreventionLevel.SPECIFIC: "yellow",
    PreventionLevel.INDIVIDUAL: "red",
}


@dataclass(frozen=True)
class StepRow:
    step: StaircaseStep
    colour: str
    interventions: int = 0


def _colour(step: StaircaseStep) -> str:
    return LEVEL_COLOURS.get(PreventionLevel(step.level), "")


@access.require(prevention_access.can_see_prevention)
def catalogue(request: HttpRequest) -> HttpResponse:
    """The staircase (steps, goals, levels, how many interventions) and the catalogue searched
    by age, step and words (a GET form; one page of results)."""
    actor = actor_of(request)
    search = selectors.CatalogueFilter.from_values(
        age=request.GET.get("alder"),
        step=request.GET.get("trin"),
        q=request.GET.get("q", ""),
        inactive=request.GET.get("ikke_i_brug", ""),
    )
    page = selectors.catalogue_page(actor, search, page_number(request))
    interventions = list(page.object_list)
    uses = usage.usage_counts(i.pk for i in interventions)
    kept = {
        "alder": "" if search.age is None else search.age,
        "trin": "" if search.step is None else search.step,
        "q": search.q,
        "ikke_i_brug": "1" if search.include_inactive else "",
    }
    return render(
        request,
        "prevention/catalogue.html",
        {
            "steps": [
                StepRow(summary.step, _colour(summary.step), summary.interventions)
                for summary in selectors.staircase(actor)
            ],
            "search": search,
            "searched": any(value != "" for value in kept.values()),
            "page": page,
            "interventions": interventions,
            "rows": [(i, uses[i.pk]) for i in interventions],
            "page_query": urlencode({k: v for k, v in kept.items() if v != ""}),
            "age_min": AGE_MIN,
            "age_max": AGE_MAX,
            "can_manage": prevention_access.can_manage_catalogue(actor),
        },
    )


@access.require(prevention_access.can_see_prevention)
def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    intervention = prevention_access.get_intervention_for(actor, pk)
    return render(
        request,
        "prevention/intervention_detail.html",
        {
            "intervention": intervention,
            "usage": usage.usage_counts([intervention.pk])[intervention.pk],
            "steps": [
                StepRow(step, _colour(step)) for step in intervention.steps.order_by("number")
            ],
            "material": [
                line.strip() for line in intervention.material.splitlines() if line.strip()
            ],
            "can_manage": prevention_access.can_manage_catalogue(actor),
        },
    )


def _form(
    actor: Actor, data: Any = None, intervention: Intervention | None = None
) -> forms.InterventionForm:
    """The intervention form, its choices scoped to the actor's municipality."""
    choices: dict[str, Any] = {
        "steps": prevention_access.visible_steps(actor).order_by("number"),
        "units": org_selectors.units_of(org_selectors.get_own_municipality(actor)),
        "members": members_of_municipality(actor),
        "search_urls": {
            "provider_unit": reverse("prevention:unit_search"),
            "contact": reverse("prevention:member_search"),
        },
    }
    if intervention is None:
        return forms.InterventionForm(data, initial={"active": True}, **choices)
    return forms.InterventionEditForm(
        data, initial=forms.InterventionEditForm.initial_for(intervention), **choices
    )


def _picker(form: django_forms.Form, name: str) -> autocomplete.AutocompleteMixin:
    """The form's own picker, so that a search endpoint searches what the form accepts."""
    field = form.fields[name]
    if not isinstance(field, autocomplete.AutocompleteMixin):
        raise TypeError(f"{name} is not a picker")
    return field


@access.require(prevention_access.can_manage_catalogue)
def unit_search(request: HttpRequest) -> HttpResponse:
    """The form's provider picker: the units of the municipality, by name."""
    return autocomplete.search_response(request, _picker(_form(actor_of(request)), "provider_unit"))


@access.require(prevention_access.can_manage_catalogue)
def member_search(request: HttpRequest) -> HttpResponse:
    """The form's contact picker: the members of the municipality, by name, title or unit."""
    return autocomplete.search_response(request, _picker(_form(actor_of(request)), "contact"))


def _keep_on_form(form: django_forms.Form, error: DomainError) -> None:
    """The service's reason on the form: above it, and on each field it names."""
    form.add_error(None, error.message)
    if isinstance(error, services.PersonalDataFound):
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne her."))


@access.require(prevention_access.can_manage_catalogue)
def intervention_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (`pk=None`) or change an intervention (SSP staff)."""
    actor = actor_of(request)
    intervention = (
        prevention_access.get_intervention_for(actor, pk, for_change=True)
        if pk is not None
        else None
    )
    form = _form(actor, request.POST or None, intervention)
    stored: list[tuple[str, object]] = []
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                if isinstance(form, forms.InterventionEditForm) and intervention is not None:
                    saved = services.update_intervention(
                        actor_user=user_of(request),
                        intervention=intervention,
                        data=form.to_data(),
                        expected_version=form.expected_version(),
                    )
                else:
                    saved = services.create_intervention(
                        actor_user=user_of(request), data=form.to_data()
                    )
            except StaleEdit as stale:
                # Keep what the user typed, show what the other person saved, and let the next
                # save go against the version now stored.
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = _form(actor, typed, intervention)
                form.is_valid()
                form.add_error(None, stale.message)
                if intervention is not None:
                    stored = forms.InterventionEditForm.stored_values(stale.current, intervention)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Indsatsen er gemt."))
                return redirect("prevention:intervention", pk=saved.pk)
    return render(
        request,
        "prevention/intervention_form.html",
        {"form": form, "intervention": intervention, "stored": stored},
        status=status,
    )
