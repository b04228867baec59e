"""The biennial evaluation (Høje-Taastrup: "hvert andet år en lille evaluering af deltagernes
opgaver"): SSP staff make a short questionnaire (`EVALUATION_QUESTIONS`), choose the fora whose
members answer it, send it out and close it; each invited member answers once for each forum
she was invited for; the summary shows counts only, suppressed.

Anonymity by design: an `EvaluationInvitation` says whether a person answered (the day only,
for the response rate), an `EvaluationResponse` what was answered, with no user, no time and a
random key. Nothing links the two, and nothing here writes an audit event per answer (see
`answer_evaluation`).

Services (`@transaction.atomic`, keyword-only, re-checking their rule, Danish `DomainError`s)
and the selectors of the pages, the API and the annual report live together here: the module is
small and every figure that leaves it goes through `suppression.suppress`, once per page.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.organisation.models import Forum, ForumType, Membership
from ssp.prevention.services import check_texts
from ssp.reports import access as report_access
from ssp.reports import suppression
from ssp.reports.figures.meetings import year_bounds
from ssp.reports.models import (
    EVALUATION_QUESTIONS,
    Evaluation,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationStatus,
)
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable, Table
from ssp.versioning import save_versioned

# An evaluation goes to at most this many fora (the picker refuses more).
FORA_MAX = 30
# The answering deadline lies at most this far ahead.
CLOSES_WITHIN_DAYS = 365
# The list pages' page size; the start page's and the list's invitation boxes show at most
# this many open invitations.
PAGE_SIZE = 25
INVITATIONS_MAX = 10
# Comments shown on a summary (staff only), at most.
COMMENTS_MAX = 200
# A forum is named beside a comment only when it had at least this many answers (with fewer,
# a member of the forum could tell who wrote it).
COMMENT_FORUM_MIN = 5
# The annual report shows at most this many evaluations closed in the year.
REPORT_EVALUATIONS_MAX = 10

QUESTION_KEYS = tuple(key for key, _label in EVALUATION_QUESTIONS)
ANSWERS = tuple(EvaluationAnswer)


# --- Rules --------------------------------------------------------------------------------


def _manager(actor_user: User) -> Actor:
    actor = access.get_actor(actor_user)
    if not report_access.can_manage_evaluations(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan lave og sende evalueringer."))
    return actor


def evaluation_fora(municipality_id: int | None) -> QuerySet[Forum]:
    """The fora an evaluation may go to: the municipality's standing fora that are not
    dissolved (an ad hoc group is a case's circle, not a forum with lasting tasks)."""
    if municipality_id is None:
        return Forum.objects.none()
    return (
        Forum.objects.filter(municipality_id=municipality_id, dissolved_at__isnull=True)
        .exclude(forum_type=ForumType.ADHOC)
        .order_by("name", "pk")
    )


def fora_for(actor: Actor) -> QuerySet[Forum]:
    """The forum picker's choices for an actor who manages evaluations (none for others)."""
    if not report_access.can_manage_evaluations(actor):
        return Forum.objects.none()
    return evaluation_fora(access.municipality_of(actor))


def latest_closing_day() -> date:
    return timezone.localdate() + timedelta(days=CLOSES_WITHIN_DAYS)


@dataclass(frozen=True)
class EvaluationData:
    """What the form (or another channel) gives the create and edit services."""

    title: str
    introduction: str
    closes_on: date
    fora: list[Forum]


def _checked(actor: Actor, municipality_id: int, data: EvaluationData) -> EvaluationData:
    title = data.title.strip()
    introduction = data.introduction.strip()
    if not title:
        raise DomainError(_("Skriv en titel."))
    today = timezone.localdate()
    if not today < data.closes_on <= latest_closing_day():
        raise DomainError(
            _("Svarfristen skal ligge efter i dag og højst et år frem (senest %(day)s).")
            % {"day": latest_closing_day().strftime("%d.%m.%Y")}
        )
    pks = {forum.pk for forum in data.fora}
    if not pks:
        raise DomainError(_("Vælg mindst ét forum."))
    if len(pks) > FORA_MAX:
        raise DomainError(_("Vælg højst %(n)s fora.") % {"n": FORA_MAX})
    if evaluation_fora(municipality_id).filter(pk__in=pks).count() != len(pks):
        raise DomainError(_("Et af de valgte fora kan ikke vælges (nedlagt eller ukendt)."))
    # The questionnaire goes to members of several sectors: no personal data in it.
    labels = {_("Titel"): "title", _("Indledning"): "introduction"}
    check_texts(
        actor,
        municipality_id,
        {_("Titel"): title, _("Indledning"): introduction},
        names=labels,
        message=_("Evalueringen må ikke indeholde personoplysninger."),
    )
    return EvaluationData(
        title=title, introduction=introduction, closes_on=data.closes_on, fora=data.fora
    )


@transaction.atomic
def create_evaluation(
    *, actor_user: User, data: EvaluationData, token: uuid.UUID | None = None
) -> Evaluation:
    """A draft evaluation of the actor's municipality for the chosen fora. `token`: the form's
    one-time token; the same post again returns the draft it made."""
    actor = _manager(actor_user)
    municipality_id = access.municipality_of(actor)
    if municipality_id is None:
        raise DomainError(_("Du hører ikke til en kommune."))
    if token is not None:
        made = Evaluation.objects.filter(form_token=token, municipality_id=municipality_id).first()
        if made is not None:
            return made
    checked = _checked(actor, municipality_id, data)
    evaluation = Evaluation.objects.create(
        municipality_id=municipality_id,
        title=checked.title,
        introduction=checked.introduction,
        closes_on=checked.closes_on,
        created_by=actor_user,
        form_token=token,
    )
    evaluation.fora.set(checked.fora)
    record_event(
        actor=actor_user,
        action=AuditAction.EVALUATION_CREATED,
        obj=evaluation,
        municipality_id=municipality_id,
        data={"fora": sorted(forum.pk for forum in checked.fora)},
    )
    return evaluation


@transaction.atomic
def update_evaluation(
    *, actor_user: User, evaluation: Evaluation, data: EvaluationData, expected_version: int
) -> Evaluation:
    """Change a draft (title, introduction, deadline, fora); a stale save raises `StaleEdit`,
    and sending bumps the version, so an edit racing the send is refused."""
    actor = _manager(actor_user)
    if evaluation.municipality_id != access.municipality_of(actor):
        raise DomainError(_("Evalueringen findes ikke."))
    if evaluation.status != EvaluationStatus.DRAFT:
        raise DomainError(_("En evaluering kan kun rettes, før den er sendt ud."))
    checked = _checked(actor, evaluation.municipality_id, data)
    evaluation.title = checked.title
    evaluation.introduction = checked.introduction
    evaluation.closes_on = checked.closes_on
    save_versioned(
        evaluation,
        expected_version=expected_version,
        fields=("title", "introduction", "closes_on"),
    )
    evaluation.fora.set(checked.fora)
    record_event(
        actor=actor_user,
        action=AuditAction.EVALUATION_CHANGED,
        obj=evaluation,
        municipality_id=evaluation.municipality_id,
        data={"fora": sorted(forum.pk for forum in checked.fora)},
    )
    return evaluation


@dataclass(frozen=True)
class SendResult:
    sent: bool  # False: it was sent already (a second send does nothing)
    invitations: int = 0
    people: int = 0


def _mail_text(title: str, closes_on: date, links: list[tuple[str, str]]) -> str:
    """The invitation: the evaluation's title, the fora and the links, nothing else."""
    lines = [
        _("Du er inviteret til at svare på evalueringen «%(title)s».") % {"title": title},
        _("Svarfrist: %(day)s.") % {"day": closes_on.strftime("%d.%m.%Y")},
        "",
        _("Svar for hvert af dine fora her:"),
    ]
    lines += [f"- {name}: {url}" for name, url in links]
    lines += ["", _("Svarene gemmes uden dit navn.")]
    return "\n".join(lines)


@transaction.atomic
def send_evaluation(*, actor_user: User, evaluation: Evaluation, base_url: str) -> SendResult:
    """Send a draft out: one invitation per current member with an active login of each chosen
    forum, and one e-mail per person (after the commit) listing her fora. Race-safe and
    idempotent: the draft becomes open in one conditional UPDATE, and only the request that
    made that change invites anybody. `base_url` is the site's address for the links."""
    actor = _manager(actor_user)
    if evaluation.municipality_id != access.municipality_of(actor):
        raise DomainError(_("Evalueringen findes ikke."))
    if evaluation.closes_on < timezone.localdate():
        raise DomainError(_("Svarfristen er overskredet. Ret den, før evalueringen sendes ud."))
    now = timezone.now()
    changed = Evaluation.objects.filter(pk=evaluation.pk, status=EvaluationStatus.DRAFT).update(
        status=EvaluationStatus.OPEN, sent_at=now, version=F("version") + 1
    )
    if changed != 1:
        return SendResult(sent=False)
    evaluation.refresh_from_db()
    rows = list(
        Membership.objects.current()
        .filter(
            forum__in=evaluation.fora.all(),
            member__user__isnull=False,
            member__user__is_active=True,
        )
        .values_list("member__user_id", "forum_id", "forum__name", "member__user__email")
        .order_by("member__user_id", "forum__name", "forum_id")
        .distinct()
    )
    pairs: dict[tuple[int, int], None] = {}
    fora_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    address_of: dict[int, str] = {}
    for user_id, forum_id, forum_name, email in rows:
        if (user_id, forum_id) in pairs:
            continue
        pairs[(user_id, forum_id)] = None
        fora_of[user_id].append((forum_id, forum_name))
        if email:
            address_of[user_id] = email
    EvaluationInvitation.objects.bulk_create(
        [
            EvaluationInvitation(evaluation=evaluation, user_id=user_id, forum_id=forum_id)
            for user_id, forum_id in pairs
        ],
        ignore_conflicts=True,
    )
    root = base_url.rstrip("/")
    subject = _("Evaluering: %(title)s") % {"title": evaluation.title}
    mails = [
        (
            address,
            _mail_text(
                evaluation.title,
                evaluation.closes_on,
                [
                    (
                        name,
                        root
                        + reverse(
                            "reports:evaluation_answer",
                            kwargs={"pk": evaluation.pk, "forum_pk": forum_id},
                        ),
                    )
                    for forum_id, name in fora_of[user_id]
                ],
            ),
        )
        for user_id, address in sorted(address_of.items())
    ]

    def deliver() -> None:
        for address, body in mails:
            send_mail(subject, body, None, [address], fail_silently=True)

    transaction.on_commit(deliver)
    record_event(
        actor=actor_user,
        action=AuditAction.EVALUATION_SENT,
        obj=evaluation,
        municipality_id=evaluation.municipality_id,
        data={"invitations": len(pairs), "people": len(fora_of), "mails": len(mails)},
    )
    return SendResult(sent=True, invitations=len(pairs), people=len(fora_of))


@transaction.atomic
def close_evaluation(*, actor_user: User, evaluation: Evaluation) -> bool:
    """Close an open evaluation (no more answers); a second close does nothing (False)."""
    actor = _manager(actor_user)
    if evaluation.municipality_id != access.municipality_of(actor):
        raise DomainError(_("Evalueringen findes ikke."))
    changed = Evaluation.objects.filter(pk=evaluation.pk, status=EvaluationStatus.OPEN).update(
        status=EvaluationStatus.CLOSED, closed_at=timezone.now(), version=F("version") + 1
    )
    if changed != 1:
        status = Evaluation.objects.filter(pk=evaluation.pk).values_list("status", flat=True)
        if list(status) == [EvaluationStatus.DRAFT]:
            raise DomainError(_("En kladde kan ikke afsluttes. Send den ud først."))
        return False
    evaluation.refresh_from_db()
    record_event(
        actor=actor_user,
        action=AuditAction.EVALUATION_CLOSED,
        obj=evaluation,
        municipality_id=evaluation.municipality_id,
        data={"responses": evaluation.responses.count()},
    )
    return True


class AlreadyAnswered(DomainError):
    """The invitation was answered already (a double submit): the answer counted once."""

    status_code = 409


@transaction.atomic
def answer_evaluation(
    *,
    actor_user: User,
    invitation: EvaluationInvitation,
    answers: dict[str, str],
    comment: str,
) -> EvaluationResponse:
    """A member's anonymous answer for one forum.

    The invitation is marked answered (the day only) by a conditional UPDATE, so that a double
    submit or two tabs count once (`AlreadyAnswered`); the response is written in the same
    transaction, without the user. The comment is refused when it holds personal data (CPR-like
    numbers, phone, e-mail; registered names for authority persons).

    Not audited, on purpose: an audit event per answer would carry the user and the time, and
    the trail is kept longer than the answers, so it would link each person to her answer
    (by its time against the response's insertion). Sending and closing are audited."""
    actor = access.get_actor(actor_user)
    if invitation.user_id != actor_user.pk:
        raise DomainError(_("Invitationen findes ikke."))
    comment = comment.strip()
    values = {key: answers.get(key, "") for key in QUESTION_KEYS}
    if any(value not in EvaluationAnswer.values for value in values.values()):
        raise DomainError(_("Svar på alle spørgsmålene."))
    evaluation = invitation.evaluation
    check_texts(
        actor,
        evaluation.municipality_id,
        {_("Kommentar"): comment},
        names={_("Kommentar"): "comment"},
        message=_("Kommentaren må ikke indeholde personoplysninger."),
    )
    today = timezone.localdate()
    marked = EvaluationInvitation.objects.filter(
        pk=invitation.pk,
        answered_on__isnull=True,
        evaluation__status=EvaluationStatus.OPEN,
        evaluation__closes_on__gte=today,
    ).update(answered_on=today)
    if marked != 1:
        still_open = EvaluationInvitation.objects.filter(
            pk=invitation.pk, answered_on__isnull=True
        ).exists()
        if still_open:
            raise DomainError(_("Evalueringen er afsluttet. Der kan ikke længere svares."))
        raise AlreadyAnswered(_("Du har allerede svaret for dette forum."))
    return EvaluationResponse.objects.create(
        evaluation_id=invitation.evaluation_id,
        forum_id=invitation.forum_id,
        comment=comment,
        **values,
    )


# --- Reading ------------------------------------------------------------------------------


def invitations_of(actor: Actor) -> list[EvaluationInvitation]:
    """The actor's open invitations (the start page's and the list's box): one query, at most
    `INVITATIONS_MAX`, the nearest deadline first."""
    return list(
        report_access.open_invitations(actor)
        .select_related("evaluation", "forum")
        .order_by("evaluation__closes_on", "evaluation_id", "forum__name", "pk")[:INVITATIONS_MAX]
    )


def has_answered(actor: Actor, evaluation_pk: int, forum_pk: int) -> bool:
    """Whether the actor's own invitation for the forum is answered (a second submit shows the
    receipt instead of "not found")."""
    if actor.user_id is None:
        return False
    return EvaluationInvitation.objects.filter(
        user_id=actor.user_id,
        evaluation_id=evaluation_pk,
        forum_id=forum_pk,
        answered_on__isnull=False,
    ).exists()


@dataclass(frozen=True)
class EvaluationRow:
    evaluation: Evaluation
    invited: str = ""
    answered: str = ""


def evaluations_page(actor: Actor, page: str | int | None) -> tuple[Page[Any], list[EvaluationRow]]:
    """A page of the municipality's evaluations, newest first; for those who manage them with
    the numbers invited and answered (counts of persons: one `suppress` over the page)."""
    evaluations = report_access.visible_evaluations(actor).order_by("-created_at", "-pk")
    with_rates = report_access.can_manage_evaluations(actor)
    if with_rates:
        evaluations = evaluations.annotate(
            n_invited=Count("invitations"),
            n_answered=Count("invitations", filter=Q(invitations__answered_on__isnull=False)),
        )
    paged = Paginator(evaluations, PAGE_SIZE).get_page(page)
    items: list[Evaluation] = list(paged.object_list)
    if not with_rates or not items:
        return paged, [EvaluationRow(evaluation) for evaluation in items]
    table = Table(
        key="evaluation_rates",
        title=_("Svarprocent"),
        row_labels=[str(evaluation.pk) for evaluation in items],
        column_labels=[_("Inviteret"), _("Svaret")],
        cells=[[getattr(e, "n_invited", 0), getattr(e, "n_answered", 0)] for e in items],
        total_row=False,
    )
    (published,) = suppression.suppress([table])
    return paged, [
        EvaluationRow(evaluation, invited=cells[0], answered=cells[1])
        for evaluation, cells in zip(items, published.cells, strict=True)
    ]


def evaluation_detail(actor: Actor, pk: int) -> Evaluation:
    """An evaluation the actor may see, with its municipality (404 as `get_evaluation_for`)."""
    return access.get_or_404(
        report_access.visible_evaluations(actor).select_related("municipality"), pk=pk
    )


def chosen_fora(evaluation: Evaluation) -> list[Forum]:
    return list(evaluation.fora.order_by("name", "pk")[:FORA_MAX])


@dataclass(frozen=True)
class Comment:
    text: str
    forum: str  # empty when the forum had fewer than `COMMENT_FORUM_MIN` answers


@dataclass
class Summary:
    """What a summary page and the API publish: the tables (suppressed as one publication)
    and, for staff, the comments."""

    tables: list[SuppressedTable]
    fora: list[Forum]
    responses: str  # the number of answers as published ("<5", "x" or a number)
    comments: list[Comment] = field(default_factory=list)
    comments_more: bool = False


def _answer_counts(
    responses: QuerySet[EvaluationResponse], group: str
) -> dict[Any, dict[str, dict[str, int]]]:
    """{group value: {question: {answer: count}}}: one aggregate query."""
    aggregates = {
        f"{key}__{answer.value}": Count("pk", filter=Q(**{key: answer.value}))
        for key in QUESTION_KEYS
        for answer in ANSWERS
    }
    counts: dict[Any, dict[str, dict[str, int]]] = {}
    for row in responses.order_by().values(group).annotate(**aggregates):
        counts[row[group]] = {
            key: {answer.value: int(row[f"{key}__{answer.value}"]) for answer in ANSWERS}
            for key in QUESTION_KEYS
        }
    return counts


def _summary_tables(
    evaluation: Evaluation, fora: list[Forum]
) -> tuple[list[Table], dict[int, tuple[int, int]]]:
    counts = _answer_counts(EvaluationResponse.objects.filter(evaluation=evaluation), "forum_id")
    rates = {
        row["forum_id"]: (int(row["invited"]), int(row["answered"]))
        for row in EvaluationInvitation.objects.filter(evaluation=evaluation)
        .order_by()
        .values("forum_id")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_on__isnull=False)))
    }
    empty = {answer.value: 0 for answer in ANSWERS}
    forum_labels = [forum.name for forum in fora]
    answer_labels = [str(answer.label) for answer in ANSWERS]
    tables = [
        Table(
            key=f"question_{key}",
            title=str(question),
            row_labels=forum_labels,
            column_labels=answer_labels,
            cells=[
                [counts.get(forum.pk, {}).get(key, empty)[answer.value] for answer in ANSWERS]
                for forum in fora
            ],
            total_row=True,
            total_column=True,
            note=_("Antal svar pr. forum; «I alt» er alle fora tilsammen."),
        )
        for key, question in EVALUATION_QUESTIONS
    ]
    tables.append(
        Table(
            key="response_rate",
            title=_("Svarprocent: inviterede og svar pr. forum"),
            row_labels=forum_labels,
            column_labels=[_("Inviteret"), _("Svaret")],
            cells=[list(rates.get(forum.pk, (0, 0))) for forum in fora],
            total_row=True,
            note=_(
                "Inviteret er forummets medlemmer med login, da evalueringen blev sendt ud. "
                "Et medlem af flere fora svarer for hvert af dem."
            ),
        )
    )
    return tables, {forum.pk: rates.get(forum.pk, (0, 0)) for forum in fora}


def _hide_everywhere(figures: list[tuple[list[str], int]]) -> None:
    """One figure published in several tables (a forum's number of answers is each question
    table's row total and a cell of the rate table): hidden in one, hidden in all, so that no
    table shows what another hides. Hiding more never tells a reader more."""
    if any(cells[index] in (SMALL, HIDDEN) for cells, index in figures):
        for cells, index in figures:
            if cells[index] not in (SMALL, HIDDEN):
                cells[index] = HIDDEN


def _unify(published: list[SuppressedTable], fora_count: int) -> None:
    questions, rate = published[:-1], published[-1]
    for row in range(fora_count):
        _hide_everywhere([(table.row_totals, row) for table in questions] + [(rate.cells[row], 1)])
    grand = [table.grand_total for table in questions]
    holder = [*grand, rate.column_totals[1]] if rate.column_totals else grand
    _hide_everywhere([(holder, index) for index in range(len(holder))])
    for table, value in zip(questions, holder, strict=False):
        table.grand_total = value
    if rate.column_totals:
        rate.column_totals[1] = holder[-1]


def summary(evaluation: Evaluation, *, with_comments: bool) -> Summary:
    """Per question, the answers per forum and for all fora; the response rate per forum; all
    suppressed in one publication. Comments for staff only (`with_comments`), sorted by their
    text (never in the order they came: that order could be matched to who answered when),
    with the forum only when it had at least `COMMENT_FORUM_MIN` answers."""
    fora = chosen_fora(evaluation)
    tables, rates = _summary_tables(evaluation, fora)
    published = suppression.suppress(tables)
    _unify(published, len(fora))
    rate = published[-1]
    result = Summary(
        tables=published,
        fora=fora,
        responses=rate.column_totals[1] if rate.column_totals else "0",
    )
    if with_comments:
        names = {forum.pk: forum.name for forum in fora}
        rows = list(
            EvaluationResponse.objects.filter(evaluation=evaluation)
            .exclude(comment="")
            .order_by("comment", "pk")
            .values_list("comment", "forum_id")[: COMMENTS_MAX + 1]
        )
        result.comments = [
            Comment(
                text=text,
                forum=names.get(forum_id, "")
                if rates.get(forum_id, (0, 0))[1] >= COMMENT_FORUM_MIN
                else "",
            )
            for text, forum_id in rows[:COMMENTS_MAX]
        ]
        result.comments_more = len(rows) > COMMENTS_MAX
    return result


def is_answering_open(evaluation: Evaluation) -> bool:
    """Sent out, not closed, and the deadline has not passed (an open one past its deadline
    counts as closed for answering)."""
    return (
        evaluation.status == EvaluationStatus.OPEN and evaluation.closes_on >= timezone.localdate()
    )


# --- The annual report ----------------------------------------------------------------------


def report_tables(municipality_id: int, year: int) -> list[Table]:
    """The evaluations of the municipality closed in `year` (local time), one table each:
    answers by question, all fora together (key `evaluation_<pk>`). Two queries."""
    start, end = year_bounds(year)
    evaluations = list(
        Evaluation.objects.filter(
            municipality_id=municipality_id,
            status=EvaluationStatus.CLOSED,
            closed_at__gte=start,
            closed_at__lt=end,
        ).order_by("closed_at", "pk")[:REPORT_EVALUATIONS_MAX]
    )
    if not evaluations:
        return []
    counts = _answer_counts(
        EvaluationResponse.objects.filter(evaluation__in=evaluations), "evaluation_id"
    )
    empty = {answer.value: 0 for answer in ANSWERS}
    return [
        Table(
            key=f"evaluation_{evaluation.pk}",
            title=_("Evaluering af forummernes opgaver: %(title)s") % {"title": evaluation.title},
            row_labels=[str(answer.label) for answer in ANSWERS],
            column_labels=[str(question) for _key, question in EVALUATION_QUESTIONS],
            cells=[
                [
                    counts.get(evaluation.pk, {}).get(key, empty)[answer.value]
                    for key in QUESTION_KEYS
                ]
                for answer in ANSWERS
            ],
            total_row=True,
            note=_(
                "Anonyme svar fra medlemmerne af de valgte fora; afsluttet %(day)s. "
                "«I alt» er antallet af svar."
            )
            % {"day": timezone.localtime(evaluation.closed_at).strftime("%d.%m.%Y")}
            if evaluation.closed_at
            else "",
        )
        for evaluation in evaluations
    ]


def forum_ids(fora: Iterable[Forum]) -> list[int]:
    return [forum.pk for forum in fora]
