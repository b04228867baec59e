"""Terms of office (issue 14): chair and member terms end (`Membership.term_ends_on`); 60 days
before, the forum's secretary sees it on the start page (`terms_ending`, the box
`meetings/_terms.html`) and an election item is proposed for the next agenda
(`propose_elections`, called when agendas are prepared); the election is recorded as a decision
on that item and updates the membership (`record_election`: re-elected until a date, or a new
member whose term starts as the old one's membership ends).

Audit events carry ids only (the item, the memberships); nothing here is personal data about a
child, but the trail never holds names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ssp.access import Actor, get_actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import selectors
from ssp.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus, Visibility
from ssp.organisation.district_members import may_sit_in
from ssp.organisation.models import Member, Membership, MembershipRole
from ssp.templatetags.ssp_dates import dato

# A term ending within this many days is shown and brings an election item.
TERM_WARNING_DAYS = 60
# The start page's box shows at most this many ending terms (the soonest first).
TERMS_SHOWN = 10


@dataclass(frozen=True)
class EndingTerm:
    """A term that ends soon, as the start page's box shows it."""

    membership: Membership
    is_chair: bool
    # The coming meeting whose agenda has the election item, if one is proposed.
    election_meeting: Meeting | None


def _ending(today: date) -> date:
    return today + timedelta(days=TERM_WARNING_DAYS)


def terms_ending(actor: Actor, today: date) -> list[EndingTerm]:
    """Current memberships whose term ends within `TERM_WARNING_DAYS` (or has ended without an
    election) in the fora the actor manages; the soonest first, at most `TERMS_SHOWN`."""
    if not meeting_access.may_manage_fora(actor):
        return []
    memberships = list(
        Membership.objects.current()
        .filter(
            forum__in=meeting_access.managed_fora(actor),
            term_ends_on__isnull=False,
            term_ends_on__lte=_ending(today),
        )
        .exclude(Q(end_date__isnull=False) & _succeeded())
        .select_related("member", "forum")
        # What the box shows (meetings/_terms.html): no more columns are read.
        .only("role", "term_ends_on", "member__name", "forum__name")
        .order_by("term_ends_on", "pk")[:TERMS_SHOWN]
    )
    if not memberships:
        return []
    proposed = {
        item.election_for_id: item.meeting
        for item in AgendaItem.objects.filter(
            kind=ItemKind.ELECTION,
            election_for__in=memberships,
            link_applied_at__isnull=True,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("-meeting__starts_at")
    }
    return [
        EndingTerm(
            membership=membership,
            is_chair=membership.role == MembershipRole.CHAIR,
            election_meeting=proposed.get(membership.pk),
        )
        for membership in memberships
    ]


def _succeeded() -> Exists:
    """Whether the membership's successor is elected (`record_election` ended it on the
    election meeting's day): it needs no election any more. Asked per membership, so that the
    items are read through their `election_for` index (a list of every applied election's
    membership made SQLite read the whole agenda table)."""
    return Exists(
        AgendaItem.objects.filter(
            election_for=OuterRef("pk"),
            kind=ItemKind.ELECTION,
            link_applied_at__isnull=False,
        )
    )


def _lock(meeting: Meeting) -> None:
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True))


def _election_title(membership: Membership) -> tuple[str, str]:
    ends = dato(membership.term_ends_on) if membership.term_ends_on else ""
    if membership.role == MembershipRole.CHAIR:
        title = _("Valg af formand for %(forum)s") % {"forum": membership.forum.name}
        text = _(
            "Formandens valgperiode udløber %(date)s. Genvalg, eller valg af ny formand med "
            "valgperiodens udløb."
        ) % {"date": ends}
    else:
        title = _("Valg: %(role)s i %(forum)s (%(name)s)") % {
            "role": membership.get_role_display().lower(),
            "forum": membership.forum.name,
            "name": membership.member.name,
        }
        text = _(
            "Valgperioden for %(name)s udløber %(date)s. Genvalg, eller valg af et nyt medlem "
            "med valgperiodens udløb."
        ) % {"name": membership.member.name, "date": ends}
    return title[: AgendaItem._meta.get_field("title").max_length], text


@transaction.atomic
def propose_elections(meeting: Meeting) -> int:
    """Add an election item to a planned meeting for each current membership of its forum whose
    term ends within `TERM_WARNING_DAYS` after the meeting (or has ended), unless one is already
    proposed and not yet recorded (`election_for`); none once the meeting has begun
    (`selectors.has_begun`). Returns how many items were added; run
    twice, it adds none. Call it where the agenda is prepared (`prepare_agenda`,
    `prepare_next_agendas`)."""
    _lock(meeting)
    meeting.refresh_from_db(fields=["status"])
    if meeting.status != MeetingStatus.PLANNED or selectors.has_begun(meeting):
        return 0  # issue 14: not onto an agenda that is being (or was) dealt with
    day = timezone.localtime(meeting.starts_at).date()
    # The memberships that still run on the meeting's day (issue 14: one whose successor was
    # elected ends on the day of that election).
    due = (
        meeting_access.memberships_on(day)
        .filter(forum_id=meeting.forum_id, term_ends_on__isnull=False)
        .exclude(Q(end_date__isnull=False) & _succeeded())
        .filter(term_ends_on__lte=_ending(day))
        .select_related("member", "forum")
        .order_by("term_ends_on", "pk")
    )
    pending = set(
        AgendaItem.objects.filter(
            kind=ItemKind.ELECTION, election_for__in=due, link_applied_at__isnull=True
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values_list("election_for_id", flat=True)
    )
    added = 0
    position = meeting.items.aggregate(last=Max("position"))["last"] or 0
    with translation.override(settings.LANGUAGE_CODE):  # the agenda is written in Danish
        for membership in due:
            if membership.pk in pending:
                continue
            title, text = _election_title(membership)
            position += 1
            item = AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=title,
                description=text,
                kind=ItemKind.ELECTION,
                visibility=Visibility.INTERNAL,
                election_for=membership,
            )
            added += 1
            record_event(
                actor=None,
                action=AuditAction.ELECTION_PROPOSED,
                obj=meeting,
                municipality_id=meeting.forum.municipality_id,
                data={"item": item.pk, "membership": membership.pk},
            )
    return added


def can_record_election(actor: Actor, item: AgendaItem) -> bool:
    """Recording an election: a manager of the meeting's forum, on an election item."""
    return (
        item.kind == ItemKind.ELECTION
        and item.election_for_id is not None
        and meeting_access.can_manage_meeting(actor, item.meeting)
    )


@transaction.atomic
def record_election(
    *,
    actor_user: User,
    item: AgendaItem,
    re_elected_until: date | None = None,
    new_member: Member | None = None,
    new_term_ends_on: date | None = None,
) -> Membership:
    """Record an election item's result: the member is re-elected until a date (her
    membership's `term_ends_on` moves), or a new member is elected (a new membership with the
    same role, seat and vote starts the day after the meeting and runs until
    `new_term_ends_on`; the old one ends on the meeting's day, so the meeting that held the
    election keeps the members who took part in it: they vote and sign its protocol, issue
    14). Refused when the old membership began after the meeting's day (its end would precede
    its start). Once per item: a repeat changes nothing and returns the
    membership the item was about. Audited with ids only."""
    meeting = item.meeting
    if not can_record_election(get_actor(actor_user), item):
        raise DomainError(_("Kun forummets formand, sekretær eller SSP-medarbejdere kan gøre det."))
    _lock(meeting)
    item.refresh_from_db(fields=["decision", "link_applied_at", "election_for"])
    old = item.election_for
    if old is None:
        raise DomainError(_("Medlemskabet, valget gjaldt, findes ikke længere."))
    if item.link_applied_at is not None:
        return old
    if meeting.starts_at > timezone.now():
        raise DomainError(_("Valget registreres, når mødet er holdt."))
    if not item.decision.strip():
        raise DomainError(_("Skriv først beslutningen i referatet; derefter registreres valget."))
    day = timezone.localtime(meeting.starts_at).date()
    if new_member is not None and new_member.pk == old.member_id:
        re_elected_until, new_member = new_term_ends_on, None
    if (re_elected_until is None) == (new_member is None):
        raise DomainError(_("Vælg enten genvalg med en dato eller et nyt medlem."))
    until = re_elected_until if new_member is None else new_term_ends_on
    if until is None or until <= day:
        raise DomainError(_("Valgperioden skal udløbe efter mødets dato."))
    data: dict[str, int | bool] = {"item": item.pk, "membership": old.pk}
    if new_member is None:
        Membership.objects.filter(pk=old.pk).update(term_ends_on=until, version=F("version") + 1)
        result = Membership.objects.get(pk=old.pk)
        data["re_elected"] = True
    else:
        forum = old.forum
        # Issue 16: in a Kredsråd, a member of the police district or of one of its
        # municipalities (`ssp.organisation.district_members`).
        if not may_sit_in(new_member, forum):
            raise DomainError(
                _("Det nye medlem skal høre til forummets kommune eller politikreds.")
            )
        if (
            Membership.objects.current()
            .filter(forum=forum, member=new_member, role=old.role)
            .exists()
        ):
            raise DomainError(_("Det nye medlem har allerede den rolle i forummet."))
        if old.start_date is not None and old.start_date > day:
            raise DomainError(
                _(
                    "Medlemskabet, valget gjaldt, begyndte %(start)s, efter mødet: det kan ikke "
                    "slutte før, det begyndte."
                )
                % {"start": dato(old.start_date)}
            )
        if old.end_date is not None and old.end_date < day:
            raise DomainError(_("Medlemskabet, valget gjaldt, sluttede før mødet."))
        # The old membership ends on the meeting's day; the new one starts the day after.
        Membership.objects.filter(pk=old.pk).update(end_date=day, version=F("version") + 1)
        result = Membership.objects.create(
            forum=forum,
            member=new_member,
            role=old.role,
            has_vote=old.has_vote,
            seat=old.seat,
            start_date=day + timedelta(days=1),
            term_ends_on=until,
        )
        data.update(re_elected=False, new_membership=result.pk)
    claimed = AgendaItem.objects.filter(pk=item.pk, link_applied_at__isnull=True).update(
        link_applied_at=timezone.now()
    )
    if not claimed:  # cannot happen under the meeting's lock; keep the rule visible
        raise DomainError(_("Valget er allerede registreret."))
    record_event(
        actor=actor_user,
        action=AuditAction.ELECTION_RECORDED,
        obj=meeting,
        municipality_id=meeting.forum.municipality_id,
        data=data,
    )
    return result


def seed_terms(*, today: date | None = None) -> int:
    """Demo data: the steering group's chair's term ends in 44 days (so the start page's box
    and the next agenda show it), the other permanent members' terms follow the council's
    election period. Returns how many memberships were given a term. Idempotent."""
    from ssp.organisation.demo import DEMO_SLUG

    day = today or timezone.localdate()
    memberships = Membership.objects.current().filter(
        forum__municipality__slug=DEMO_SLUG, forum__key="styregruppe"
    )
    chair = memberships.filter(role=MembershipRole.CHAIR)
    changed = chair.update(term_ends_on=day + timedelta(days=44))
    # The council's election period ends on 31 December of 2029, 2033, ...
    council_term = date(day.year + (2029 - day.year) % 4, 12, 31)
    changed += (
        memberships.exclude(role=MembershipRole.CHAIR)
        .filter(role__in=meeting_access.PERMANENT_ROLES)
        .update(term_ends_on=council_term)
    )
    return changed
