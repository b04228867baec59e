"""Reading the prevention work (R7): the staircase and the catalogue, focus areas, annual plans
and their activities, through `access.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from ssp.access import Actor, get_or_404, visible_fora
from ssp.organisation.models import Forum
from ssp.prevention import access
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    SCHOOL_YEAR_MAX,
    SCHOOL_YEAR_MIN,
    Activity,
    AnnualPlan,
    FocusArea,
    Intervention,
    PlanStatus,
    StaircaseStep,
)
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


# --- Focus areas, annual plans and activities -------------------------------------------------

FOCUS_AREAS_PAGE_SIZE = 25
FOCUS_AREA_ACTIVITIES_WINDOW = 20  # activities shown on a focus area's page (the first by date)
PLANS_PAGE_SIZE = 25
PLAN_ACTIVITIES_PAGE_SIZE = 50
SCHOOL_YEAR_START_MONTH = 8
PLAN_FORUM_CHOICES_MAX = 200  # fora offered in the plans' filter (those with plans)
LINK_PLANS_MAX = 10  # draft plans an agenda item may link to
LINK_FOCUS_AREAS_MAX = 20  # undecided focus areas an agenda item may link to


def focus_areas_page(actor: Actor, page: int) -> Page[FocusArea]:
    """The municipality's focus areas, newest period first, with the deciding meeting."""
    found = (
        access.visible_focus_areas(actor)
        .select_related("forum", "decided_item__meeting__forum")
        .order_by("-starts_on", "title", "pk")
    )
    return Paginator(found, FOCUS_AREAS_PAGE_SIZE).get_page(page)


def focus_area_detail(actor: Actor, pk: int) -> FocusArea:
    """One focus area with its forum and deciding meeting, and how many activities and
    projects it tags (`activity_count`, `project_count`)."""
    return get_or_404(
        access.visible_focus_areas(actor)
        .select_related("forum", "decided_item__meeting__forum")
        .annotate(
            activity_count=Count("activities", distinct=True),
            project_count=Count("projects", distinct=True),
        ),
        pk=pk,
    )


def focus_area_activities(actor: Actor, focus_area: FocusArea) -> list[Activity]:
    """The first activities of a focus area by date (a window; the count is on the page)."""
    return list(
        access.visible_activities(actor)
        .filter(focus_area=focus_area)
        .select_related("plan__forum", "unit")
        .order_by("starts_on", "pk")[:FOCUS_AREA_ACTIVITIES_WINDOW]
    )


@dataclass(frozen=True)
class PlanFilter:
    """What the list of plans is filtered by: a school year and a forum."""

    school_year: int | None = None
    forum_id: int | None = None

    @classmethod
    def from_values(cls, *, year: object = None, forum: object = None) -> PlanFilter:
        return cls(
            school_year=_int_in(year, SCHOOL_YEAR_MIN, SCHOOL_YEAR_MAX),
            forum_id=_int_in(forum, 1, 2**63 - 1),
        )


def plans_page(actor: Actor, search: PlanFilter, page: int) -> Page[AnnualPlan]:
    """The plans, newest school year first, with their forum and number of activities."""
    found = access.visible_plans(actor)
    if search.school_year is not None:
        found = found.filter(school_year=search.school_year)
    if search.forum_id is not None:
        found = found.filter(forum_id=search.forum_id)
    counted = cast(
        "QuerySet[AnnualPlan]",
        found.select_related("forum")
        .annotate(activity_count=Count("activities"))
        .order_by("-school_year", "forum__name", "pk"),
    )
    return Paginator(counted, PLANS_PAGE_SIZE).get_page(page)


def plan_school_years(actor: Actor) -> list[int]:
    """The school years that have plans (at most a century of them)."""
    return list(
        access.visible_plans(actor)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .distinct()[: SCHOOL_YEAR_MAX - SCHOOL_YEAR_MIN + 1]
    )


def plan_filter_fora(actor: Actor) -> list[Forum]:
    """The fora that have plans, for the filter (bounded)."""
    forum_ids = access.visible_plans(actor).values("forum_id")
    return list(
        visible_fora(actor).filter(pk__in=forum_ids).order_by("name", "pk")[:PLAN_FORUM_CHOICES_MAX]
    )


def plan_detail(actor: Actor, plan: AnnualPlan) -> AnnualPlan:
    """The plan again with what its page shows (forum, copy source, approving meeting)."""
    return get_or_404(
        access.visible_plans(actor).select_related(
            "forum", "copied_from", "approved_item__meeting__forum"
        ),
        pk=plan.pk,
    )


def plan_activities_page(actor: Actor, plan: AnnualPlan, page: int) -> Page[Activity]:
    """The plan's activities by date, with what the table shows."""
    found = (
        access.visible_activities(actor)
        .filter(plan=plan)
        .select_related("focus_area", "unit", "responsible")
        .order_by("starts_on", "start_time", "pk")
    )
    return Paginator(found, PLAN_ACTIVITIES_PAGE_SIZE).get_page(page)


def activity_detail(actor: Actor, pk: int) -> Activity:
    return get_or_404(
        access.visible_activities(actor).select_related(
            "plan__forum", "focus_area", "intervention", "unit", "responsible__unit"
        ),
        pk=pk,
    )


def focus_areas_for_activities(actor: Actor) -> QuerySet[FocusArea]:
    """The focus areas an activity may be tagged with (the municipality's)."""
    return access.visible_focus_areas(actor).order_by("-starts_on", "title")


# The activity form's choices of interventions and focus areas (a <select> each): bounded.
ACTIVITY_CHOICES_MAX = 200
ModelT = TypeVar("ModelT", bound=Model)


def _bounded(queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """The first `ACTIVITY_CHOICES_MAX` rows, still a queryset a choice field can filter."""
    return queryset.filter(pk__in=queryset.values("pk")[:ACTIVITY_CHOICES_MAX])


def interventions_for_activities(
    actor: Actor, current_id: int | None = None
) -> QuerySet[Intervention]:
    """The interventions in use (and the activity's current one, also when taken out of use,
    so that the activity can still be saved), by name, at most `ACTIVITY_CHOICES_MAX`."""
    chosen = Q(active=True)
    if current_id is not None:
        chosen |= Q(pk=current_id)
    return _bounded(access.visible_interventions(actor).filter(chosen).order_by("name", "pk"))


# --- For the agenda items' links (ssp/prevention/meeting_links.py) ------------------------------


def draft_plans_of(actor: Actor, forum: Forum) -> list[AnnualPlan]:
    """The forum's draft plans, newest first, for an agenda item to link to."""
    return list(
        access.visible_plans(actor)
        .filter(forum=forum, status=PlanStatus.DRAFT)
        .select_related("forum")
        .order_by("-school_year", "-pk")[:LINK_PLANS_MAX]
    )


def undecided_focus_areas_of(actor: Actor, forum: Forum) -> list[FocusArea]:
    """The forum's focus areas not yet decided, newest period first."""
    return list(
        access.visible_focus_areas(actor)
        .filter(forum=forum, decided_at__isnull=True)
        .order_by("-starts_on", "title", "pk")[:LINK_FOCUS_AREAS_MAX]
    )


def linked_plan(pk: int) -> AnnualPlan | None:
    """The plan an agenda item links to, as the agenda names it (the meeting's readers see the
    item; a plan holds no personal data)."""
    return AnnualPlan.objects.select_related("forum").filter(pk=pk).first()


def linked_focus_area(pk: int) -> FocusArea | None:
    return FocusArea.objects.filter(pk=pk).first()


def focus_areas_for_plan(
    actor: Actor, plan: AnnualPlan, current_id: int | None = None
) -> QuerySet[FocusArea]:
    """The focus areas an activity of the plan may be tagged with: the municipality's whose
    period touches the plan's school year (and the activity's current one)."""
    first = date(plan.school_year, SCHOOL_YEAR_START_MONTH, 1)
    last = date(plan.school_year + 1, SCHOOL_YEAR_START_MONTH, 1) - timedelta(days=1)
    touching = Q(starts_on__lte=last, ends_on__gte=first)
    if current_id is not None:
        touching |= Q(pk=current_id)
    return _bounded(
        access.visible_focus_areas(actor).filter(touching).order_by("-starts_on", "title", "pk")
    )
