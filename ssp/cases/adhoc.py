"""Ad hoc action groups (ad hoc handlegrupper), R1 and R3, Høje-Taastrup.

"Det påhviler formanden at have ansvaret for at nedsætte og opløse Ad hoc handlegrupperne":
the chair of the parent forum (an authority person where a named young person is concerned)
and SSP staff set a group up for a person (a case), a group of young people or an area, with a
task and members; "ved akut behov ... imellem møderne ... med en efterfølgende orientering af
områdegruppen": a group set up between meetings is told to the parent forum on its next agenda
(`ssp.meetings.adhoc_notices`, naming no one). It is dissolved by decision, with a short result
free of personal data that the parent forum's standing item "results from earlier action
groups" shows. Its members see its matters while it is active and lose that access when it is
dissolved; the group's record stays with the case.

Services here are atomic, keyword-only and write their audit event; set-up is idempotent per
form token, dissolution per group (a repeat returns the same group). Reads go through
`ssp.cases.access`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import access as case_access
from ssp.cases import selectors
from ssp.cases.models import Case, CaseEvent, CaseStatus, Concern
from ssp.cases.personal_data import find_personal_data
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    AdhocSubject,
    Cadence,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Membership,
    MembershipRole,
)

# A result is a short statement for the parent forum's agenda (Høje-Taastrup: "Orientering om
# løsninger fra tidligere nedsatte handlegrupper").
RESULT_MAX_LENGTH = 1000
TASK_MAX_LENGTH = 1000
EVENT_TEXT_MAX = 1000


class NotPermitted(DomainError):
    status_code = 403


def check_free_of_personal_data(text: str, *, municipality_id: int) -> None:
    """A text meant for a forum that may not discuss individuals names no one: no CPR-like
    number, e-mail address, phone number or registered young person's name."""
    findings = find_personal_data(text, names=selectors.registered_names(municipality_id))
    if findings:
        kinds = ", ".join(sorted({str(finding.kind.label) for finding in findings}))
        raise DomainError(
            _("Teksten må ikke indeholde personoplysninger (fundet: %(kinds)s).") % {"kinds": kinds}
        )


def _case_event(case: Case, actor_user: User | None, text: str) -> None:
    CaseEvent.objects.create(case=case, actor=actor_user, text=text[:EVENT_TEXT_MAX])


def selectable_members(actor: Actor) -> QuerySet[Member]:
    """Who may be offered as a member: SSP staff and employees of the actor's municipality
    (never politicians or administrators). Where a named person is concerned the service
    narrows this to `case_access.choosable_members` (authority persons)."""
    if not case_access.can_open_adhoc_set_up(actor):
        return Member.objects.none()
    return (
        Member.objects.filter(
            municipality_id=access.municipality_of(actor),
            access_role__in=[AccessRole.SSP_STAFF, AccessRole.EMPLOYEE],
        )
        .select_related("unit")
        .order_by("name", "pk")
    )


def person_cases(actor: Actor) -> QuerySet[Case]:
    """The open cases the actor may set up a group for: visible to them and, unless they are SSP
    staff, handled by a forum they chair (or by an earlier ad hoc group of it)."""
    cases = case_access.visible_cases(actor).filter(status=CaseStatus.OPEN)
    if not access.is_ssp_staff(actor):
        parents = case_access.adhoc_parent_fora(actor).values("pk")
        cases = cases.filter(Q(forum_id__in=parents) | Q(forum__parent_id__in=parents))
    return cases.select_related("young_person").order_by("pk")


def _handled_by(case: Case, parent: Forum) -> bool:
    """The case is the parent forum's: handled by it, or by an ad hoc group set up from it."""
    if case.forum_id == parent.pk:
        return True
    return Forum.objects.filter(pk=case.forum_id, parent_id=parent.pk).exists()


def _check_members(
    actor: Actor,
    *,
    parent: Forum,
    subject: AdhocSubject,
    case: Case | None,
    members: Sequence[Member],
) -> None:
    if not members:
        raise DomainError(_("Vælg medlemmerne af handlegruppen."))
    if subject == AdhocSubject.PERSON:
        assert case is not None  # noqa: S101 - checked by the caller
        if any(not m.is_authority for m in members):
            raise DomainError(
                _("Kun myndighedspersoner kan være med i en handlegruppe om en navngiven ung.")
            )
        chosen = {m.pk for m in members}
        allowed = set(
            case_access.choosable_members(actor, case)
            .filter(pk__in=chosen)
            .values_list("pk", flat=True)
        )
        if chosen - allowed:
            raise DomainError(
                _(
                    "Kun SSP-medarbejdere og myndighedspersoner i kommunen kan vælges i en sag "
                    "(ikke politikere, administratorer eller andre medarbejdere)."
                )
            )
        return
    allowed_roles = {AccessRole.SSP_STAFF, AccessRole.EMPLOYEE}
    if any(
        m.municipality_id != parent.municipality_id or m.access_role not in allowed_roles
        for m in members
    ):
        raise DomainError(
            _("Kun SSP-medarbejdere og medarbejdere i kommunen kan være med i en handlegruppe.")
        )


def _group_name(subject: AdhocSubject, parent: Forum, case: Case | None) -> str:
    if case is not None:
        return _("Ad hoc handlegruppe, sag %(number)s") % {"number": case.pk}
    return _("Ad hoc handlegruppe (%(subject)s) fra %(parent)s, %(date)s") % {
        "subject": subject_label(subject),
        "parent": parent.name,
        "date": timezone.localdate().strftime("%d.%m.%Y"),
    }


def subject_label(subject: str) -> str:
    """The subject kind as a notice says it: "en navngiven ung", "en gruppe unge", "et område"."""
    labels = {
        AdhocSubject.PERSON.value: _("en navngiven ung"),
        AdhocSubject.GROUP.value: _("en gruppe unge"),
        AdhocSubject.AREA.value: _("et område"),
    }
    return labels.get(subject, "")


@transaction.atomic
def set_up_adhoc_group(
    *,
    actor_user: User,
    parent: Forum,
    subject: AdhocSubject,
    task: str,
    members: Sequence[Member],
    between_meetings: bool,
    case: Case | None = None,
    token: uuid.UUID | None = None,
) -> Forum:
    """R1/R3 (Høje-Taastrup): set up an ad hoc action group from `parent`.

    For a person the group becomes the case's need-to-know circle (the case and its concerns
    move to it; only authority persons may be members); for a group of young people or an area
    it has a task, and no one is named. Set up between meetings, the parent forum gets a notice
    on its next agenda. The same form posted twice (`token`) sets up one group.
    """
    actor = access.get_actor(actor_user)
    if token is not None:
        existing = Forum.objects.filter(form_token=token, forum_type=ForumType.ADHOC).first()
        if existing is not None and existing.municipality_id == actor.municipality_id:
            return existing
    if not case_access.can_set_up_adhoc_group(actor, parent):
        raise NotPermitted(
            _("Kun forummets formand og SSP-medarbejdere kan nedsætte en ad hoc handlegruppe.")
        )
    task = task.strip()
    if not task:
        raise DomainError(_("Skriv handlegruppens opgave."))
    if len(task) > TASK_MAX_LENGTH:
        raise DomainError(_("Opgaven er for lang."))
    assert parent.municipality_id is not None  # noqa: S101 - can_set_up_adhoc_group checks it
    # The task is seen beyond the case's circle (the parent's chair, the group's page): no names.
    check_free_of_personal_data(task, municipality_id=parent.municipality_id)
    if subject == AdhocSubject.PERSON:
        if not case_access.can_set_up_adhoc_group_for_person(actor, parent):
            raise NotPermitted(
                _(
                    "En handlegruppe om en navngiven ung nedsættes kun af en formand, der er "
                    "myndighedsperson, eller af SSP-medarbejdere."
                )
            )
        if case is None:
            raise DomainError(_("Vælg den sag, handlegruppen skal arbejde med."))
        case = case_access.visible_cases(actor).select_for_update().filter(pk=case.pk).first()
        if case is None or case.municipality_id != parent.municipality_id:
            raise DomainError(_("Vælg den sag, handlegruppen skal arbejde med."))
        if not access.is_ssp_staff(actor) and not _handled_by(case, parent):
            # A chair may not pull another forum's case into a group of their own forum.
            raise DomainError(_("Vælg en sag, som dit forum behandler."))
        if case.status != CaseStatus.OPEN:
            raise DomainError(_("Sagen er afsluttet."))
        current = Forum.objects.get(pk=case.forum_id)
        if current.forum_type == ForumType.ADHOC and current.dissolved_at is None:
            raise DomainError(_("Sagen har allerede en aktiv ad hoc handlegruppe."))
    else:
        case = None
    _check_members(actor, parent=parent, subject=subject, case=case, members=members)
    try:
        with transaction.atomic():
            group = Forum.objects.create(
                municipality_id=parent.municipality_id,
                key=f"adhoc-{uuid.uuid4().hex[:16]}",
                name=_group_name(subject, parent, case),
                forum_type=ForumType.ADHOC,
                level=ForumLevel.OPERATIONAL,
                cadence=Cadence.ADHOC,
                parent=parent,
                school_district_id=parent.school_district_id,
                may_discuss_individuals=subject == AdhocSubject.PERSON,
                adhoc_subject=subject,
                adhoc_task=task,
                set_up_between_meetings=between_meetings,
                set_up_by=actor_user,
                form_token=token,
            )
    except IntegrityError:
        # The same form posted at once: the other request set the group up.
        return Forum.objects.get(form_token=token)
    today = timezone.localdate()
    Membership.objects.bulk_create(
        Membership(
            forum=group,
            member=member,
            role=MembershipRole.COORDINATOR if index == 0 else MembershipRole.MEMBER,
            start_date=today,
        )
        for index, member in enumerate(members)
    )
    subject_ref = ""
    if case is not None:
        Case.objects.filter(pk=case.pk).update(forum=group)
        case.forum = group
        Concern.objects.filter(case=case).update(forum=group)
        _case_event(
            case,
            actor_user,
            _("Ad hoc handlegruppe nedsat: %(names)s.")
            % {"names": ", ".join(m.name for m in members)},
        )
        subject_ref = f"youngperson:{case.young_person_id}"
    record_event(
        actor=actor_user,
        action=AuditAction.ADHOC_GROUP_CREATED,
        obj=group,
        municipality_id=group.municipality_id,
        subject_ref=subject_ref,
        data={
            "parent": parent.pk,
            "subject": str(subject),
            "members": len(members),
            "between_meetings": between_meetings,
            **({"case": case.pk} if case is not None else {}),
        },
    )
    return group


def set_up_for_case(
    *,
    actor_user: User,
    case: Case,
    members: Sequence[Member],
    task: str = "",
    between_meetings: bool = False,
    token: uuid.UUID | None = None,
) -> Forum:
    """The case page's ad hoc group, set up from the forum that handles the case (or, when a
    dissolved group handled it, from that group's parent forum)."""
    parent = case.forum
    if parent.forum_type == ForumType.ADHOC and parent.parent is not None:
        parent = parent.parent
    return set_up_adhoc_group(
        actor_user=actor_user,
        parent=parent,
        subject=AdhocSubject.PERSON,
        task=task.strip() or _("Finde en løsning i sagen"),
        members=members,
        between_meetings=between_meetings,
        case=case,
        token=token,
    )


def _dissolve(group: Forum, *, actor_user: User | None, result: str) -> Forum:
    """Dissolve a locked, active group and note it on its cases; the caller checked access."""
    now = timezone.now()
    Forum.objects.filter(pk=group.pk, dissolved_at__isnull=True).update(
        dissolved_at=now,
        dissolved_by=actor_user,
        adhoc_result=result,
        version=F("version") + 1,
    )
    group.refresh_from_db()
    case_ids = list(Case.objects.filter(forum=group).values_list("pk", flat=True))
    for case in Case.objects.filter(pk__in=case_ids):
        _case_event(
            case, actor_user, _("Ad hoc handlegruppen er opløst: %(result)s") % {"result": result}
        )
    record_event(
        actor=actor_user,
        action=AuditAction.ADHOC_GROUP_DISSOLVED,
        obj=group,
        municipality_id=group.municipality_id,
        data={"cases": case_ids},
    )
    return group


@transaction.atomic
def dissolve_adhoc_group(*, actor_user: User, group: Forum, result: str) -> Forum:
    """R1 (Høje-Taastrup): the chair of the parent forum or SSP staff dissolve the group by
    decision, with a short result free of personal data for the parent forum's agenda. Its
    members lose access to its matters; the record stays with the case. Dissolving twice
    returns the group as it was dissolved the first time."""
    actor = access.get_actor(actor_user)
    if not case_access.can_dissolve_adhoc_group(actor, group):
        raise NotPermitted(
            _("Kun forummets formand og SSP-medarbejdere kan opløse en ad hoc handlegruppe.")
        )
    locked = Forum.objects.select_for_update().get(pk=group.pk, forum_type=ForumType.ADHOC)
    if locked.dissolved_at is not None:
        return locked
    result = result.strip()
    if not result:
        raise DomainError(_("Skriv handlegruppens resultat."))
    if len(result) > RESULT_MAX_LENGTH:
        raise DomainError(_("Resultatet er for langt."))
    assert locked.municipality_id is not None  # noqa: S101 - an ad hoc group is municipal
    check_free_of_personal_data(result, municipality_id=locked.municipality_id)
    return _dissolve(locked, actor_user=actor_user, result=result)


def dissolve_with_case(*, actor_user: User | None, case: Case) -> None:
    """When a case closes, its active ad hoc group is dissolved with it (inside close_case)."""
    handling = Case.objects.filter(pk=case.pk).values("forum_id")
    group = Forum.objects.select_for_update().filter(
        pk__in=handling, forum_type=ForumType.ADHOC, dissolved_at__isnull=True
    )
    locked = group.first()
    if locked is not None:
        _dissolve(locked, actor_user=actor_user, result=_("Sagen er afsluttet."))


# --- Reads -----------------------------------------------------------------------------------


def groups_for(actor: Actor) -> QuerySet[Forum]:
    """The ad hoc groups the actor may see, the active ones first."""
    return (
        case_access.visible_adhoc_groups(actor)
        .select_related("parent")
        .annotate(member_count=Count("memberships"))
        .order_by(F("dissolved_at").desc(nulls_first=True), "-pk")
    )


@dataclass(frozen=True)
class GroupDetail:
    memberships: list[Membership]
    cases: list[Case]
    case_count: int


def group_detail(actor: Actor, group: Forum) -> GroupDetail:
    """The group's members and its matters: the cases the actor may see (a member while the
    group is active, SSP staff always), and how many cases it has."""
    memberships = list(
        Membership.objects.filter(forum=group)
        .select_related("member__unit")
        .order_by("role", "member__name")
    )
    cases = list(
        case_access.visible_cases(actor)
        .filter(forum=group)
        .select_related("young_person")
        .order_by("pk")
    )
    count = Case.objects.filter(Q(forum=group)).count()
    return GroupDetail(memberships=memberships, cases=cases, case_count=count)


def record_group_view(*, actor_user: User, group: Forum) -> None:
    """A view of a group about a person is a view of who works on the case: audited."""
    if group.adhoc_subject == AdhocSubject.PERSON:
        record_event(
            actor=actor_user,
            action=AuditAction.ADHOC_GROUP_VIEWED,
            obj=group,
            municipality_id=group.municipality_id,
        )
