"""Reads of concerns, cases and young people, always scoped by cases/access.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ssp.access import Actor, municipality_of
from ssp.cases import access as case_access
from ssp.cases.cpr import CPR_DIGITS
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    LegalBasis,
    Task,
    TaskStatus,
    YoungPerson,
)
from ssp.cases.personal_data import normalise_name
from ssp.choices import choice_label
from ssp.crypto import blind_index
from ssp.organisation.models import Forum, ForumType, Member, Unit

PAGE_SIZE = 25
# Searches: at most this many words are matched, this many people listed.
SEARCH_MAX_WORDS = 3
SEARCH_RESULTS_MAX = 50
# The start page's lists ("My work"): the first few, each with a way to the whole list.
MY_WORK_LIST_MAX = 10
MY_CASES_MAX = 10
MY_CONCERNS_MAX = 10
# The start page's follow-ups: those due within the next week, and those overdue by at most
# this many days (older ones are on the case page; the start page reads a window of the
# agreements' index `agreement_follow_up`, not every agreement of every open case).
FOLLOW_UP_AHEAD_DAYS = 7
FOLLOW_UP_OVERDUE_DAYS = 30


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
        # Issue 16: the level changes with their (encrypted) reasons, for the timeline.
        "level_changes": list(case.level_changes.select_related("changed_by")),
        "concerns": list(case.concerns.select_related("raised_by")),
        "custody_holders": list(case.young_person.custody_holders.all()),
        "open_parent_task": Task.objects.filter(
            case=case, involve_parents=True, status=TaskStatus.OPEN
        ).exists(),
    }


def legal_bases(actor: Actor, case: Case) -> QuerySet[LegalBasis]:
    """The case's municipality's current catalogue (installed with the municipality, kept on
    its configuration page): a retired basis is no longer offered (issue 16), though the
    disclosures recorded under it keep showing it."""
    return LegalBasis.objects.filter(
        municipality_id=case.municipality_id, retired_at__isnull=True
    ).order_by("title")


def _open_tasks_of_case() -> Subquery:
    """The number of open tasks of the outer case, as a correlated subquery.

    PostgreSQL evaluates it only for the rows the LIMIT lets through (a page), so the list
    never joins or groups all tasks; `Paginator.count()` leaves the unused annotation out.
    """
    return Subquery(
        Task.objects.filter(case_id=OuterRef("pk"), status=TaskStatus.OPEN)
        .order_by()
        .values("case_id")
        .annotate(open_tasks=Count("pk"))
        .values("open_tasks"),
        output_field=IntegerField(),
    )


_CASE_LIST_COLUMNS = (
    "level",
    "status",
    "opened_at",
    "young_person__first_name",
    "young_person__last_name",
    "forum__name",
)


def cases_for(
    actor: Actor, *, status: str = CaseStatus.OPEN, page: int = 1, q: str = ""
) -> Page[Any]:
    """A page of the cases the actor may see, each with its number of open tasks.

    Counted and paginated on the plain queryset (index `case_list_order`); the open-task count
    is a per-row subquery evaluated for the page's rows only.
    """
    queryset = case_access.visible_cases(actor)
    if status in {CaseStatus.OPEN, CaseStatus.CLOSED}:
        queryset = queryset.filter(status=status)
    if q and case_access.can_search_cases(actor):
        for word in q.split()[:SEARCH_MAX_WORDS]:
            queryset = queryset.filter(
                Q(young_person__first_name__icontains=word)
                | Q(young_person__last_name__icontains=word)
            )
    listed = (
        queryset.select_related("young_person", "forum")
        # What the list and the API show: no more columns are read.
        .only(*_CASE_LIST_COLUMNS)
        .annotate(open_tasks=Coalesce(_open_tasks_of_case(), 0))
        .order_by("-opened_at", "-pk")
    )
    return Paginator(listed, PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class ConcernRow:
    """A concern as a list shows it, with the name this actor may see (register or typed)."""

    concern: Concern
    person_name: str

    @property
    def status_label(self) -> str:
        return choice_label(ConcernStatus, self.concern.status)

    @property
    def subject_label(self) -> str:
        return choice_label(ConcernSubject, self.concern.subject)

    @property
    def source_label(self) -> str:
        return choice_label(ConcernSource, self.concern.source)


# What a row of the concern list shows (its number, whom or what it is about, forum, status,
# activity and date) and `concern_rows` needs (`sees_register_name`: forum and case). Neither
# the encrypted description nor the reporter is read (issue 11: 101 columns were 17).
CONCERN_LIST_COLUMNS = (
    "subject",
    "reported_name",
    "group_size",
    "place",
    "status",
    "activity_id",
    "raised_at",
    "case_id",
    "young_person__first_name",
    "young_person__last_name",
    "forum__name",
)


def concerns_for(actor: Actor, *, status: str = "", page: int = 1) -> Page[Concern]:
    """A page of the concerns the actor may see, newest first (index `concern_list_order`)."""
    queryset = case_access.visible_concerns(actor)
    if status:
        queryset = queryset.filter(status=status)
    listed = (
        queryset.select_related("young_person", "forum")
        .only(*CONCERN_LIST_COLUMNS)
        .order_by("-raised_at", "-pk")
    )
    return Paginator(listed, PAGE_SIZE).get_page(page)


def concern_rows(actor: Actor, concerns: Iterable[Concern]) -> list[ConcernRow]:
    """The rows of a page of concerns with the name each may show: which of the page's cases
    the actor sees is asked for those cases only (never for every case of the municipality)."""
    concerns = list(concerns)
    # One query for any page with rows, whether or not its concerns have cases (the same
    # number of queries at every scale); the page's case ids come from its concerns' ids.
    visible_case_ids: set[int] = set()
    if concerns:
        page_cases = Concern.objects.filter(pk__in=[c.pk for c in concerns]).values("case_id")
        visible_case_ids = set(
            case_access.visible_cases(actor).filter(pk__in=page_cases).values_list("pk", flat=True)
        )
    return [
        ConcernRow(
            concern=concern,
            person_name=concern.name_for(
                sees_register=case_access.sees_register_name(actor, concern, visible_case_ids)
            ),
        )
        for concern in concerns
    ]


def school_by_slug(actor: Actor, slug: str | None) -> Unit | None:
    """A unit of the actor's municipality by its slug (integrations name schools so)."""
    if not slug:
        return None
    return Unit.objects.filter(municipality_id=municipality_of(actor), slug=slug).first()


def search_young_people(actor: Actor, query: str) -> list[YoungPerson]:
    """By name or CPR, for those allowed to search (not police, not non-authority staff)."""
    if not case_access.can_search_young_people(actor) or not query.strip():
        return []
    people = case_access.visible_young_people(actor)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) == CPR_DIGITS:
        people = people.filter(cpr_index=blind_index(digits))
    else:
        for word in query.split()[:SEARCH_MAX_WORDS]:
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    ordered = people.select_related("school").order_by("last_name", "first_name")
    return list(ordered[:SEARCH_RESULTS_MAX])


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
    new_concerns: list[ConcernRow]  # with the name each may show (register or typed)
    my_concerns: list[Concern]


# What "My work" shows (issue 11: the start page reads only these columns). A young person's
# name as `YoungPerson.full_name` builds it, reached from a task or an action agreement.
_CASE_PERSON_NAME = ("case__young_person__first_name", "case__young_person__last_name")
# A new concern: its link, the name it may show (`Concern.name_for`), subject, status, forum
# and source.
_NEW_CONCERN_COLUMNS = (
    "subject",
    "status",
    "source",
    "reported_name",
    "young_person__first_name",
    "young_person__last_name",
    "forum__name",
)


def _first(queryset: QuerySet[Concern], order: tuple[str, ...], count: int) -> QuerySet[Concern]:
    """The first `count` rows of `queryset` by `order`, chosen before they are joined to what
    they show (the planner otherwise joins every matching row, then sorts and cuts)."""
    first = queryset.order_by(*order).values("pk")[:count]
    return Concern.objects.filter(pk__in=first).order_by(*order)


def my_work(actor: Actor) -> MyWork:
    """R3 'My work': my tasks, my cases, follow-ups due, new concerns in my fora."""
    today = timezone.localdate()
    visible = case_access.visible_cases(actor).filter(status=CaseStatus.OPEN)
    tasks: list[Task] = []
    follow_ups: list[ActionAgreement] = []
    if actor.member_id is not None:
        tasks = list(
            case_access.own_tasks(actor)
            .filter(status=TaskStatus.OPEN, case__status=CaseStatus.OPEN)
            .select_related("case__young_person")
            .only("case_id", "description", "due_date", *_CASE_PERSON_NAME)[:MY_WORK_LIST_MAX]
        )
        follow_ups = list(
            case_access.followed_up_agreements(actor)
            .filter(
                case__status=CaseStatus.OPEN,
                follow_up_date__gte=today - timedelta(days=FOLLOW_UP_OVERDUE_DAYS),
                follow_up_date__lte=today + timedelta(days=FOLLOW_UP_AHEAD_DAYS),
            )
            .select_related("case__young_person")
            .only("case_id", "follow_up_date", *_CASE_PERSON_NAME)
            .order_by("follow_up_date", "pk")[:MY_WORK_LIST_MAX]
        )
    new_concerns = concern_rows(
        actor,
        _first(
            case_access.concerns_in_own_fora(actor).filter(
                status__in=[
                    ConcernStatus.NEW,
                    ConcernStatus.ACTION_REQUIRED,
                    ConcernStatus.AWAITING_DECISION,
                ],
            ),
            ("-raised_at", "-pk"),
            MY_WORK_LIST_MAX,
        )
        .select_related("young_person", "forum")
        .only(*_NEW_CONCERN_COLUMNS),
    )
    my_concerns = list(
        case_access.own_concerns(actor)
        .only("raised_at")
        .order_by("-raised_at", "-pk")[:MY_CONCERNS_MAX]
    )
    return MyWork(
        tasks=tasks,
        overdue_tasks=sum(1 for task in tasks if task.due_date < today),
        cases=list(
            visible.select_related("young_person", "forum")
            .only("young_person__first_name", "young_person__last_name", "forum__name")
            .order_by("-opened_at")[:MY_CASES_MAX]
        ),
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
        .exclude(forum_type=ForumType.ADHOC)
        .order_by("name")
    )


def active_fora(actor: Actor) -> QuerySet[Forum]:
    return Forum.objects.filter(
        municipality_id=municipality_of(actor), dissolved_at__isnull=True
    ).order_by("name")


def registered_names(municipality_id: int) -> list[str]:
    """The normalised names of the municipality's registered young people, for the name check
    of `ssp/cases/personal_data.py` (only for writers who may see personal data: a refusal
    tells whether a name is registered)."""
    return [
        normalise_name(first, last)
        for first, last in YoungPerson.objects.filter(municipality_id=municipality_id).values_list(
            "first_name", "last_name"
        )
    ]
