"""Who may see and change concerns, cases and young people (ARCHITECTURE.md, access policy).

- SSP staff see everything in their municipality.
- Authority members see a case when they take part in it: member of the forum or ad hoc group
  that handles it, coordinator or contact person of an agreement, or owner of a task; and the
  concerns sent to their fora.
- Non-authority employees see the concerns they raised themselves, nothing else.
- Politicians and administrators see no case content.
- Police members see their cases like other authority members, but have no free search.

Every decision of the cases app lives here: `can_*` predicates named after the action,
`visible_*` querysets, and `get_*_for` lookups that answer 404 for a record the actor may not
see (its existence is itself personal data). Views, selectors, services and the API call these.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ssp.access import (
    Actor,
    can_see_personal_data,
    get_or_404,
    is_authority_employee,
    is_employee,
    is_ssp_staff,
    municipality_of,
)
from ssp.cases.models import ActionAgreement, Case, Concern, Consent, Task, YoungPerson
from ssp.organisation.models import (
    AccessRole,
    AdhocSubject,
    Forum,
    ForumType,
    Member,
    Membership,
    MembershipRole,
)

# --- Concerns ------------------------------------------------------------------------------


def can_raise_concern(actor: Actor) -> bool:
    """R2: anyone employed in the municipality may raise a concern (Halsnæs "100 døre")."""
    return is_employee(actor)


def check_can_raise_concern(actor: Actor) -> None:
    """For the API: a missing right to raise concerns is a plain 403 (nothing personal is
    revealed by it)."""
    if not can_raise_concern(actor):
        raise PermissionDenied


def can_see_incoming_concerns(actor: Actor) -> bool:
    """Those who receive concerns (and may see their status); the others see only their own."""
    return can_see_personal_data(actor)


def can_route_concern(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_drop_concern(actor: Actor) -> bool:
    return is_ssp_staff(actor)


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


# --- Cases ---------------------------------------------------------------------------------


def can_open_case(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_close_case(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_escalate_case(actor: Actor) -> bool:
    return is_ssp_staff(actor)


def can_choose_case_forum(actor: Actor) -> bool:
    """The forum pickers of "Opret sag" and "Send sagen til" (and their search)."""
    return can_open_case(actor) or can_escalate_case(actor)


# --- Ad hoc action groups (R1, R3; Høje-Taastrup) ---------------------------------------------


def _chairs(actor: Actor, forum: Forum) -> bool:
    """Whether the actor is the forum's chair now ("Det påhviler formanden ... at nedsætte og
    opløse Ad hoc handlegrupperne")."""
    return (
        actor.member_id is not None
        and forum.pk in actor.forum_ids
        and Membership.objects.current()
        .filter(forum=forum, member_id=actor.member_id, role=MembershipRole.CHAIR)
        .exists()
    )


def adhoc_parent_fora(actor: Actor) -> QuerySet[Forum]:
    """The fora the actor may set up ad hoc groups from: for SSP staff every active forum of the
    municipality, for an employee the fora they chair now; nobody else."""
    if not is_employee(actor):
        return Forum.objects.none()
    fora = Forum.objects.filter(
        municipality_id=municipality_of(actor), dissolved_at__isnull=True
    ).exclude(forum_type=ForumType.ADHOC)
    if is_ssp_staff(actor):
        return fora.order_by("name")
    if actor.member_id is None:
        return Forum.objects.none()
    chaired = Membership.objects.current().filter(
        member_id=actor.member_id, role=MembershipRole.CHAIR
    )
    return (
        fora.filter(pk__in=chaired.values("forum_id"))
        .filter(pk__any_of=actor.forum_ids)
        .order_by("name")
    )


def can_open_adhoc_set_up(actor: Actor) -> bool:
    """The set-up page: SSP staff and the chairs of a forum of the municipality."""
    return is_ssp_staff(actor) or (is_employee(actor) and adhoc_parent_fora(actor).exists())


def can_set_up_adhoc_group(actor: Actor, parent_forum: Forum | None = None) -> bool:
    """R1 (Høje-Taastrup): the chair of the parent forum and SSP staff set up an ad hoc group,
    also between meetings. Without a parent forum (the case page, which sets one up from the
    case's forum): SSP staff."""
    if parent_forum is None:
        return is_ssp_staff(actor)
    if (
        parent_forum.forum_type == ForumType.ADHOC
        or parent_forum.dissolved_at is not None
        or parent_forum.municipality_id is None
        or parent_forum.municipality_id != actor.municipality_id
    ):
        return False
    return is_ssp_staff(actor) or (is_employee(actor) and _chairs(actor, parent_forum))


def can_set_up_adhoc_group_for_person(actor: Actor, parent_forum: Forum) -> bool:
    """Where a named young person is concerned the chair must be an authority person (§115)."""
    return can_set_up_adhoc_group(actor, parent_forum) and can_see_personal_data(actor)


def can_dissolve_adhoc_group(actor: Actor, group: Forum) -> bool:
    """The chair of the group's parent forum and SSP staff dissolve it, by decision."""
    if group.forum_type != ForumType.ADHOC or group.municipality_id != actor.municipality_id:
        return False
    if is_ssp_staff(actor):
        return True
    if group.adhoc_subject == AdhocSubject.PERSON and not can_see_personal_data(actor):
        return False  # §115: a group about a named young person is an authority matter
    return is_employee(actor) and group.parent is not None and _chairs(actor, group.parent)


def can_see_adhoc_groups(actor: Actor) -> bool:
    """The page of ad hoc groups: employees see the groups they sit in or set up as chair."""
    return is_employee(actor)


def visible_adhoc_groups(actor: Actor) -> QuerySet[Forum]:
    """SSP staff: every ad hoc group of the municipality. Others: the active groups they sit in
    (members lose it when the group is dissolved) and the groups of the fora they chair now."""
    if not is_employee(actor):
        return Forum.objects.none()
    groups = Forum.objects.filter(
        municipality_id=municipality_of(actor), forum_type=ForumType.ADHOC
    )
    if is_ssp_staff(actor):
        return groups
    if actor.member_id is None:
        return Forum.objects.none()
    chaired = Membership.objects.current().filter(
        member_id=actor.member_id, role=MembershipRole.CHAIR, forum_id__any_of=actor.forum_ids
    )
    as_chair = Q(parent_id__in=chaired.values("forum_id"))
    if not can_see_personal_data(actor):
        # A group about a named young person is itself personal data: not for a chair who is
        # not an authority person.
        as_chair &= ~Q(adhoc_subject=AdhocSubject.PERSON)
    return groups.filter(Q(pk__any_of=actor.forum_ids, dissolved_at__isnull=True) | as_chair)


def get_adhoc_group_for(actor: Actor, group_id: int, *, for_dissolve: bool = False) -> Forum:
    """An ad hoc group the actor may see (404 otherwise); `for_dissolve`: one the actor may
    dissolve (a member who sees it but may not dissolve it gets 403)."""
    group = get_or_404(
        visible_adhoc_groups(actor).select_related("parent", "set_up_by", "dissolved_by"),
        pk=group_id,
    )
    if for_dissolve and not can_dissolve_adhoc_group(actor, group):
        raise PermissionDenied
    return group


def is_case_coordinator(actor: Actor, case: Case) -> bool:
    """The case's coordinator: SSP staff, or the coordinator (tovholder) of one of its
    agreements."""
    if is_ssp_staff(actor):
        return case.municipality_id == actor.municipality_id
    if actor.member_id is None:
        return False
    return ActionAgreement.objects.filter(case=case, coordinator_id=actor.member_id).exists()


def can_change_case_level(actor: Actor, case: Case) -> bool:
    """Issue 16: SSP staff or the case's coordinator change an open case's level (with a
    reason); the level rules are checked again by the service."""
    return case.is_open and is_case_coordinator(actor, case)


def can_move_concern_to_prevention(actor: Actor) -> bool:
    """Issue 16: SSP staff take a general (green) concern about a group or a place into the
    prevention plan as an activity instead of a case."""
    return is_ssp_staff(actor)


def can_complete_task(actor: Actor, task: Task) -> bool:
    """Only the task's owner or the case's coordinator marks a task done (issue 9)."""
    if actor.member_id is not None and task.owner_id == actor.member_id:
        return True
    return is_case_coordinator(actor, task.case)


def completable_task_ids(actor: Actor, case: Case, tasks: list[Task]) -> set[int]:
    """The tasks of `case` this actor may mark done (for the page's "Udført" buttons)."""
    if is_case_coordinator(actor, case):
        return {task.pk for task in tasks}
    return {
        task.pk
        for task in tasks
        if actor.member_id is not None and task.owner_id == actor.member_id
    }


def _is_police(actor: Actor) -> bool:
    return actor.is_police


def can_search_cases(actor: Actor) -> bool:
    """§115: information may not be used for criminal investigation, so the police get no free
    search, not even among their own cases."""
    return can_see_personal_data(actor) and not _is_police(actor)


def shows_115_notice(actor: Actor) -> bool:
    """Police members who see personal data are reminded of §115 on every page."""
    return _is_police(actor) and can_see_personal_data(actor)


# --- Young people --------------------------------------------------------------------------


def can_search_young_people(actor: Actor) -> bool:
    """§115: information may not be used for criminal investigation; police get no search."""
    return is_ssp_staff(actor) or (is_authority_employee(actor) and not _is_police(actor))


def can_see_full_cpr(actor: Actor) -> bool:
    """Only SSP staff may have the full CPR number shown (and only through "Vis CPR")."""
    return is_ssp_staff(actor)


def cpr_display_for(actor: Actor, person: YoungPerson) -> str:
    """The CPR number as pages show it: masked for everyone, SSP staff included.

    The full number is shown only on an explicit, audited request (`services.show_full_cpr`)
    by those `can_see_full_cpr` allows; a template never decrypts it by itself.
    """
    return person.cpr_masked


# --- Querysets -----------------------------------------------------------------------------


def _participation(actor: Actor, case_field: str) -> Q:
    """`case_field` names a case the authority employee takes part in other than through the
    case's forum: coordinator or contact person of an agreement, or owner of a task. One arm
    per role, each read from an index alone (`agreement_coordinator_case`,
    `agreement_contact_case`, `task_owner_case`); an OR inside one arm would read the table.
    `any_of` (ssp/lookups.py): each arm from an index, not a scan of every case.

    A case has one agreement but often several tasks of one owner: the task arm's case ids are
    made distinct, because PostgreSQL checks a row against an `ANY(ARRAY(...))` element by
    element (issue 11: 3,200 tasks in 1,600 cases made a list page's rows 1 ms slower)."""
    member = actor.member_id
    arms = (
        ActionAgreement.objects.filter(coordinator_id=member).values("case_id"),
        ActionAgreement.objects.filter(contact_person_id=member).values("case_id"),
        Task.objects.filter(owner_id=member).values("case_id").distinct(),
    )
    condition = Q()
    for arm in arms:
        condition |= Q(**{f"{case_field}__any_of": arm})
    return condition


def visible_cases(actor: Actor) -> QuerySet[Case]:
    if is_ssp_staff(actor):
        return Case.objects.filter(municipality_id=municipality_of(actor))
    if not is_authority_employee(actor):
        return Case.objects.none()
    return Case.objects.filter(municipality_id=municipality_of(actor)).filter(
        Q(forum_id__any_of=actor.forum_ids) | _participation(actor, "pk")
    )


def own_tasks(actor: Actor) -> QuerySet[Task]:
    """The actor's own tasks in cases the actor may see.

    An authority employee sees every case in which she holds a task (`visible_cases`), and SSP
    staff every case of the municipality, so for them the case's municipality is the whole
    check, without collecting every case they may see (issue 11); anyone else is checked
    against `visible_cases`."""
    tasks = Task.objects.filter(owner_id=actor.member_id)
    if is_ssp_staff(actor) or is_authority_employee(actor):
        return tasks.filter(case__municipality_id=municipality_of(actor))
    return tasks.filter(case__in=visible_cases(actor))


def followed_up_agreements(actor: Actor) -> QuerySet[ActionAgreement]:
    """The action agreements whose follow-up the actor keeps: SSP staff all of the
    municipality's; anyone else those she coordinates or is the contact person of, in cases she
    may see (an authority employee sees every case she has such a role in: `visible_cases`)."""
    agreements = ActionAgreement.objects.filter(case__municipality_id=municipality_of(actor))
    if is_ssp_staff(actor):
        return agreements
    own = agreements.filter(
        Q(coordinator_id=actor.member_id) | Q(contact_person_id=actor.member_id)
    )
    if is_authority_employee(actor):
        return own
    return own.filter(case__in=visible_cases(actor))


def changeable_cases(actor: Actor) -> QuerySet[Case]:
    """R3: everyone in a case's circle adds to it (tasks, consents, disclosures, agreements);
    the actions kept for SSP staff have their own predicates (`can_close_case` ...)."""
    return visible_cases(actor)


def visible_concerns(actor: Actor) -> QuerySet[Concern]:
    if is_ssp_staff(actor):
        return Concern.objects.filter(municipality_id=municipality_of(actor))
    if is_authority_employee(actor):
        # The concerns of the cases the actor sees (`visible_cases`), with each way of taking
        # part matched on the concern's case directly (a case and its concerns are of one
        # municipality, checked on the concern): no pass over the cases table per arm.
        cases_in_own_fora = Case.objects.filter(
            municipality_id=municipality_of(actor), forum_id__any_of=actor.forum_ids
        )
        return Concern.objects.filter(municipality_id=municipality_of(actor)).filter(
            Q(forum_id__any_of=actor.forum_ids)
            | Q(raised_by_id=actor.user_id)
            | Q(case_id__any_of=cases_in_own_fora.values("pk"))
            | _participation(actor, "case_id")
        )
    if is_employee(actor):
        return Concern.objects.filter(
            municipality_id=municipality_of(actor), raised_by_id=actor.user_id
        )
    return Concern.objects.none()


def concerns_in_own_fora(actor: Actor) -> QuerySet[Concern]:
    """The concerns sent to the actor's fora that the actor may see: SSP staff and authority
    employees see every concern of their fora (`visible_concerns`), so the forum is the whole
    check; anyone else only what `visible_concerns` allows."""
    in_fora = Concern.objects.filter(
        municipality_id=municipality_of(actor), forum_id__any_of=actor.forum_ids
    )
    if is_ssp_staff(actor) or is_authority_employee(actor):
        return in_fora
    return in_fora.filter(pk__in=visible_concerns(actor).values("pk"))


def own_concerns(actor: Actor) -> QuerySet[Concern]:
    """The concerns the actor raised, within what the actor may see: whoever may see concerns
    at all sees those she raised (`visible_concerns` has that arm for every such role), so the
    reporter is the whole check, and the list reads the index `concern_raised_by_order`."""
    if not is_employee(actor):
        return Concern.objects.none()
    return Concern.objects.filter(
        municipality_id=municipality_of(actor), raised_by_id=actor.user_id
    )


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
                    municipality_id=municipality_of(actor), forum_id__any_of=actor.forum_ids
                ).values("young_person_id")
            )
        )
    return YoungPerson.objects.none()


# --- Who may be chosen in a case --------------------------------------------------------------


def choosable_members(actor: Actor, case: Case) -> QuerySet[Member]:
    """The people who may be chosen in `case`: coordinator (tovholder), contact person, agreement
    participant, task owner, disclosure giver or receiver, member of an ad hoc group.

    One rule for every form, service and the autocomplete built on it: the people who are or may
    be in the case's circle (see `visible_cases`), that is the members of the case's municipality
    who are
    - SSP staff (they see every case of the municipality), or
    - authority employees (myndighedspersoner): the members of the case's forum or ad hoc group,
      and the other authority employees who may be added to the circle (a task or an agreement
      role adds them; they then see the case through `visible_cases`).
    Never administrators or politicians, never employees who are not authority persons (§115:
    information about a named young person goes to authority persons only).

    Returns `Member.objects.none()` when the actor may not add to the case at all. A queryset,
    so callers can narrow it further (a search term) and use it as a form field's queryset.
    """
    if not can_see_personal_data(actor) or actor.municipality_id != case.municipality_id:
        return Member.objects.none()
    return (
        Member.objects.filter(municipality_id=case.municipality_id)
        .filter(
            Q(access_role=AccessRole.SSP_STAFF)
            | Q(access_role=AccessRole.EMPLOYEE, is_authority=True)
        )
        .select_related("unit")
        .order_by("name", "pk")
    )


def is_choosable(actor: Actor, case: Case, member: Member) -> bool:
    """Whether one member may be chosen in the case (the services' re-check)."""
    return choosable_members(actor, case).filter(pk=member.pk).exists()


# --- Lookups (404 when not visible or not existing) ----------------------------------------


def get_case_for(actor: Actor, case_id: int, *, for_change: bool = False) -> Case:
    """A case the actor may see (or, `for_change`, add to); 404 otherwise."""
    cases = changeable_cases(actor) if for_change else visible_cases(actor)
    return get_or_404(
        cases.select_related("young_person__school", "forum", "municipality", "opened_by"),
        pk=case_id,
    )


def get_case_for_level_change(actor: Actor, case_id: int) -> Case:
    """Issue 16: a case whose level the actor may change (`can_change_case_level`): 404 outside
    the case, 403 for a case the actor takes part in but does not coordinate (or a closed one)."""
    case = get_case_for(actor, case_id, for_change=True)
    if not can_change_case_level(actor, case):
        raise PermissionDenied
    return case


def get_agreement_for(actor: Actor, case_id: int, agreement_id: int) -> ActionAgreement:
    case = get_case_for(actor, case_id)
    return get_or_404(
        ActionAgreement.objects.filter(case=case)
        .select_related("coordinator__unit", "contact_person__unit", "case__young_person")
        .prefetch_related("participants__unit", "tasks__owner"),
        pk=agreement_id,
    )


def get_task_for(actor: Actor, case_id: int, task_id: int) -> Task:
    case = get_case_for(actor, case_id, for_change=True)
    return get_or_404(Task.objects.filter(case=case).select_related("case"), pk=task_id)


def get_task_to_complete_for(actor: Actor, case_id: int, task_id: int) -> Task:
    """A task the actor may mark done: 404 outside the case, 403 for a task in a visible case
    that is neither the actor's own nor in a case the actor coordinates."""
    task = get_task_for(actor, case_id, task_id)
    if not can_complete_task(actor, task):
        raise PermissionDenied
    return task


def get_consent_for(actor: Actor, case_id: int, consent_id: int) -> Consent:
    case = get_case_for(actor, case_id, for_change=True)
    return get_or_404(Consent.objects.filter(case=case).select_related("case"), pk=consent_id)


def get_concern_for(actor: Actor, concern_id: int) -> Concern:
    return get_or_404(
        visible_concerns(actor).select_related(
            "young_person__school", "forum", "raised_by", "case"
        ),
        pk=concern_id,
    )


def get_receipt_concern_for(actor: Actor, concern_id: int) -> Concern:
    """The receipt is for the reporter only; to anyone else it does not exist."""
    return get_or_404(own_concerns(actor).select_related("forum"), pk=concern_id)


def get_young_person_for(actor: Actor, person_id: int) -> YoungPerson:
    return get_or_404(
        visible_young_people(actor).select_related("school", "school_district"),
        pk=person_id,
    )


def get_young_person_for_full_cpr(actor: Actor, person_id: int) -> YoungPerson:
    """For "Vis CPR": only for those who may see the full number; to others, 404."""
    if not can_see_full_cpr(actor):
        raise Http404
    return get_young_person_for(actor, person_id)
