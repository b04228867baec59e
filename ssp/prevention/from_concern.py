"""Issue 16 (Balvig's levels, Fredericia): a general (green) concern about a group or a place
becomes an activity in the prevention plan instead of a case.

The activity is made by `ssp.prevention.services.create_activity` (its access rule, its
personal-data check, its one-time token); this module adds the concern's side: only a group or
place concern that is not decided yet, once (the concern row is locked and its activity set by a
conditional UPDATE), with its own audit event. The activity's texts are suggested from the
concern's group and place, never from its description (free text about people).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import access as case_access
from ssp.cases import routing
from ssp.cases import services as case_services
from ssp.cases.models import Concern, ConcernStatus, ConcernSubject
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.prevention import access as prevention_access
from ssp.prevention import services as prevention_services
from ssp.prevention.models import Activity, AnnualPlan

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200
TARGET_GROUP_MAX_LENGTH = 300
# The plans offered: this school year's and next (a bounded select, not a picker).
PLAN_YEARS_AHEAD = 1


@dataclass(frozen=True)
class Suggestion:
    """The activity's texts as the form suggests them: from the group and the place only."""

    title: str
    goal: str
    target_group: str
    place: str


def suggestion_for(concern: Concern) -> Suggestion:
    place = concern.place.strip()[:PLACE_MAX_LENGTH]
    if concern.subject == ConcernSubject.GROUP:
        title = _("Forebyggelse: gruppe ved %(place)s") % {"place": place}
        ages = ""
        if concern.group_age_min is not None and concern.group_age_max is not None:
            ages = _(", %(lo)s-%(hi)s år") % {
                "lo": concern.group_age_min,
                "hi": concern.group_age_max,
            }
        target = _("Gruppe på ca. %(n)s unge%(ages)s") % {
            "n": concern.group_size or "?",
            "ages": ages,
        }
        goal = _("Generel forebyggelse i gruppen og på stedet (fra bekymring nr. %(n)s).") % {
            "n": concern.pk
        }
    else:
        title = _("Forebyggelse: %(place)s") % {"place": place}
        target = ""
        goal = _("Generel forebyggelse på stedet (fra bekymring nr. %(n)s).") % {"n": concern.pk}
    return Suggestion(
        title=title[:TITLE_MAX_LENGTH],
        goal=goal,
        target_group=target[:TARGET_GROUP_MAX_LENGTH],
        place=place,
    )


def plan_choices(actor: access.Actor) -> QuerySet[AnnualPlan]:
    """The plans the actor may add the activity to: this and next school year's plans of the
    fora the actor plans for (a few per forum: a plain select)."""
    year = prevention_services.current_school_year()
    return (
        prevention_access.visible_plans(actor)
        .filter(
            forum__in=prevention_access.plan_fora(actor),
            school_year__gte=year,
            school_year__lte=year + PLAN_YEARS_AHEAD,
        )
        .select_related("forum")
        .order_by("school_year", "forum__name")
    )


def default_plan(
    plans: QuerySet[AnnualPlan], municipality: Municipality, concern: Concern
) -> AnnualPlan | None:
    """The general-prevention forum's plan of this school year, else the plan of the forum the
    concern was sent to, else none (the user chooses)."""
    year = prevention_services.current_school_year()
    general = routing.general_prevention_forum(municipality)
    for forum_id in (general.pk if general else None, concern.forum_id):
        if forum_id is None:
            continue
        plan = plans.filter(forum_id=forum_id, school_year=year).first()
        if plan is not None:
            return plan
    return None


@transaction.atomic
def move_concern_to_prevention(
    *,
    actor_user: User,
    concern: Concern,
    plan: AnnualPlan,
    data: prevention_services.ActivityData,
    token: uuid.UUID | None = None,
) -> Activity:
    """Make the concern an activity in `plan`: the activity is created, the concern points to
    it and gets the status "overført til den generelle forebyggelse". Twice is once: the
    concern row is locked, and a concern that already became an activity returns that one."""
    actor = access.get_actor(actor_user)
    if not case_access.can_move_concern_to_prevention(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan overføre en bekymring til forebyggelsen."))
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if locked.activity_id is not None:
        existing = Activity.objects.filter(pk=locked.activity_id).first()
        if existing is not None:
            return existing
    if not case_services.may_become_activity(locked):
        raise DomainError(
            _(
                "Kun en bekymring om en gruppe eller et sted, der ikke er afgjort, kan blive "
                "en aktivitet i forebyggelsesplanen."
            )
        )
    if plan.municipality_id != locked.municipality_id:
        raise DomainError(_("Vælg en årsplan i kommunen."))
    activity = prevention_services.create_activity(
        actor_user=actor_user, plan=plan, data=data, token=token
    )
    moved = Concern.objects.filter(
        pk=locked.pk,
        activity__isnull=True,
        status__in=(ConcernStatus.NEW, ConcernStatus.AWAITING_DECISION),
    ).update(activity=activity, status=ConcernStatus.PREVENTION)
    if moved != 1:
        raise DomainError(_("Bekymringen er allerede afgjort. Hent siden igen."))
    concern.activity = activity
    concern.status = ConcernStatus.PREVENTION
    record_event(
        actor=actor_user,
        action=AuditAction.CONCERN_TO_PREVENTION,
        obj=concern,
        municipality_id=concern.municipality_id,
        data={"activity": activity.pk, "plan": plan.pk},
    )
    return activity
