"""Who takes part in a meeting (issue 14), beyond "the forum's members": the rule that both
the access scope (`access.visible_meetings`, `selectors.meetings_for_member`) and the notices
(`notices.recipients`) read, so a meeting is sent to exactly those who may open it.

- A pre-meeting (`MeetingKind.PRE_MEETING`) of a forum whose preset names its participants
  (`Forum.pre_meeting_participants`, the seats' functions: Faxe's chair and head of centre) is
  for the members in those seats only, plus the SSP staff who manage the forum (who see every
  meeting of their municipality anyway). Without such a list it is the whole forum's, as before.
- A joint event (`Meeting.joint_fora`: one conference for all Områdegrupper) is also the
  meeting of every member of the joint fora.

This module reads models only (no access or service imports), so `access` can use it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ssp.access import FORUM_MANAGER_ROLES, Actor, is_ssp_staff
from ssp.meetings.models import Meeting, MeetingKind
from ssp.organisation.models import AccessRole, Forum, Member, Membership


def restricts_pre_meetings(forum: Forum) -> bool:
    """Whether the forum's pre-meetings are for named seats only."""
    return bool(forum.pre_meeting_participants)


def is_restricted(meeting: Meeting) -> bool:
    return meeting.kind == MeetingKind.PRE_MEETING and restricts_pre_meetings(meeting.forum)


def pre_meeting_participants(meeting: Meeting) -> QuerySet[Member]:
    """Who takes part in a pre-meeting: the current members in the seats the forum names, and
    the SSP staff among the forum's managers. For any other meeting (or a forum without the
    list): the forum's current members."""
    current = Membership.objects.current().filter(forum_id=meeting.forum_id)
    if not is_restricted(meeting):
        return Member.objects.filter(pk__in=current.values("member_id"))
    participants = current.filter(
        Q(seat__function__in=list(meeting.forum.pre_meeting_participants))
        | Q(role__in=FORUM_MANAGER_ROLES, member__access_role=AccessRole.SSP_STAFF)
    )
    return Member.objects.filter(pk__in=participants.values("member_id"))


def invitees(meeting: Meeting) -> QuerySet[Member]:
    """The members a meeting is sent to: its participants (the forum's members, or a
    pre-meeting's participants) and the current members of its joint fora."""
    joint = Membership.objects.current().filter(forum_id__in=meeting.joint_fora.values("pk"))
    return Member.objects.filter(
        Q(pk__in=pre_meeting_participants(meeting).values("pk"))
        | Q(pk__in=joint.values("member_id"))
    )


def hidden_pre_meeting_fora(actor: Actor) -> list[int]:
    """The actor's fora whose pre-meetings she does not attend (one query; none for SSP staff,
    who see every meeting of their municipality)."""
    if is_ssp_staff(actor) or actor.member_id is None or not actor.forum_ids:
        return []
    rows = (
        Membership.objects.current()
        .filter(member_id=actor.member_id, forum_id__any_of=actor.forum_ids)
        .values_list("forum_id", "forum__pre_meeting_participants", "seat__function")
    )
    restricted: set[int] = set()
    attends: set[int] = set()
    for forum_id, functions, function in rows:
        if functions:
            restricted.add(forum_id)
            if function in functions:
                attends.add(forum_id)
    return sorted(restricted - attends)


def joint_events(actor: Actor) -> Q:
    """The meetings held jointly with one of the actor's fora."""
    through = Meeting.joint_fora.through.objects.filter(forum_id__any_of=actor.forum_ids)
    return Q(pk__in=through.values("meeting_id"))


def scope(actor: Actor, own: Q) -> Q:
    """`own` (the meetings of the actor's fora) without the pre-meetings she does not attend,
    and with the joint events of her fora."""
    hidden = hidden_pre_meeting_fora(actor)
    if hidden:
        own &= ~Q(kind=MeetingKind.PRE_MEETING, forum_id__in=hidden)
    if actor.forum_ids and not is_ssp_staff(actor):  # staff see their municipality's anyway
        own |= joint_events(actor)
    return own
