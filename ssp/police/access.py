"""Who sees police reports, deadlines, absence data and hot spots (all within a municipality).

- SSP staff run the weekly review: they see and route every police report and every deadline.
- Authority members see the reports routed to them and the deadlines they are responsible for.
- A school's SSP contact sees the absence records of that school; SSP staff see all.
- Hot spots describe places, not persons: every member of the organisation sees them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ssp.access import Actor, is_authority_employee, is_employee, is_ssp_staff, municipality_of
from ssp.organisation.models import AccessRole, Unit
from ssp.police.models import AbsenceRecord, Deadline, HotSpot, PoliceReport


def can_review(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_see_counts(actor: Actor) -> bool:
    """The 14-day counts go to the steering group: counts per SSP-team member, no children."""
    return is_ssp_staff(actor) or (
        actor.role == AccessRole.POLITICIAN and actor.municipality_id is not None
    )


def can_see_deadlines(actor: Actor) -> bool:
    return is_ssp_staff(actor) or is_authority_employee(actor)


def can_see_hot_spots(actor: Actor) -> bool:
    return is_employee(actor)


def absence_schools(actor: Actor) -> QuerySet[Unit]:
    if is_ssp_staff(actor):
        return Unit.objects.filter(municipality_id=municipality_of(actor), kind="school")
    if is_authority_employee(actor) and actor.member_id is not None:
        return Unit.objects.filter(ssp_contact_id=actor.member_id)
    return Unit.objects.none()


def can_see_absence(actor: Actor) -> bool:
    return is_ssp_staff(actor) or (is_authority_employee(actor) and absence_schools(actor).exists())


def visible_reports(actor: Actor) -> QuerySet[PoliceReport]:
    if is_ssp_staff(actor):
        return PoliceReport.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        return PoliceReport.objects.filter(municipality_id=municipality_of(actor)).filter(
            Q(routed_to_member_id=actor.member_id) | Q(home_contact_id=actor.member_id)
        )
    return PoliceReport.objects.none()


def visible_deadlines(actor: Actor) -> QuerySet[Deadline]:
    if is_ssp_staff(actor):
        return Deadline.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        return Deadline.objects.filter(
            municipality_id=municipality_of(actor), responsible_id=actor.member_id
        )
    return Deadline.objects.none()


def visible_absence(actor: Actor) -> QuerySet[AbsenceRecord]:
    return AbsenceRecord.objects.filter(school__in=absence_schools(actor))


def visible_hot_spots(actor: Actor) -> QuerySet[HotSpot]:
    if not can_see_hot_spots(actor):
        return HotSpot.objects.none()
    return HotSpot.objects.filter(municipality_id=municipality_of(actor))
