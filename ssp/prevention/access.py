"""Who may see and change the prevention work (R7).

Prevention records hold no personal data (groups, classes, places and numbers), so everyone
with a role in the municipality sees them, politicians and non-authority members included; SSP
staff keep the catalogue and the staircase. Built on `ssp/access.py` only.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ssp.access import (
    Actor,
    get_or_404,
    has_access_role,
    is_authority_employee,
    is_ssp_staff,
    municipality_of,
    visible_fora,
)
from ssp.organisation.models import Forum, ForumType
from ssp.prevention.models import (
    Activity,
    AnnualPlan,
    FocusArea,
    Intervention,
    Project,
    StaircaseStep,
)


def can_see_prevention(actor: Actor) -> bool:
    """Everyone with a role in a municipality (the navigation's "Forebyggelse")."""
    return has_access_role(actor) and actor.municipality_id is not None


def can_manage_catalogue(actor: Actor) -> bool:
    """SSP staff keep the staircase and the catalogue of interventions."""
    return is_ssp_staff(actor)


def checks_registered_names(actor: Actor) -> bool:
    """Whether the personal-data check of the actor's text also looks for registered young
    people's names: only for authority persons (SSP staff are), since for anyone else a refusal
    would tell whether a name is in the register."""
    return is_authority_employee(actor) or is_ssp_staff(actor)


def visible_steps(actor: Actor) -> QuerySet[StaircaseStep]:
    if not can_see_prevention(actor):
        return StaircaseStep.objects.none()
    return StaircaseStep.objects.filter(municipality_id=municipality_of(actor))


def visible_interventions(actor: Actor) -> QuerySet[Intervention]:
    if not can_see_prevention(actor):
        return Intervention.objects.none()
    return Intervention.objects.filter(municipality_id=municipality_of(actor))


def get_intervention_for(actor: Actor, pk: int, *, for_change: bool = False) -> Intervention:
    """The intervention, or 404 when it is not in the actor's municipality; `for_change` also
    asks the right to keep the catalogue (404 likewise: the page is not offered)."""
    if for_change and not can_manage_catalogue(actor):
        return get_or_404(Intervention.objects.none(), pk=pk)
    return get_or_404(visible_interventions(actor), pk=pk)


# --- Focus areas, annual plans, activities, projects -----------------------------------------


def can_manage_focus_areas(actor: Actor) -> bool:
    """SSP staff draft focus areas for the steering group or a Lokalråd; the forum's decision
    sets them (`ssp/meetings/links.py`)."""
    return is_ssp_staff(actor)


def can_manage_projects(actor: Actor) -> bool:
    """SSP staff keep the register of projects."""
    return is_ssp_staff(actor)


def plan_fora(actor: Actor) -> QuerySet[Forum]:
    """The fora the actor may make and change annual plans for: SSP staff for every standing
    forum of the municipality, everyone else for the fora they sit in (teachers, the club, the
    housing project: prevention is not personal data, so every member contributes)."""
    if not can_see_prevention(actor):
        return Forum.objects.none()
    fora = (
        visible_fora(actor)
        .filter(municipality_id=municipality_of(actor), dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
    )
    if is_ssp_staff(actor):
        return fora
    return fora.filter(pk__any_of=actor.forum_ids)


def can_make_plans(actor: Actor) -> bool:
    """Whether the actor makes or changes annual plans for any forum: "Ny årsplan" and the
    pickers of the plan and activity forms (responsible person, school or place)."""
    return plan_fora(actor).exists()


def can_change_plan(actor: Actor, plan: AnnualPlan) -> bool:
    """Staff, and the members of the plan's forum, change the plan and its activities."""
    if not can_see_prevention(actor) or plan.municipality_id != municipality_of(actor):
        return False
    return is_ssp_staff(actor) or plan.forum_id in actor.forum_ids


def visible_focus_areas(actor: Actor) -> QuerySet[FocusArea]:
    if not can_see_prevention(actor):
        return FocusArea.objects.none()
    return FocusArea.objects.filter(municipality_id=municipality_of(actor))


def visible_plans(actor: Actor) -> QuerySet[AnnualPlan]:
    if not can_see_prevention(actor):
        return AnnualPlan.objects.none()
    return AnnualPlan.objects.filter(municipality_id=municipality_of(actor))


def visible_activities(actor: Actor) -> QuerySet[Activity]:
    if not can_see_prevention(actor):
        return Activity.objects.none()
    return Activity.objects.filter(municipality_id=municipality_of(actor))


def visible_projects(actor: Actor) -> QuerySet[Project]:
    if not can_see_prevention(actor):
        return Project.objects.none()
    return Project.objects.filter(municipality_id=municipality_of(actor))


def get_focus_area_for(actor: Actor, pk: int, *, for_change: bool = False) -> FocusArea:
    if for_change and not can_manage_focus_areas(actor):
        return get_or_404(FocusArea.objects.none(), pk=pk)
    return get_or_404(visible_focus_areas(actor), pk=pk)


def get_plan_for(actor: Actor, pk: int, *, for_change: bool = False) -> AnnualPlan:
    """The plan, or 404; `for_change` also asks the right to change it (404 likewise)."""
    plan = get_or_404(visible_plans(actor).select_related("forum"), pk=pk)
    if for_change and not can_change_plan(actor, plan):
        return get_or_404(AnnualPlan.objects.none(), pk=pk)
    return plan


def get_activity_for(actor: Actor, pk: int, *, for_change: bool = False) -> Activity:
    activity = get_or_404(visible_activities(actor).select_related("plan", "plan__forum"), pk=pk)
    if for_change and not can_change_plan(actor, activity.plan):
        return get_or_404(Activity.objects.none(), pk=pk)
    return activity


def get_project_for(actor: Actor, pk: int, *, for_change: bool = False) -> Project:
    if for_change and not can_manage_projects(actor):
        return get_or_404(Project.objects.none(), pk=pk)
    return get_or_404(visible_projects(actor), pk=pk)
