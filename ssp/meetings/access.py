"""Who sees which meetings and which agenda items (R6, ARCHITECTURE.md access policy).

- Members of a forum see its meetings; SSP staff see every meeting in their municipality;
  members of the forum that receives forwarded minutes see those minutes (without closed items).
- Closed items concern named individuals: only SSP staff and authority members see them.
  Everyone else sees the title "Lukket punkt" and nothing else, on every channel.
- The chair, secretary and coordinators of a forum, and SSP staff, manage its meetings.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ssp.access import NO_ROLE, Actor, is_ssp_staff, municipality_of
from ssp.meetings.models import ForwardedMinutes, Meeting
from ssp.organisation.models import Forum, Membership, MembershipRole

MANAGER_ROLES = (MembershipRole.CHAIR, MembershipRole.SECRETARY, MembershipRole.COORDINATOR)
PERMANENT_ROLES = (
    MembershipRole.CHAIR,
    MembershipRole.VICE_CHAIR,
    MembershipRole.MEMBER,
    MembershipRole.SECRETARY,
    MembershipRole.COORDINATOR,
)


def can_use_meetings(actor: Actor) -> bool:
    return (
        actor.is_authenticated
        and actor.role != NO_ROLE
        and (bool(actor.forum_ids) or is_ssp_staff(actor))
    )


def _staff_fora(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(municipality_id=municipality_of(actor))


def visible_meetings(actor: Actor) -> QuerySet[Meeting]:
    if not actor.is_authenticated:
        return Meeting.objects.none()
    own = Q(forum_id__in=actor.forum_ids)
    forwarded = Q(
        pk__in=ForwardedMinutes.objects.filter(to_forum_id__in=actor.forum_ids).values("meeting_id")
    )
    if is_ssp_staff(actor):
        own |= Q(forum__in=_staff_fora(actor))
    return Meeting.objects.filter(own | forwarded)


def is_member_of(actor: Actor, meeting: Meeting) -> bool:
    return meeting.forum_id in actor.forum_ids or (
        is_ssp_staff(actor) and meeting.forum.municipality_id == actor.municipality_id
    )


def can_manage(actor: Actor, forum: Forum) -> bool:
    if is_ssp_staff(actor) and forum.municipality_id == actor.municipality_id:
        return True
    if actor.member_id is None:
        return False
    return (
        Membership.objects.current()
        .filter(forum=forum, member_id=actor.member_id, role__in=MANAGER_ROLES)
        .exists()
    )


def managed_fora(actor: Actor) -> QuerySet[Forum]:
    if is_ssp_staff(actor):
        return _staff_fora(actor).filter(dissolved_at__isnull=True)
    if actor.member_id is None:
        return Forum.objects.none()
    managed = Membership.objects.current().filter(member_id=actor.member_id, role__in=MANAGER_ROLES)
    return Forum.objects.filter(pk__in=managed.values("forum_id"), dissolved_at__isnull=True)


def permanent_memberships(forum: Forum) -> QuerySet[Membership]:
    return Membership.objects.current().filter(forum=forum, role__in=PERMANENT_ROLES)
