"""Reading the prevention work (R7): the staircase and the catalogue, through `access.py`."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from ssp.access import Actor
from ssp.prevention import access
from ssp.prevention.models import AGE_MAX, AGE_MIN, Intervention, StaircaseStep
from ssp.validation import clean_search

CATALOGUE_PAGE_SIZE = 25
SEARCH_MAX_LENGTH = 100  # characters of a catalogue search that are used
SEARCH_MAX_WORDS = 5


@dataclass(frozen=True)
class CatalogueFilter:
    """What the catalogue is searched by: an age the intervention is for, a step, words."""

    age: int | None = None
    step: int | None = None  # the step's number (1, 2, 3 ...)
    q: str = ""
    include_inactive: bool = False

    @classmethod
    def from_values(
        cls, *, age: object = None, step: object = None, q: object = "", inactive: object = ""
    ) -> CatalogueFilter:
        """From query parameters: what does not parse, or is out of range, is left out."""
        return cls(
            age=_int_in(age, AGE_MIN, AGE_MAX),
            step=_int_in(step, 1, 99),
            q=" ".join(clean_search(str(q or "")).split())[:SEARCH_MAX_LENGTH],
            include_inactive=str(inactive) in {"1", "on", "true"},
        )


def _int_in(value: object, low: int, high: int) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@dataclass(frozen=True)
class StepSummary:
    step: StaircaseStep
    interventions: int  # active interventions on the step


def staircase(actor: Actor) -> list[StepSummary]:
    """The steps of the actor's municipality, with how many active interventions each has (one
    query; a municipality has a handful of steps)."""
    steps = access.visible_steps(actor).annotate(
        active=Count("interventions", filter=Q(interventions__active=True))
    )
    return [StepSummary(step=step, interventions=step.active) for step in steps]


def interventions(actor: Actor, search: CatalogueFilter) -> QuerySet[Intervention]:
    """The catalogue filtered as asked, by name, with the steps prefetched."""
    found = access.visible_interventions(actor)
    if not search.include_inactive:
        found = found.filter(active=True)
    if search.age is not None:
        found = found.filter(
            Q(age_min__isnull=True) | Q(age_min__lte=search.age),
            Q(age_max__isnull=True) | Q(age_max__gte=search.age),
        )
    if search.step is not None:
        found = found.filter(
            pk__in=Intervention.steps.through.objects.filter(
                staircasestep__number=search.step
            ).values("intervention_id")
        )
    for word in search.q.split()[:SEARCH_MAX_WORDS]:
        found = found.filter(
            Q(name__icontains=word)
            | Q(target_group__icontains=word)
            | Q(description__icontains=word)
        )
    return (
        found.select_related("provider_unit", "contact")
        .prefetch_related(Prefetch("steps", queryset=StaircaseStep.objects.order_by("number")))
        .order_by("name", "pk")
    )


def catalogue_page(actor: Actor, search: CatalogueFilter, page: int) -> Page[Intervention]:
    return Paginator(interventions(actor, search), CATALOGUE_PAGE_SIZE).get_page(page)
