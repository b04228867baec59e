"""The prevention API (`/api/v1/prevention/`, R7): the intervention staircase and the catalogue,
read through the same selectors and access rules as the pages. Everyone with a role in the
municipality may read them; prevention records hold no personal data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema

from ssp import access
from ssp.access import Actor
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.prevention import access as prevention_access
from ssp.prevention import selectors
from ssp.prevention.models import AGE_MAX, AGE_MIN, STEPS_MAX, Intervention
from ssp.validation import without_control_characters

router = Router(tags=["prevention"])

API_PAGE_SIZE = 100  # interventions per page of `GET /interventions`

Age = QueryEx[int | None, P(ge=AGE_MIN, le=AGE_MAX)]
StepNumber = QueryEx[int | None, P(ge=1, le=STEPS_MAX)]
Search = QueryEx[str, P(max_length=selectors.SEARCH_MAX_LENGTH)]


def _actor(request: HttpRequest) -> Actor:
    """The request's actor; 403 unless a member with a role in a municipality (like the pages)."""
    return access.enforce(prevention_access.can_see_prevention, actor_of(request))


class InterventionOut(Schema):
    id: int
    name: str
    steps: list[int]
    age_min: int | None
    age_max: int | None
    target_group: str
    description: str
    provider_unit: str | None
    contact: str | None
    how_to_refer: str
    capacity: str
    material: str
    active: bool


class StepOut(Schema):
    number: int
    goal: str
    level: str
    interventions: int  # active interventions on the step


def _intervention_out(intervention: Intervention) -> InterventionOut:
    # In a list, `steps` is prefetched (by number) by the selector and `.all()` reads the cache.
    return InterventionOut(
        id=intervention.pk,
        name=intervention.name,
        steps=[step.number for step in intervention.steps.all()],
        age_min=intervention.age_min,
        age_max=intervention.age_max,
        target_group=intervention.target_group,
        description=intervention.description,
        provider_unit=intervention.provider_unit.name if intervention.provider_unit else None,
        contact=intervention.contact.name if intervention.contact else None,
        how_to_refer=intervention.how_to_refer,
        capacity=intervention.capacity,
        material=intervention.material,
        active=intervention.active,
    )


@router.get("/interventions", response={200: list[InterventionOut], **ERRORS})
def list_interventions(
    request: HttpRequest,
    age: Age = None,
    step: StepNumber = None,
    q: Search = "",
    inactive: bool = False,
    page: int = 1,
) -> list[InterventionOut]:
    """The catalogue by name, 100 a page (`page` from 1): interventions for an `age`, on a
    `step` (its number), matching the words of `q`; those no longer in use with `inactive`."""
    actor = _actor(request)
    search = selectors.CatalogueFilter.from_values(
        age=age, step=step, q=without_control_characters(q), inactive="1" if inactive else ""
    )
    found = Paginator(selectors.interventions(actor, search), API_PAGE_SIZE).get_page(page)
    return [_intervention_out(intervention) for intervention in found.object_list]


@router.get("/interventions/{intervention_id}", response={200: InterventionOut, **ERRORS})
def get_intervention(request: HttpRequest, intervention_id: int) -> InterventionOut:
    """One intervention, in use or not; 404 outside the actor's municipality."""
    return _intervention_out(
        prevention_access.get_intervention_for(_actor(request), intervention_id)
    )


@router.get("/steps", response={200: list[StepOut], **ERRORS})
def list_steps(request: HttpRequest) -> list[StepOut]:
    """The staircase by number, each step with its number of active interventions (a
    municipality has a handful of steps, at most nine: no pages)."""
    return [
        StepOut(
            number=summary.step.number,
            goal=summary.step.goal,
            level=summary.step.level,
            interventions=summary.interventions,
        )
        for summary in selectors.staircase(_actor(request))
    ]
