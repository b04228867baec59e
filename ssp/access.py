"""The access core: who a user is, and the rules every app shares.

Imports only the organisation models. Each app holding personal data applies these rules to its
own records in its own `access.py`; views and API endpoints never decide access by themselves.

Roles (ARCHITECTURE.md, "Access policy"):
- SSP staff (coordinators, consultants, secretariat) see all cases in their municipality.
- Authority members see a case when they take part in it.
- Non-authority members raise concerns and see what they raised, never other personal data.
- Politicians see aggregated statistics only.
- Administrators configure the organisation and users, and see no case content.
- Police members see their cases; every view is logged with its purpose; no free search.
- Supervisors (the data protection officer, the supervisory authority) read the disclosures
  log and the audit trail of their municipality, and see no personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForumType,
    Member,
    MembershipRole,
    Municipality,
    Sector,
    Unit,
    UnitKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

ANONYMOUS_ROLE = "anonymous"
NO_ROLE = "none"  # a logged-in user without a member record (and not a superuser)
ACCESS_RULE_ATTRIBUTE = "ssp_access_rule"
ACTOR_CACHE_ATTRIBUTE = "_ssp_actor"
# The members of a forum who manage its meetings: chair, secretary and coordinators.
FORUM_MANAGER_ROLES = frozenset(
    {MembershipRole.CHAIR, MembershipRole.SECRETARY, MembershipRole.COORDINATOR}
)


@dataclass(frozen=True)
class Actor:
    """Everything the rules need to know about the acting user, read once per request."""

    user_id: int | None
    role: str
    member_id: int | None = None
    municipality_id: int | None = None
    police_district_id: int | None = None
    is_authority: bool = False
    is_police: bool = False
    is_superuser: bool = False
    forum_ids: frozenset[int] = field(default_factory=frozenset)
    # The fora (dissolved or not) whose meetings the member manages: her current membership's
    # role is one of `FORUM_MANAGER_ROLES`. Read with `forum_ids`, in the same query.
    managed_forum_ids: frozenset[int] = field(default_factory=frozenset)
    # The SSP contact of a school (R5 absence follow-up), read with the member.
    is_school_contact: bool = False
    # The police's SSP contact (issue 16): the SSP contact of a police unit, read with the member.
    is_police_contact: bool = False
    # The member's municipality, read with the member (the header, the duty of confidentiality
    # and the start page use it without a query of their own). Not part of the actor's identity.
    municipality: Municipality | None = field(default=None, compare=False, repr=False)
    # The member's unit (the start page names it: issue 15), read with the member.
    unit_name: str = field(default="", compare=False, repr=False)

    @property
    def municipality_name(self) -> str:
        return self.municipality.name if self.municipality is not None else ""

    @property
    def municipality_slug(self) -> str:
        return self.municipality.slug if self.municipality is not None else ""

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Actor(user_id=None, role=ANONYMOUS_ROLE)

Rule = Callable[[Actor], bool]


def get_actor(user: User | AnonymousUser | None) -> Actor:
    """The actor for a user, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, ACTOR_CACHE_ATTRIBUTE, None)
    if isinstance(cached, Actor):
        return cached
    member = (
        Member.objects.select_related("municipality__police_district")
        .filter(user_id=user.pk)
        .annotate(
            unit_name=F("unit__name"),  # the name only, not a unit built from every column
            school_contact=Exists(
                Unit.objects.filter(ssp_contact_id=OuterRef("pk")).exclude(
                    kind=UnitKind.POLICE_STATION
                )
            ),
            police_contact=Exists(
                Unit.objects.filter(ssp_contact_id=OuterRef("pk"), kind=UnitKind.POLICE_STATION)
            ),
        )
        .first()
    )
    if member is None:
        actor = Actor(
            user_id=user.pk,
            role=AccessRole.ADMINISTRATOR if user.is_superuser else NO_ROLE,
            is_superuser=user.is_superuser,
        )
    else:
        memberships = list(
            member.memberships.current()
            .order_by()  # not the default ordering's joins and sort: sets are wanted
            .values_list("forum_id", "role", "forum__dissolved_at")
        )
        forum_ids = frozenset(
            forum_id for forum_id, _role, dissolved_at in memberships if dissolved_at is None
        )
        managed_forum_ids = frozenset(
            forum_id for forum_id, role, _dissolved in memberships if role in FORUM_MANAGER_ROLES
        )
        actor = Actor(
            user_id=user.pk,
            role=member.access_role,
            member_id=member.pk,
            municipality_id=member.municipality_id,
            # A Kredsråd member without a municipality (issue 16) belongs to the district.
            police_district_id=(
                member.municipality.police_district_id
                if member.municipality is not None
                else member.police_district_id
            ),
            is_authority=member.is_authority,
            is_police=member.sector == Sector.POLICE,
            is_superuser=user.is_superuser,
            forum_ids=forum_ids,
            managed_forum_ids=managed_forum_ids,
            is_school_contact=member.school_contact,
            is_police_contact=member.police_contact,
            municipality=member.municipality,
            unit_name=member.unit_name or "",
        )
    setattr(user, ACTOR_CACHE_ATTRIBUTE, actor)  # a per-request cache on the user object
    return actor


# --- Shared rules ---------------------------------------------------------------------------


def has_access_role(actor: Actor) -> bool:
    """A logged-in user with a role in the access policy (a member, or a superuser)."""
    return actor.is_authenticated and actor.role != NO_ROLE


def can_view_organisation(actor: Actor) -> bool:
    """Every member of the organisation may see its structure and whom to contact."""
    return actor.is_superuser or has_access_role(actor)


def can_manage_organisation(actor: Actor) -> bool:
    return actor.is_superuser or actor.role == AccessRole.ADMINISTRATOR


# Issue 15 (helper U): users in bulk from a file.
def can_import_users(actor: Actor) -> bool:
    """Administrators of a municipality and superusers may import users from a file."""
    return actor.is_superuser or (
        actor.role == AccessRole.ADMINISTRATOR and actor.municipality_id is not None
    )


def is_ssp_staff(actor: Actor) -> bool:
    """SSP coordinators, consultants and secretariat of a municipality."""
    return actor.role == AccessRole.SSP_STAFF and actor.municipality_id is not None


def is_authority_employee(actor: Actor) -> bool:
    """An employee who is an authority person (myndighedsperson, may take part in §115)."""
    return (
        actor.role == AccessRole.EMPLOYEE
        and actor.is_authority
        and actor.municipality_id is not None
    )


def is_employee(actor: Actor) -> bool:
    """Any employee or SSP staff member of a municipality (authority person or not)."""
    return (
        actor.role in {AccessRole.SSP_STAFF, AccessRole.EMPLOYEE}
        and actor.municipality_id is not None
    )


def is_politician(actor: Actor) -> bool:
    """A politician of a municipality: aggregated statistics only, no personal data."""
    return actor.role == AccessRole.POLITICIAN and actor.municipality_id is not None


def is_supervisor(actor: Actor) -> bool:
    """The data protection officer or the supervisory authority (Ankestyrelsen) of a
    municipality: reads the disclosures log and the audit trail, never a case (R4)."""
    return actor.role == AccessRole.SUPERVISOR and actor.municipality_id is not None


def can_supervise(actor: Actor) -> bool:
    """R4: the disclosures log and the audit trail may be inspected by the supervision."""
    return is_supervisor(actor)


def can_see_personal_data(actor: Actor) -> bool:
    """SSP staff and authority members may see personal data about young people.

    Non-authority employees see only what they raised themselves; politicians,
    administrators and supervisors see none (a supervisor inspects the logs, not the cases).
    A closed agenda item is personal data (R6): the same rule decides who sees its contents.
    """
    if is_supervisor(actor):
        return False
    return is_ssp_staff(actor) or is_authority_employee(actor)


def can_handle_subject_access(actor: Actor) -> bool:
    """GDPR art. 15: SSP staff produce the export of what is held about a young person."""
    return is_ssp_staff(actor)


def can_correct_young_person(actor: Actor) -> bool:
    """GDPR art. 16: SSP staff correct a young person's facts (recorded as a correction)."""
    return is_ssp_staff(actor)


def can_configure_municipality(actor: Actor, municipality: Municipality) -> bool:
    """Issue 16: the municipality's rules, ages, deadlines, legal bases, offence catalogue,
    standing items, worksheet help texts and SSP guide are kept by its SSP staff and its
    administrators (a superuser may configure any municipality)."""
    if actor.is_superuser:
        return True
    return (
        actor.role in {AccessRole.SSP_STAFF, AccessRole.ADMINISTRATOR}
        and actor.municipality_id is not None
        and actor.municipality_id == municipality.pk
    )


def can_configure(actor: Actor) -> bool:
    """The kind of work: configuring the actor's own municipality (the configuration pages'
    `require`; the lookup by slug then checks `can_configure_municipality`)."""
    return actor.is_superuser or (
        actor.role in {AccessRole.SSP_STAFF, AccessRole.ADMINISTRATOR}
        and actor.municipality_id is not None
    )


def can_see_guide(actor: Actor, municipality: Municipality) -> bool:
    """Issue 16: every member of the municipality reads its SSP guide (no personal data)."""
    if actor.is_superuser:
        return True
    return has_access_role(actor) and actor.municipality_id == municipality.pk


def can_edit_guide(actor: Actor, municipality: Municipality) -> bool:
    return can_configure_municipality(actor, municipality)


def can_see_closed_items(actor: Actor) -> bool:
    """R6: items about named individuals are closed to everyone but authority persons."""
    return can_see_personal_data(actor)


def municipality_of(actor: Actor) -> int:
    """The actor's municipality; no municipality means no access to its records."""
    if actor.municipality_id is None:
        raise PermissionDenied
    return actor.municipality_id


# --- Scoping of organisation records --------------------------------------------------------


def own_municipality(actor: Actor) -> Municipality | None:
    """The actor's municipality as read with the actor (no query), if the actor may see the
    organisation; None otherwise, and for a user without a member record (such as most
    superusers)."""
    if not can_view_organisation(actor):
        return None
    return actor.municipality


def visible_municipalities(actor: Actor) -> QuerySet[Municipality]:
    if actor.is_superuser:
        return Municipality.objects.all()
    if not can_view_organisation(actor) or actor.municipality_id is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(pk=actor.municipality_id)


def visible_fora(actor: Actor) -> QuerySet[Forum]:
    """The actor's municipality's fora, and the fora of its police district (Kredsråd)."""
    if actor.is_superuser:
        return Forum.objects.all()
    if not can_view_organisation(actor):
        return Forum.objects.none()
    if actor.municipality_id is None:
        # Issue 16: a member of the police district (no municipality) sees the district's
        # fora she sits in (the Kredsråd), and nothing of a municipality.
        if actor.police_district_id is None or not actor.forum_ids:
            return Forum.objects.none()
        return Forum.objects.filter(
            police_district_id=actor.police_district_id, pk__any_of=actor.forum_ids
        )
    fora = Forum.objects.filter(
        Q(municipality_id=actor.municipality_id) | Q(police_district_id=actor.police_district_id)
    )
    if not is_ssp_staff(actor):
        # An ad hoc action group is a case's need-to-know circle: only its members see it.
        fora = fora.exclude(Q(forum_type=ForumType.ADHOC) & ~Q(pk__in=actor.forum_ids))
    return fora


def fora_of(actor: Actor) -> QuerySet[Forum]:
    """The visible fora the actor sits in now."""
    if not actor.forum_ids:
        return Forum.objects.none()
    return visible_fora(actor).filter(pk__any_of=actor.forum_ids)


# --- Enforcing a rule (views and API endpoints) ------------------------------------------------

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def enforce(rule: Rule, actor: Actor) -> Actor:
    """The actor, if it passes `rule`; else PermissionDenied (403 for pages and the API).

    For API endpoints and other callers that are not decorated views:
    `actor = access.enforce(access.can_view_organisation, actor_of(request))`.
    Use it for rules about a kind of work (may this role use the page at all); a record the
    actor may not see is answered by a `get_*_for` lookup with 404 instead. A supervisor gets
    404 for every refused page: the supervision sees no case contents, not even their pages.
    """
    if not rule(actor):
        if is_supervisor(actor):
            # R4: the supervision inspects the logs, never a case: to it, a page of personal
            # data does not exist (404), rather than exist behind a refusal (403).
            raise Http404
        raise PermissionDenied
    return actor


def require(rule: Rule) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: the request's actor must pass `rule`, or the answer is 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            enforce(rule, get_actor(request.user))
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_RULE_ATTRIBUTE, rule)  # read by access_rule_of()
        return cast(ViewFunc, wrapped)

    return decorator


def access_rule_of(view: Callable[..., Any]) -> Rule | None:
    """The rule a view was decorated with by `require`, if any (for the route policy tests)."""
    rule = getattr(view, ACCESS_RULE_ATTRIBUTE, None)
    return rule if callable(rule) else None


ModelT = TypeVar("ModelT", bound=Model)


def get_or_404(queryset: QuerySet[ModelT], **lookup: Any) -> ModelT:
    """Look up within an access-scoped queryset: not visible and not existing look alike."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
