"""Reads of concerns, cases and young people, always scoped by cases/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ssp import access
from ssp.access import Actor, municipality_of
from ssp.cases import access as case_access
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseStatus,
    Concern,
    ConcernStatus,
    Consent,
    LegalBasis,
    Task,
    TaskStatus,
    YoungPerson,
)
from ssp.crypto import blind_index
from ssp.organisation.models import Forum, Member

PAGE_SIZE = 25


def get_case_for(actor: Actor, case_id: int) -> Case:
    """Look up a case the actor may see; 404 when not visible or not existing."""
    case: Case = access.get_or_404(
        case_access.visible_cases(actor).select_related(
            "young_person__school", "forum", "municipality", "opened_by"
        ),
        pk=case_id,
    )
    return case


def case_detail(case: Case) -> dict[str, Any]:
    agreements = list(
        ActionAgreement.objects.filter(case=case)
        .select_related("coordinator__unit", "contact_person__unit")
        .prefetch_related(
            "participants",
            Prefetch("tasks", queryset=Task.objects.select_related("owner").order_by("due_date")),
        )
    )
    return {
        "agreements": agreements,
        "tasks": list(Task.objects.filter(case=case).select_related("owner")),
        "consents": list(case.consents.select_related("custody_holder", "recorded_by")),
        "disclosures": list(
            case.disclosures.select_related("legal_basis", "given_by").prefetch_related("receivers")
        ),
        "events": list(case.events.select_related("actor")),
        "concerns": list(case.concerns.select_related("raised_by")),
        "custody_holders": list(case.young_person.custody_holders.all()),
        "open_parent_task": any(
            t.involve_parents and t.status == TaskStatus.OPEN
            for t in Task.objects.filter(case=case, involve_parents=True)
        ),
    }


def get_agreement_for(actor: Actor, case_id: int, agreement_id: int) -> ActionAgreement:
    case = get_case_for(actor, case_id)
    agreement: ActionAgreement = access.get_or_404(
        ActionAgreement.objects.filter(case=case)
        .select_related("coordinator__unit", "contact_person__unit", "case__young_person")
        .prefetch_related("participants__unit", "tasks__owner"),
        pk=agreement_id,
    )
    return agreement


def get_task_for(actor: Actor, case_id: int, task_id: int) -> Task:
    case = get_case_for(actor, case_id)
    task: Task = access.get_or_404(
        Task.objects.filter(case=case).select_related("case"), pk=task_id
    )
    return task


def get_consent_for(actor: Actor, case_id: int, consent_id: int) -> Consent:
    case = get_case_for(actor, case_id)
    consent: Consent = access.get_or_404(
        Consent.objects.filter(case=case).select_related("case"), pk=consent_id
    )
    return consent


def legal_bases(actor: Actor, case: Case) -> QuerySet[LegalBasis]:
    from ssp.cases.services import legal_bases_for

    legal_bases_for(case.municipality)
    return LegalBasis.objects.filter(municipality_id=case.municipality_id).order_by("title")


def cases_for(actor: Actor, *, status: str = "open", page: int = 1, q: str = "") -> Page[Any]:
    queryset = (
        case_access.visible_cases(actor)
        .select_related("young_person", "forum")
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN)))
        .order_by("-opened_at")
    )
    if status in {CaseStatus.OPEN, CaseStatus.CLOSED}:
        queryset = queryset.filter(status=status)
    if q and not actor.is_police:  # §115: no searching for police, not even in own cases
        for word in q.split()[:3]:
            queryset = queryset.filter(
                Q(young_person__first_name__icontains=word)
                | Q(young_person__last_name__icontains=word)
            )
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def concerns_for(actor: Actor, *, status: str = "", page: int = 1) -> Page[Concern]:
    queryset = (
        case_access.visible_concerns(actor)
        .select_related("young_person", "forum", "raised_by")
        .order_by("-raised_at")
    )
    if status:
        queryset = queryset.filter(status=status)
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def get_concern_for(actor: Actor, concern_id: int) -> Concern:
    concern: Concern = access.get_or_404(
        case_access.visible_concerns(actor).select_related(
            "young_person__school", "forum", "raised_by", "case"
        ),
        pk=concern_id,
    )
    return concern


def search_young_people(actor: Actor, query: str) -> list[YoungPerson]:
    """By name or CPR, for those allowed to search (not police, not non-authority staff)."""
    if not case_access.can_search_young_people(actor) or not query.strip():
        return []
    people = case_access.visible_young_people(actor)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) == 10:
        people = people.filter(cpr_index=blind_index(digits))
    else:
        for word in query.split()[:3]:
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(people.select_related("school").order_by("last_name", "first_name")[:50])


def get_young_person_for(actor: Actor, person_id: int) -> YoungPerson:
    person: YoungPerson = access.get_or_404(
        case_access.visible_young_people(actor).select_related("school", "school_district"),
        pk=person_id,
    )
    return person


def cases_of_young_person(actor: Actor, person: YoungPerson) -> list[Case]:
    return list(
        case_access.visible_cases(actor).filter(young_person=person).select_related("forum")
    )


@dataclass
class MyWork:
    tasks: list[Task]
    overdue_tasks: int
    cases: list[Case]
    follow_ups: list[ActionAgreement]
    new_concerns: list[Concern]
    my_concerns: list[Concern]


def my_work(actor: Actor) -> MyWork:
    """R3 'My work': my tasks, my cases, follow-ups due, new concerns in my fora."""
    today = timezone.localdate()
    visible = case_access.visible_cases(actor).filter(status=CaseStatus.OPEN)
    tasks: list[Task] = []
    follow_ups: list[ActionAgreement] = []
    if actor.member_id is not None:
        tasks = list(
            Task.objects.filter(
                owner_id=actor.member_id, status=TaskStatus.OPEN, case__in=visible
            ).select_related("case__young_person")[:50]
        )
        agreements = ActionAgreement.objects.filter(
            case__in=visible, follow_up_date__lte=today + timedelta(days=7)
        )
        if not access.is_ssp_staff(actor):
            agreements = agreements.filter(
                Q(coordinator_id=actor.member_id) | Q(contact_person_id=actor.member_id)
            )
        follow_ups = list(
            agreements.select_related("case__young_person").order_by("follow_up_date")[:50]
        )
    new_concerns = list(
        case_access.visible_concerns(actor)
        .filter(
            forum_id__in=actor.forum_ids,
            status__in=[
                ConcernStatus.NEW,
                ConcernStatus.ACTION_REQUIRED,
                ConcernStatus.AWAITING_DECISION,
            ],
        )
        .select_related("young_person", "forum")[:50]
    )
    my_concerns = list(
        Concern.objects.filter(raised_by_id=actor.user_id)
        .select_related("young_person", "forum")
        .order_by("-raised_at")[:10]
    )
    return MyWork(
        tasks=tasks,
        overdue_tasks=sum(1 for task in tasks if task.due_date < today),
        cases=list(visible.select_related("young_person", "forum").order_by("-opened_at")[:20]),
        follow_ups=follow_ups,
        new_concerns=new_concerns,
        my_concerns=my_concerns,
    )


def authority_members(actor: Actor) -> QuerySet[Member]:
    return (
        Member.objects.filter(municipality_id=municipality_of(actor), is_authority=True)
        .select_related("unit")
        .order_by("name")
    )


def members_of_municipality(actor: Actor) -> QuerySet[Member]:
    return (
        Member.objects.filter(municipality_id=municipality_of(actor))
        .select_related("unit")
        .order_by("name")
    )


def individual_fora(actor: Actor) -> QuerySet[Forum]:
    return (
        Forum.objects.filter(
            municipality_id=municipality_of(actor),
            may_discuss_individuals=True,
            dissolved_at__isnull=True,
        )
        .exclude(forum_type="adhoc")
        .order_by("name")
    )


def active_fora(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(
        municipality_id=municipality_of(actor), dissolved_at__isnull=True
    ).order_by("name")
