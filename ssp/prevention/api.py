"""The prevention API (`/api/v1/prevention/`, R7): the intervention staircase and the catalogue,
the focus areas, the annual plans (one with its activities), the activities by date and the
projects, read through the same access rules and selectors as the pages. Everyone with a role in
the municipality may read them; prevention records hold no personal data. Every list is paged
(`API_PAGE_SIZE`), a plan's activities capped (`export.EXPORT_MAX_ACTIVITIES`)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema

from ssp import access
from ssp.access import Actor
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.prevention import access as prevention_access
from ssp.prevention import export, selectors
from ssp.prevention import projects as register
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    SCHOOL_YEAR_MAX,
    SCHOOL_YEAR_MIN,
    STEPS_MAX,
    Activity,
    AnnualPlan,
    FocusArea,
    Intervention,
)
from ssp.schema_types import DomainDate
from ssp.validation import without_control_characters

router = Router(tags=["prevention"])

API_PAGE_SIZE = 100  # items per page of the list endpoints
PAGE_MAX = 1_000_000  # a page number beyond any list
FORUM_KEY_MAX_LENGTH = 100

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


# --- Focus areas, annual plans, activities, projects ----------------------------------------

SchoolYear = QueryEx[int | None, P(ge=SCHOOL_YEAR_MIN, le=SCHOOL_YEAR_MAX)]
ForumKey = QueryEx[str, P(max_length=FORUM_KEY_MAX_LENGTH)]
DateFrom = QueryEx[DomainDate | None, P(alias="from")]
DateTo = QueryEx[DomainDate | None, P(alias="to")]
Page = QueryEx[int, P(ge=1, le=PAGE_MAX)]


class FocusAreaOut(Schema):
    id: int
    forum: str  # the forum's key
    forum_name: str
    title: str
    description: str
    starts_on: date
    ends_on: date
    decided_at: datetime | None


class PlanOut(Schema):
    id: int
    forum: str  # the forum's key
    forum_name: str
    school_year: int  # the year the school year begins: 2026 is 2026/27
    school_year_label: str
    status: str
    approved_at: datetime | None
    copied_from: int | None


class ActivityOut(Schema):
    id: int
    plan: int
    title: str
    kind: str
    goal: str
    focus_area: int | None
    focus_area_title: str | None
    intervention: int | None
    intervention_name: str | None
    target_group: str
    class_from: int | None
    class_to: int | None
    unit: str | None
    place: str
    starts_on: date
    ends_on: date
    start_time: str | None  # "HH:MM", local time
    end_time: str | None
    responsible: str | None
    partners: str
    status: str
    reached: int | None
    what_worked: str
    what_next: str


class PlanDetailOut(PlanOut):
    activities: list[ActivityOut]  # by date, at most `export.EXPORT_MAX_ACTIVITIES`


class ProjectOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    funding: str
    partners: str
    goals: str
    focus_area: int | None
    responsible: str | None
    evaluation: str
    evaluated_at: datetime | None


def _page(items: QuerySet[Any], page: int) -> list[Any]:
    return list(Paginator(items, API_PAGE_SIZE).get_page(page).object_list)


def _focus_area_out(area: FocusArea) -> FocusAreaOut:
    return FocusAreaOut(
        id=area.pk,
        forum=area.forum.key,
        forum_name=area.forum.name,
        title=area.title,
        description=area.description,
        starts_on=area.starts_on,
        ends_on=area.ends_on,
        decided_at=area.decided_at,
    )


def _plan_fields(plan: AnnualPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "forum": plan.forum.key,
        "forum_name": plan.forum.name,
        "school_year": plan.school_year,
        "school_year_label": plan.school_year_label,
        "status": plan.status,
        "approved_at": plan.approved_at,
        "copied_from": plan.copied_from_id,
    }


def _clock(value: time | None) -> str | None:
    """A time of day as "HH:MM" (OpenAPI's "time" format asks for a zone; these are local)."""
    return value.strftime("%H:%M") if value is not None else None


def _activity_out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.pk,
        plan=activity.plan_id,
        title=activity.title,
        kind=activity.kind,
        goal=activity.goal,
        focus_area=activity.focus_area_id,
        focus_area_title=activity.focus_area.title if activity.focus_area else None,
        intervention=activity.intervention_id,
        intervention_name=activity.intervention.name if activity.intervention else None,
        target_group=activity.target_group,
        class_from=activity.class_from,
        class_to=activity.class_to,
        unit=activity.unit.name if activity.unit else None,
        place=activity.place,
        starts_on=activity.starts_on,
        ends_on=activity.ends_on,
        start_time=_clock(activity.start_time),
        end_time=_clock(activity.end_time),
        responsible=activity.responsible.name if activity.responsible else None,
        partners=activity.partners,
        status=activity.status,
        reached=activity.reached,
        what_worked=activity.what_worked,
        what_next=activity.what_next,
    )


ACTIVITY_JOINS = ("focus_area", "intervention", "unit", "responsible")


@router.get("/focus-areas", response={200: list[FocusAreaOut], **ERRORS})
def list_focus_areas(request: HttpRequest, page: Page = 1) -> list[FocusAreaOut]:
    """The municipality's focus areas, newest period first, 100 a page (`page` from 1)."""
    areas = (
        prevention_access.visible_focus_areas(_actor(request))
        .select_related("forum")
        .order_by("-starts_on", "-pk")
    )
    return [_focus_area_out(area) for area in _page(areas, page)]


@router.get("/plans", response={200: list[PlanOut], **ERRORS})
def list_plans(
    request: HttpRequest, school_year: SchoolYear = None, forum: ForumKey = "", page: Page = 1
) -> list[PlanOut]:
    """The annual plans, newest school year first, 100 a page: of a `school_year` (the year it
    begins), of a `forum` (its key)."""
    plans = prevention_access.visible_plans(_actor(request)).select_related("forum")
    if school_year is not None:
        plans = plans.filter(school_year=school_year)
    if forum:
        plans = plans.filter(forum__key=without_control_characters(forum))
    plans = plans.order_by("-school_year", "forum__name", "pk")
    return [PlanOut(**_plan_fields(plan)) for plan in _page(plans, page)]


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: int) -> PlanDetailOut:
    """One plan with its activities by date (at most 1000); 404 outside the municipality."""
    actor = _actor(request)
    plan = prevention_access.get_plan_for(actor, plan_id)
    activities = export.plan_export(actor, plan).activities
    return PlanDetailOut(
        **_plan_fields(plan), activities=[_activity_out(activity) for activity in activities]
    )


@router.get("/activities", response={200: list[ActivityOut], **ERRORS})
def list_activities(
    request: HttpRequest, date_from: DateFrom = None, date_to: DateTo = None, page: Page = 1
) -> list[ActivityOut]:
    """The municipality's activities by date, 100 a page: those that end on or after `from`
    and begin on or before `to` (dates as YYYY-MM-DD)."""
    activities = prevention_access.visible_activities(_actor(request))
    if date_from is not None:
        activities = activities.filter(ends_on__gte=date_from)
    if date_to is not None:
        activities = activities.filter(starts_on__lte=date_to)
    activities = activities.select_related(*ACTIVITY_JOINS).order_by(
        "starts_on", "start_time", "pk"
    )
    return [_activity_out(activity) for activity in _page(activities, page)]


@router.get("/projects", response={200: list[ProjectOut], **ERRORS})
def list_projects(request: HttpRequest, page: Page = 1) -> list[ProjectOut]:
    """The municipality's projects, newest first, 100 a page."""
    found = register.projects(_actor(request), register.ProjectFilter())
    return [
        ProjectOut(
            id=project.pk,
            name=project.name,
            starts_on=project.starts_on,
            ends_on=project.ends_on,
            funding=project.funding,
            partners=project.partners,
            goals=project.goals,
            focus_area=project.focus_area_id,
            responsible=project.responsible.name if project.responsible else None,
            evaluation=project.evaluation,
            evaluated_at=project.evaluated_at,
        )
        for project in _page(found, page)
    ]
