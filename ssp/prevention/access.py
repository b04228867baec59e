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
)
from ssp.prevention.models import Intervention, StaircaseStep


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
