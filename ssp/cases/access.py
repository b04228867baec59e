"""Who may see and change concerns, cases and young people (ARCHITECTURE.md, access policy).

- SSP staff see everything in their municipality.
- Authority members see a case when they take part in it: member of the forum or ad hoc group
  that handles it, coordinator or contact person of an agreement, or owner of a task; and the
  concerns sent to their fora.
- Non-authority employees see the concerns they raised themselves, nothing else.
- Politicians and administrators see no case content.
- Police members see their cases like other authority members, but have no free search.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ssp.access import (
    Actor,
    is_authority_employee,
    is_employee,
    is_ssp_staff,
    municipality_of,
)
from ssp.cases.models import ActionAgreement, Case, Concern, Task, YoungPerson
from ssp.organisation.models import AccessRole


def can_raise_concern(actor: Actor) -> bool:
    """R2: anyone employed in the municipality may raise a concern (Halsnæs "100 døre")."""
    return is_employee(actor)


def can_open_case(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_route_concerns(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_search_young_people(actor: Actor) -> bool:
    """§115: information may not be used for criminal investigation; police get no search."""
    return is_ssp_staff(actor) or (is_authority_employee(actor) and not actor.is_police)


def sees_register_name(
    actor: Actor, concern: Concern, visible_case_ids: set[int] | None = None
) -> bool:
    """Whether the concern may show the register's name of its young person to this actor."""
    if is_ssp_staff(actor):
        return True
    if not is_authority_employee(actor):
        return False
    if concern.forum_id in actor.forum_ids:
        return True
    if concern.case_id is None:
        return False
    if visible_case_ids is not None:
        return concern.case_id in visible_case_ids
    return visible_cases(actor).filter(pk=concern.case_id).exists()


def can_see_full_cpr(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def visible_cases(actor: Actor) -> QuerySet[Case]:
    if is_ssp_staff(actor):
        return Case.objects.filter(municipality_id=municipality_of(actor))
    if not is_authority_employee(actor):
        return Case.objects.none()
    member = actor.member_id
    agreements = ActionAgreement.objects.filter(
        Q(coordinator_id=member) | Q(contact_person_id=member)
    ).values("case_id")
    tasks = Task.objects.filter(owner_id=member).values("case_id")
    return Case.objects.filter(municipality_id=municipality_of(actor)).filter(
        Q(forum_id__in=actor.forum_ids) | Q(pk__in=agreements) | Q(pk__in=tasks)
    )


def visible_concerns(actor: Actor) -> QuerySet[Concern]:
    if is_ssp_staff(actor):
        return Concern.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        return Concern.objects.filter(municipality_id=municipality_of(actor)).filter(
            Q(forum_id__in=actor.forum_ids)
            | Q(raised_by_id=actor.user_id)
            | Q(case__in=visible_cases(actor))
        )
    if actor.role == AccessRole.EMPLOYEE and actor.user_id is not None:
        return Concern.objects.filter(raised_by_id=actor.user_id)
    return Concern.objects.none()


def visible_young_people(actor: Actor) -> QuerySet[YoungPerson]:
    if is_ssp_staff(actor):
        return YoungPerson.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        # Not through concerns they raised themselves: raising a concern must never work as a
        # look-up in the register.
        return YoungPerson.objects.filter(
            Q(pk__in=visible_cases(actor).values("young_person_id"))
            | Q(
                pk__in=Concern.objects.filter(
                    municipality_id=municipality_of(actor), forum_id__in=actor.forum_ids
                ).values("young_person_id")
            )
        )
    return YoungPerson.objects.none()
