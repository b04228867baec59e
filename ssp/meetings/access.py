"""Who sees which meetings and which agenda items, and who may change them (R6,
ARCHITECTURE.md access policy). Every decision of the meetings app is taken here; views,
selectors, the API and the services call these functions and decide nothing themselves.

- Members of a forum see its meetings; SSP staff see every meeting in their municipality;
  members of the forum that receives forwarded minutes see those minutes (without closed items).
- Closed items concern named individuals: only SSP staff and authority members see them
  (`ssp.access.can_see_closed_items`). Everyone else sees the title "Lukket punkt" and nothing
  else, on every channel: `item_view` is the one place that redacts.
- The chair, secretary and coordinators of a forum, and SSP staff, manage its meetings.
- A member who may not see closed items may still hand in a contribution before one (København):
  write-only, she never sees it again.

Lookups in the style of healthchecks' `_get_check_for_user`: a meeting, item, attachment, task or
forum the actor may not see answers 404, the same as one that does not exist; a visible meeting
the actor may not change answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal, overload

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.access import (
    NO_ROLE,
    Actor,
    can_see_closed_items,
    can_see_personal_data,
    get_or_404,
    is_ssp_staff,
    municipality_of,
)
from ssp.meetings import participants, votes
from ssp.meetings.models import (
    AgendaItem,
    Attachment,
    AttendanceStatus,
    Contribution,
    ForwardedMinutes,
    Guest,
    Meeting,
    MeetingTask,
    MeetingTaskStatus,
    SignedPart,
    Visibility,
    Vote,
)
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Sector,
)

PERMANENT_ROLES = (
    MembershipRole.CHAIR,
    MembershipRole.VICE_CHAIR,
    MembershipRole.MEMBER,
    MembershipRole.SECRETARY,
    MembershipRole.COORDINATOR,
)


class Mode(Enum):
    """How a reader meets a meeting."""

    MEMBER = "member"  # a member of the forum (closed items by authority)
    ORIENTATION = "orientation"  # forwarded minutes: no closed items at all
    PUBLIC = "public"  # the published version: public items only
    GUEST = "guest"  # an invited guest with a login: public items only (issue 14)


@dataclass
class ItemView:
    """An agenda item as one reader may see it; a redacted item carries its title
    "Lukket punkt", its position and its visibility, nothing else."""

    pk: int
    position: int
    title: str
    visibility: str
    redacted: bool
    description: str = ""
    decision: str = ""
    responsible: str = ""
    deadline: date | None = None
    attachments: list[Attachment] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    kind: str = ""
    concern_id: int | None = None
    case_id: int | None = None
    # Issue 14: the decision's number and how it was taken (`vote_result`, `votes`: the
    # protocol's lines, `votes` by name only where the forum's rule says so).
    decision_number: str = ""
    vote_result: str = ""
    votes: list[str] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.visibility == Visibility.CLOSED

    # As text for the templates: a number there is localized, some 5 µs each (issue 11: an
    # agenda of 88 items shows 176 of them).
    @property
    def anchor(self) -> str:
        return f"punkt-{self.pk}"

    @property
    def position_text(self) -> str:
        return str(self.position)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


# --- Who takes part --------------------------------------------------------------------------


def can_use_meetings(actor: Actor) -> bool:
    """A member of a forum, SSP staff, or (issue 14) an invited guest with a login whose own
    login sits in no forum: she opens the meetings she is a guest of (`visible_meetings`)."""
    if not actor.is_authenticated or actor.role == NO_ROLE:
        return False
    if actor.forum_ids or is_ssp_staff(actor):
        return True
    return actor.member_id is not None and Guest.objects.filter(member_id=actor.member_id).exists()


def _staff_fora(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(municipality_id=municipality_of(actor))


def member_fora(actor: Actor) -> QuerySet[Forum]:
    """The fora whose meetings the actor attends as a member: her own, or for SSP staff every
    forum of the municipality."""
    if is_ssp_staff(actor):
        return _staff_fora(actor)
    return Forum.objects.filter(pk__any_of=actor.forum_ids)


def own_fora(actor: Actor) -> QuerySet[Forum]:
    """The fora the actor is a member of herself."""
    return Forum.objects.filter(pk__any_of=actor.forum_ids)


def visible_meetings(actor: Actor) -> QuerySet[Meeting]:
    if not actor.is_authenticated:
        return Meeting.objects.none()
    own = Q(forum_id__any_of=actor.forum_ids)
    # Issue 14 (N): a pre-meeting that names its participants is theirs only; a joint event is
    # also its joint fora's members' (`ssp.meetings.participants`).
    own = participants.scope(actor, own)
    forwarded = Q(
        pk__in=ForwardedMinutes.objects.filter(to_forum_id__any_of=actor.forum_ids).values(
            "meeting_id"
        )
    )
    if is_ssp_staff(actor):
        own |= Q(forum__in=_staff_fora(actor))
    if actor.member_id is not None:
        # An invited guest with a login sees the meeting (never its closed items: Mode.GUEST).
        own |= Q(pk__in=Guest.objects.filter(member_id=actor.member_id).values("meeting_id"))
    return Meeting.objects.filter(own | forwarded)


def received_minutes(actor: Actor) -> QuerySet[ForwardedMinutes]:
    """Minutes forwarded to the actor's fora for orientation."""
    return ForwardedMinutes.objects.filter(to_forum_id__any_of=actor.forum_ids)


def published_meetings() -> QuerySet[Meeting]:
    """What everyone, without login, may see: published meetings (their public items)."""
    return Meeting.objects.filter(published_at__isnull=False)


def is_member_of(actor: Actor, meeting: Meeting) -> bool:
    return meeting.forum_id in actor.forum_ids or (
        is_ssp_staff(actor) and meeting.forum.municipality_id == actor.municipality_id
    )


def is_guest_of(actor: Actor, meeting: Meeting) -> bool:
    """An invited guest of the meeting with a login (issue 14)."""
    return (
        actor.member_id is not None
        and Guest.objects.filter(meeting=meeting, member_id=actor.member_id).exists()
    )


def mode_for(actor: Actor, meeting: Meeting) -> Mode:
    """A visible meeting is read as a member, as an invited guest (no closed items), or as
    forwarded minutes for orientation."""
    if is_member_of(actor, meeting):
        return Mode.MEMBER
    if is_guest_of(actor, meeting):
        return Mode.GUEST
    return Mode.ORIENTATION


def can_manage(actor: Actor, forum: Forum) -> bool:
    """The chair, secretary and coordinators of a forum, and SSP staff of its municipality.
    The member's managing roles are read with the actor (`Actor.managed_forum_ids`): a meeting
    page asks this five times (issue 11)."""
    if is_ssp_staff(actor) and forum.municipality_id == actor.municipality_id:
        return True
    return forum.pk in actor.managed_forum_ids


def can_manage_meeting(actor: Actor, meeting: Meeting) -> bool:
    """Managing a meeting: a manager of its forum who reads it as a member."""
    return is_member_of(actor, meeting) and can_manage(actor, meeting.forum)


def may_manage_fora(actor: Actor) -> bool:
    """False when `managed_fora` is surely empty, told without a query (the start page asks for
    every user, and most manage no forum)."""
    return is_ssp_staff(actor) or bool(actor.managed_forum_ids)


def managed_fora(actor: Actor) -> QuerySet[Forum]:
    if is_ssp_staff(actor):
        return _staff_fora(actor).filter(dissolved_at__isnull=True)
    if not actor.managed_forum_ids:
        return Forum.objects.none()
    return Forum.objects.filter(pk__in=actor.managed_forum_ids, dissolved_at__isnull=True)


def can_plan_meetings(actor: Actor) -> bool:
    """Planning a forum's calendar or calling an extra meeting: a manager of some forum."""
    return managed_fora(actor).exists()


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date in local time: the day whose memberships sign and vote."""
    return timezone.localtime(meeting.starts_at).date()


def memberships_on(day: date) -> QuerySet[Membership]:
    """The memberships that ran on a day (started on or before it, ended on or after it)."""
    return Membership.objects.filter(Q(start_date__lte=day) | Q(start_date__isnull=True)).filter(
        Q(end_date__gte=day) | Q(end_date__isnull=True)
    )


def permanent_memberships(forum: Forum, on: date | None = None) -> QuerySet[Membership]:
    """The forum's permanent members: today, or (`on`) on a meeting's day (issue 14: an
    election recorded afterwards does not change who signed and voted at that meeting)."""
    memberships = Membership.objects.current() if on is None else memberships_on(on)
    return memberships.filter(forum=forum, role__in=PERMANENT_ROLES)


def meeting_memberships(meeting: Meeting) -> QuerySet[Membership]:
    """The forum's permanent members on the meeting's day: they sign, vote and have their
    attendance recorded."""
    return permanent_memberships(meeting.forum, on=meeting_day(meeting))


def signer_memberships(meeting: Meeting) -> QuerySet[Membership]:
    """R6, issue 14: who signs a protocol: the forum's permanent members who took part in the
    meeting. A member recorded with apologies or absent does not sign what she did not attend
    (as in a municipal committee, whose protocol is signed by the members present); one who
    left before item N took part and signs. A deputy does not sign in the member's place: the
    protocol records that the deputy attended.

    Issue 14: the members are those of the meeting's day (`meeting_memberships`), so a member
    elected at the meeting (her membership starts the day after) does not sign it; of them,
    those who are still members sign (one who has left the forum no longer opens its
    meetings)."""
    away = meeting.attendance.exclude(status=AttendanceStatus.PRESENT).values("member_id")
    still = permanent_memberships(meeting.forum).values("member_id")
    return meeting_memberships(meeting).filter(member_id__in=still).exclude(member_id__in=away)


def can_sign_protocol(actor: Actor, meeting: Meeting) -> bool:
    """R6: the forum's permanent members who took part sign its protocol."""
    if actor.member_id is None:
        return False
    return signer_memberships(meeting).filter(member_id=actor.member_id).exists()


def member_actor(member: Member) -> Actor:
    """The access facts of a member as the shared rules read them (without her fora)."""
    return Actor(
        user_id=member.user_id,
        role=member.access_role,
        member_id=member.pk,
        municipality_id=member.municipality_id,
        is_authority=member.is_authority,
        is_police=member.sector == Sector.POLICE,
    )


def reads_closed_items(member: Member) -> bool:
    """Whether a member may read closed items: the one rule of `ssp.access.can_see_closed_items`
    (SSP staff, or an employee who is an authority person; never a supervisor or politician),
    applied to the member. It decides the part of the protocol she signs (`signed_part`), as it
    decides the closed items she reads and writes the minutes of (`changeable_items`)."""
    return can_see_closed_items(member_actor(member))


def closed_item_readers(members: QuerySet[Member]) -> QuerySet[Member]:
    """`reads_closed_items` as a query: the members among these who may read closed items."""
    return members.filter(municipality__isnull=False).filter(
        Q(access_role=AccessRole.SSP_STAFF) | Q(access_role=AccessRole.EMPLOYEE, is_authority=True)
    )


def signed_part(member: Member, meeting: Meeting) -> SignedPart:
    """Issue 14: the part of the protocol a member signs: the whole text when she may read
    all of it (or there are no closed items), else the open part only."""
    if (
        reads_closed_items(member)
        or not meeting.items.filter(visibility=Visibility.CLOSED).exists()
    ):
        return SignedPart.FULL
    return SignedPart.OPEN


def can_close_meeting(actor: Actor, meeting: Meeting) -> bool:
    """ "Afslut mødet": a manager of the meeting."""
    return can_manage_meeting(actor, meeting)


def can_manage_guests(actor: Actor, meeting: Meeting) -> bool:
    """Inviting and removing guests: a manager of the meeting."""
    return can_manage_meeting(actor, meeting)


def voting_members(forum: Forum, on: date | None = None) -> list[Member]:
    """The members with the vote in a forum (`may_vote`), by name: today, or on a day."""
    return [
        ms.member
        for ms in permanent_memberships(forum, on).select_related("member").order_by("member__name")
        if may_vote(ms)
    ]


def get_guest_for(actor: Actor, meeting: Meeting, guest_id: int) -> Guest:
    """A guest of a meeting the actor manages (looked up with `for_change`), else 404."""
    if not can_manage_guests(actor, meeting):
        raise PermissionDenied
    return get_or_404(meeting.guests.all(), pk=guest_id)


def public_signer_label(membership: Membership) -> str:
    """How the public protocol names a signer (issue 14): an elected member (sector politics)
    by name, staff by the seat's function (else the member's title), never a staff name."""
    return public_member_label(membership.member, membership)


def public_member_label(member: Member, membership: Membership | None) -> str:
    """How the public version names a member (a signer, a voter, a deputy who voted): an
    elected member by name, staff by the seat's function, else the member's title, else the
    role ("Stedfortræder" for one without a membership); never a staff member's name."""
    if member.sector == Sector.POLITICS:
        return member.name
    if membership is None:
        return member.title or _("Stedfortræder")
    if membership.seat is not None:
        return membership.seat.function
    return member.title or str(MembershipRole(membership.role).label)


def public_vote_labels(meeting: Meeting) -> dict[int, str]:
    """The public labels of the members who may vote at a meeting, by member id; a voter not
    among them (a deputy) is labelled by `public_member_label` without a membership."""
    return {
        ms.member_id: public_member_label(ms.member, ms)
        for ms in meeting_memberships(meeting).select_related("member", "seat")
    }


def may_vote(membership: Membership) -> bool:
    """Who may vote (issue 14): a permanent member with the vote (the preset's seats: Faxe's
    political and police members)."""
    return membership.has_vote and membership.role in PERMANENT_ROLES


def can_contribute(actor: Actor, meeting: Meeting) -> bool:
    """A member of the forum (not a reader of forwarded minutes) may hand in a contribution."""
    return actor.member_id is not None and is_member_of(actor, meeting)


def offers_contribution_form(actor: Actor, meeting: Meeting) -> bool:
    """The form under a "Lukket punkt" is for members who may not see closed items."""
    return can_contribute(actor, meeting) and not can_see_closed_items(actor)


def can_publish(actor: Actor, meeting: Meeting) -> bool:
    """Only managers who may see personal data publish: the publication check names registered
    young people and must not become a way for others to test names against the register."""
    return can_manage(actor, meeting.forum) and can_see_personal_data(actor)


def can_complete_task(actor: Actor, task: MeetingTask) -> bool:
    return actor.member_id is not None and task.owner_id == actor.member_id


# --- Agenda items: the one place that redacts ------------------------------------------------


def sees_item(actor: Actor | None, item: AgendaItem, mode: Mode) -> bool:
    """Whether the reader sees the item's content (else it is redacted or left out). A guest
    sees the public items only, as her invitation shows them: an internal item is the forum's
    own business, a closed one never hers."""
    if mode is Mode.PUBLIC or mode is Mode.GUEST:
        return item.visibility == Visibility.PUBLIC
    if not item.is_closed:
        return True
    return mode is Mode.MEMBER and actor is not None and can_see_closed_items(actor)


def can_change_item(actor: Actor, item: AgendaItem) -> bool:
    """Editing, deleting or writing the decision of an item: a closed one only by those who see
    closed items."""
    return not item.is_closed or can_see_closed_items(actor)


def responsible_candidates(candidates: QuerySet[Member], item: AgendaItem) -> QuerySet[Member]:
    """Who may be responsible for an item's decision: for a closed item (it concerns a named
    child) those who may read closed items (`reads_closed_items`)."""
    return closed_item_readers(candidates) if item.is_closed else candidates


def may_be_responsible(member: Member, item: AgendaItem) -> bool:
    return not item.is_closed or reads_closed_items(member)


# Where `selectors.agenda_for` puts an item's attachments and contributions (`Prefetch`).
PREFETCHED_ATTACHMENTS = "prefetched_attachments"
PREFETCHED_CONTRIBUTIONS = "prefetched_contributions"
# ... and its votes with their members (`votes.prefetched`).
PREFETCHED_VOTES = votes.PREFETCHED_VOTES


def _prefetched(item: AgendaItem, attribute: str, relation: str) -> list[Any]:
    """The item's related rows as `agenda_for` prefetched them, else read now."""
    rows = getattr(item, attribute, None)
    return list(getattr(item, relation).all()) if rows is None else list(rows)


def _vote_lines(
    item: AgendaItem, mode: Mode, public_labels: dict[int, str] | None
) -> tuple[str, list[str]]:
    """The vote's result and who voted how; on the public version (issue 14) each voter as
    the public signatures name her (`public_member_label`: staff by function)."""
    given = votes.prefetched(item)
    if mode is not Mode.PUBLIC:
        return votes.result_text(item, given), votes.by_name(item, given)
    labels = public_vote_labels(item.meeting) if public_labels is None else public_labels

    def label(vote: Vote) -> str:
        return labels.get(vote.member_id) or public_member_label(vote.member, None)

    return votes.result_text(item, given), votes.by_name(item, given, label=label)


def item_view(
    actor: Actor | None,
    item: AgendaItem,
    mode: Mode,
    *,
    public_labels: dict[int, str] | None = None,
) -> ItemView | None:
    """The item as the reader sees it in this mode: whole, redacted, or (on the public version,
    for a non-public item) not at all. A redacted item is "Lukket punkt" (a guest's view of an
    internal item: "Internt punkt"). `public_labels`: `public_vote_labels` of the meeting, read
    once for the agenda (else read here)."""
    if mode is Mode.PUBLIC and item.visibility != Visibility.PUBLIC:
        return None
    if not sees_item(actor, item, mode):
        return ItemView(
            pk=item.pk,
            position=item.position,
            title=_("Lukket punkt") if item.is_closed else _("Internt punkt"),
            visibility=item.visibility,
            redacted=True,
        )
    public = mode is Mode.PUBLIC
    vote_result, vote_names = _vote_lines(item, mode, public_labels)
    return ItemView(
        pk=item.pk,
        position=item.position,
        title=item.title,
        visibility=item.visibility,
        redacted=False,
        description=item.description,
        decision=item.decision,
        responsible=item.responsible.name if item.responsible else "",
        deadline=item.deadline,
        attachments=[] if public else _prefetched(item, PREFETCHED_ATTACHMENTS, "attachments"),
        contributions=[]
        if public
        else _prefetched(item, PREFETCHED_CONTRIBUTIONS, "contributions"),
        kind=item.kind,
        concern_id=item.concern_id,
        case_id=item.case_id,
        decision_number=item.decision_number,
        vote_result=vote_result,
        votes=vote_names,
    )


def changeable_items(actor: Actor, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The items whose decisions the actor may write in the minutes."""
    items = meeting.items.select_related("responsible").order_by("position")
    if can_see_closed_items(actor):
        return items
    return items.exclude(visibility=Visibility.CLOSED)


# --- Lookups ---------------------------------------------------------------------------------


def get_meeting_for(actor: Actor, meeting_id: int, *, for_change: bool = False) -> Meeting:
    """A meeting the actor may see, else 404. `for_change`: a meeting of a forum the actor
    manages and attends as a member; a reader of forwarded minutes gets 404, another member 403."""
    meeting = get_or_404(
        visible_meetings(actor).select_related("forum__municipality", "forum__parent"),
        pk=meeting_id,
    )
    if for_change:
        if not is_member_of(actor, meeting):
            raise Http404
        if not can_manage(actor, meeting.forum):
            raise PermissionDenied
    return meeting


def get_meeting_to_sign(actor: Actor, meeting_id: int) -> Meeting:
    """A meeting whose protocol the actor signs as a permanent member: 404 when she does not
    attend it as a member, 403 when she is not a permanent member."""
    meeting = get_meeting_for(actor, meeting_id)
    if not is_member_of(actor, meeting):
        raise Http404
    if not can_sign_protocol(actor, meeting):
        raise PermissionDenied
    return meeting


def get_public_meeting(meeting_id: int) -> Meeting:
    """A published meeting (no login), else 404."""
    return get_or_404(published_meetings().select_related("forum__municipality"), pk=meeting_id)


def _item_of(meeting: Meeting, item_id: int) -> AgendaItem:
    return get_or_404(meeting.items.select_related("responsible"), pk=item_id)


@overload
def get_item_for(
    actor: Actor, meeting: Meeting, item_id: int, *, for_change: Literal[False] = False
) -> ItemView: ...


@overload
def get_item_for(
    actor: Actor, meeting: Meeting, item_id: int, *, for_change: Literal[True]
) -> AgendaItem: ...


def get_item_for(
    actor: Actor, meeting: Meeting, item_id: int, *, for_change: bool = False
) -> ItemView | AgendaItem:
    """An item of a meeting the actor has looked up (`get_meeting_for`), else 404.

    To read: the item as the actor sees it, a closed item redacted for those who may not see
    closed items. `for_change`: the item itself, for a manager of the meeting; a closed item is
    404 for a manager who may not see closed items."""
    item = _item_of(meeting, item_id)
    if not for_change:
        view = item_view(actor, item, mode_for(actor, meeting))
        if view is None:
            raise Http404
        return view
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied
    if not can_change_item(actor, item):
        raise Http404
    return item


def get_item_to_contribute(actor: Actor, meeting: Meeting, item_id: int) -> AgendaItem:
    """The item a member hands a contribution in to. Write-only: the contribution service shows
    nothing of the item back. A reader of forwarded minutes gets 404."""
    if not can_contribute(actor, meeting):
        raise Http404
    return _item_of(meeting, item_id)


def get_attachment_for(actor: Actor, meeting: Meeting, attachment_id: int) -> Attachment:
    """An attachment of an item the actor sees unredacted in this meeting, else 404: a closed
    item's files stay closed."""
    attachment = get_or_404(
        Attachment.objects.select_related("item").filter(item__meeting=meeting), pk=attachment_id
    )
    if not sees_item(actor, attachment.item, mode_for(actor, meeting)):
        raise Http404
    return attachment


def own_open_tasks(actor: Actor) -> QuerySet[MeetingTask]:
    """The decision tasks the actor is responsible for and has not finished."""
    if actor.member_id is None:
        return MeetingTask.objects.none()
    return MeetingTask.objects.filter(owner_id=actor.member_id, status=MeetingTaskStatus.OPEN)


def get_task_for(actor: Actor, task_id: int) -> MeetingTask:
    """One of the actor's own open decision tasks, else 404."""
    return get_or_404(own_open_tasks(actor).select_related("item__meeting__forum"), pk=task_id)


def get_forum_for_calendar(actor: Actor, forum_id: int) -> Forum:
    """A forum whose meetings the actor attends as a member, else 404."""
    return get_or_404(member_fora(actor), pk=forum_id)
