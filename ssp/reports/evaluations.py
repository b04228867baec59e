"""The biennial evaluation (Høje-Taastrup: "hvert andet år en lille evaluering af deltagernes
opgaver"): SSP staff make a short questionnaire (`EVALUATION_QUESTIONS`), choose the fora whose
members answer it, send it out and close it; each invited member answers once for each forum
she was invited for. Nothing is published while it is open, nor with fewer than 5 answers; a
closed one publishes one answer table (all fora together) and the answers per forum, counts
only, suppressed.

Anonymity by design: an `EvaluationInvitation` says whether a person answered (the day only,
for the response rate), an `EvaluationResponse` what was answered, with no user, no time and a
random key. Nothing links the two, and nothing here writes an audit event per answer (see
`answer_evaluation`); the database's own traces are blurred (`answer_evaluation`,
`_rewrite_responses`).

Services (`@transaction.atomic`, keyword-only, re-checking their rule, Danish `DomainError`s)
and the selectors of the pages, the API and the annual report live together here: the module is
small and every figure that leaves it comes from `publication` (one `suppress` call per
evaluation), on the page, the list, the API and in the annual report alike.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
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
from ssp.police.tasks import send_email
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
# Nothing of an evaluation is published with fewer answers than this (with fewer, a member
# could tell how the others answered).
MIN_RESPONSES = 5
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
    try:
        # A savepoint: of two concurrent posts of one form, one INSERT wins on the token's
        # unique column; the other waits for it, fails here and returns the winner's draft.
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                municipality_id=municipality_id,
                title=checked.title,
                introduction=checked.introduction,
                closes_on=checked.closes_on,
                created_by=actor_user,
                form_token=token,
            )
    except IntegrityError:
        if token is None:
            raise
        made = Evaluation.objects.filter(form_token=token).first()
        if made is None or made.municipality_id != municipality_id:
            raise DomainError(_("Formularen er allerede brugt. Hent siden igen.")) from None
        return made
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

    # Queued through the task worker after the commit (as the deadline reminders are): a
    # request never waits for hundreds of SMTP round trips, and a mail server that is down
    # fails the tasks, not the send.
    for address, body in mails:
        transaction.on_commit(partial(send_email.enqueue, [address], subject, body))
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
    responses = _rewrite_responses(evaluation)
    record_event(
        actor=actor_user,
        action=AuditAction.EVALUATION_CLOSED,
        obj=evaluation,
        municipality_id=evaluation.municipality_id,
        data={"responses": responses},
    )
    return True


def _rewrite_responses(evaluation: Evaluation) -> int:
    """Write the closed evaluation's responses anew, in random order with new random keys, in
    the close's transaction. Why: the database keeps traces of when a row was written (on
    PostgreSQL the row's transaction id `xmin` and its place in the table `ctid`; on any
    database the physical order), and the invitations record who answered on which day. A
    row rewritten at close carries the close's transaction and a random place, so nothing in
    the stored answers follows the order in which people answered. (While the evaluation is
    open, `answer_evaluation` gives every response the latest answer's transaction id.)"""
    rows = list(
        EvaluationResponse.objects.filter(evaluation=evaluation).values(
            "forum_id", "comment", *QUESTION_KEYS
        )
    )
    EvaluationResponse.objects.filter(evaluation=evaluation).delete()
    random.SystemRandom().shuffle(rows)
    EvaluationResponse.objects.bulk_create(
        [EvaluationResponse(id=uuid.uuid4(), evaluation=evaluation, **row) for row in rows]
    )
    return len(rows)


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
    # Lock the open evaluation first: a close waits for this answer to commit (and then
    # rewrites it with the rest), and an answer that waited for a close finds no open row, so
    # no answer commits after the close.
    locked = list(
        Evaluation.objects.select_for_update()
        .filter(pk=invitation.evaluation_id, status=EvaluationStatus.OPEN, closes_on__gte=today)
        .values_list("pk", flat=True)
    )
    marked = 0
    if locked:
        marked = EvaluationInvitation.objects.filter(
            pk=invitation.pk, answered_on__isnull=True
        ).update(answered_on=today)
    if marked != 1:
        answered = EvaluationInvitation.objects.filter(
            pk=invitation.pk, answered_on__isnull=False
        ).exists()
        if answered:
            raise AlreadyAnswered(_("Du har allerede svaret for dette forum."))
        raise DomainError(_("Evalueringen er afsluttet. Der kan ikke længere svares."))
    response = EvaluationResponse.objects.create(
        evaluation_id=invitation.evaluation_id,
        forum_id=invitation.forum_id,
        comment=comment,
        **values,
    )
    # Touch every response of the evaluation in this transaction: on PostgreSQL all of them
    # then carry this transaction's id (`xmin`), so the ids no longer tell which response was
    # written when (the invitations' days tell who answered when). `close_evaluation`
    # rewrites them in random order at the end.
    EvaluationResponse.objects.filter(evaluation_id=invitation.evaluation_id).update(
        forum_id=F("forum_id")
    )
    return response


# --- Reading ------------------------------------------------------------------------------


def invitations_of(actor: Actor) -> list[EvaluationInvitation]:
    """The actor's open invitations (the start page's and the list's box): one query, at most
    `INVITATIONS_MAX`, the nearest deadline first."""
    return list(
        report_access.open_invitations(actor)
        .select_related("evaluation", "forum")
        # What the box shows: the link, the evaluation's title and deadline, the forum's name.
        .only("evaluation__title", "evaluation__closes_on", "forum__name")
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
class Responses:
    """What an evaluation's publication is built from (two aggregate queries for a whole page
    of evaluations): per question the number of each answer, and the answers per forum."""

    answers: dict[str, dict[str, int]]
    per_forum: dict[int, int]

    @property
    def total(self) -> int:
        first = self.answers.get(QUESTION_KEYS[0], {})
        return sum(first.values())


def _empty_answers() -> dict[str, dict[str, int]]:
    return {key: {answer.value: 0 for answer in ANSWERS} for key in QUESTION_KEYS}


def responses_of(evaluation_ids: list[int]) -> dict[int, Responses]:
    """{evaluation id: Responses} for the evaluations (two aggregate queries)."""
    if not evaluation_ids:
        return {}
    aggregates = {
        f"{key}__{answer.value}": Count("pk", filter=Q(**{key: answer.value}))
        for key in QUESTION_KEYS
        for answer in ANSWERS
    }
    found: dict[int, Responses] = {
        pk: Responses(answers=_empty_answers(), per_forum={}) for pk in evaluation_ids
    }
    responses = EvaluationResponse.objects.filter(evaluation_id__in=evaluation_ids).order_by()
    counted: Any = responses.values("evaluation_id").annotate(**aggregates)
    for row in counted:
        answers = found[row["evaluation_id"]].answers
        for key in QUESTION_KEYS:
            for answer in ANSWERS:
                answers[key][answer.value] = int(row[f"{key}__{answer.value}"])
    for forum_row in responses.values("evaluation_id", "forum_id").annotate(n=Count("pk")):
        found[forum_row["evaluation_id"]].per_forum[forum_row["forum_id"]] = int(forum_row["n"])
    return found


def answer_table(evaluation: Evaluation, responses: Responses) -> Table:
    """THE answer table of a closed evaluation, on its page, in the API and in the annual
    report (the same function with the same input, so the same published cells): the answer
    options by question, all fora together. Each column's total is the number of answers N
    (everyone answers every question). No table per forum: a forum's distribution could be
    worked out against this one."""
    closed = (
        timezone.localtime(evaluation.closed_at).strftime("%d.%m.%Y")
        if evaluation.closed_at
        else ""
    )
    return Table(
        key=f"evaluation_{evaluation.pk}",
        title=_("Evaluering af forummernes opgaver: %(title)s") % {"title": evaluation.title},
        row_labels=[str(answer.label) for answer in ANSWERS],
        column_labels=[str(question) for _key, question in EVALUATION_QUESTIONS],
        cells=[
            [responses.answers[key][answer.value] for key in QUESTION_KEYS] for answer in ANSWERS
        ],
        total_row=True,
        total_column=False,
        note=_(
            "Anonyme svar fra medlemmerne af de valgte fora; afsluttet %(day)s. "
            "«I alt» er antallet af svar."
        )
        % {"day": closed},
    )


def response_table(evaluation: Evaluation, responses: Responses, fora: list[Forum]) -> Table:
    """The number of answers per forum (one column), «I alt» = N."""
    return Table(
        key=f"evaluation_{evaluation.pk}_responses",
        title=_("Svar pr. forum"),
        row_labels=[forum.name for forum in fora],
        column_labels=[_("Svar")],
        cells=[[responses.per_forum.get(forum.pk, 0)] for forum in fora],
        total_row=True,
        note=_("Et medlem af flere fora svarer for hvert af dem."),
    )


def publication(
    evaluation: Evaluation, responses: Responses, fora: list[Forum]
) -> list[SuppressedTable] | None:
    """What is published of an evaluation: None until it is closed (no running results: a
    count that moves while people answer tells who answered what) and when it has fewer than
    `MIN_RESPONSES` answers; else the answer table and the table of answers per forum,
    suppressed together in ONE `suppress` call.

    N is published (the answer table's column totals). Should suppression have to hide a column
    total (it never does below 16 answers), the answer table could be worked out against the
    other columns: nothing is published then. Should it have to hide the per-forum table's
    total (many fora with 1-4 answers each), that table alone is left out: with N known, its
    small cells could be pinned. Both checks only withhold, they never change a figure."""
    if evaluation.status != EvaluationStatus.CLOSED:
        return None
    n = responses.total
    if n < MIN_RESPONSES:
        return None
    answers, per_forum = suppression.suppress(
        [answer_table(evaluation, responses), response_table(evaluation, responses, fora)]
    )
    if any(total != suppression.format_count(n) for total in answers.column_totals):
        return None
    if per_forum.column_totals != [suppression.format_count(n)]:
        return [answers]
    return [answers, per_forum]


@dataclass(frozen=True)
class EvaluationRow:
    evaluation: Evaluation
    invited: int = 0
    answered: int | None = None  # answered so far (open, staff only)
    responses: str = ""  # the published N of a closed evaluation ("" when nothing published)


def _published_n(tables: list[SuppressedTable] | None, total: int) -> str:
    if tables is not None:
        return tables[0].column_totals[0]
    if 0 < total < MIN_RESPONSES:
        return SMALL
    return "0" if total == 0 else HIDDEN


def evaluations_page(actor: Actor, page: str | int | None) -> tuple[Page[Any], list[EvaluationRow]]:
    """A page of the municipality's evaluations, newest first: the number invited; for closed
    ones the number of answers as the evaluation's page publishes it (the same function); for
    open ones, to staff only, the number answered so far (a count, no content). Four queries."""
    evaluations = (
        report_access.visible_evaluations(actor)
        .order_by("-created_at", "-pk")
        .annotate(
            n_invited=Count("invitations"),
            n_answered=Count("invitations", filter=Q(invitations__answered_on__isnull=False)),
        )
        .prefetch_related("fora")
    )
    with_progress = report_access.can_manage_evaluations(actor)
    paged = Paginator(evaluations, PAGE_SIZE).get_page(page)
    items: list[Evaluation] = list(paged.object_list)
    closed = [e.pk for e in items if e.status == EvaluationStatus.CLOSED]
    found = responses_of(closed)
    rows = []
    for evaluation in items:
        row = EvaluationRow(evaluation, invited=getattr(evaluation, "n_invited", 0))
        if evaluation.pk in found:
            fora = _ordered(evaluation.fora.all())
            tables = publication(evaluation, found[evaluation.pk], fora)
            row = EvaluationRow(
                evaluation,
                invited=row.invited,
                responses=_published_n(tables, found[evaluation.pk].total),
            )
        elif with_progress and evaluation.status == EvaluationStatus.OPEN:
            row = EvaluationRow(
                evaluation, invited=row.invited, answered=getattr(evaluation, "n_answered", 0)
            )
        rows.append(row)
    return paged, rows


def evaluation_detail(actor: Actor, pk: int) -> Evaluation:
    """An evaluation the actor may see, with its municipality (404 as `get_evaluation_for`)."""
    return access.get_or_404(
        report_access.visible_evaluations(actor).select_related("municipality"), pk=pk
    )


def _ordered(fora: Iterable[Forum]) -> list[Forum]:
    """The chosen fora in one order everywhere (sorted here, not by the database's collation,
    so that the page, the list and the annual report build the very same tables)."""
    return sorted(fora, key=lambda forum: (forum.name, forum.pk))[:FORA_MAX]


def chosen_fora(evaluation: Evaluation) -> list[Forum]:
    return _ordered(evaluation.fora.all())


@dataclass
class Summary:
    """What a summary page and the API publish. `published`: whether the figures are shown
    (closed, N >= 5); `tables` then holds the answer table (and the answers per forum).
    `invited` always; `answered` (so far, a count) for staff while open; comments for staff,
    only when published."""

    tables: list[SuppressedTable]
    fora: list[Forum]
    published: bool
    closed: bool
    invited: int
    answered: int | None = None
    responses: str = ""  # N as published ("" while open, "<5"/"0" below 5)
    comments: list[str] = field(default_factory=list)
    comments_more: bool = False


def summary(evaluation: Evaluation, *, staff: bool) -> Summary:
    """An evaluation's page (and API): nothing while it is open (staff see how many answered so
    far), nothing with fewer than `MIN_RESPONSES` answers, else `publication`. Comments for
    staff only (`staff`), when published, without forum, sorted by their text (never in the
    order they came: that order could be matched to who answered when)."""
    fora = chosen_fora(evaluation)
    counts = EvaluationInvitation.objects.filter(evaluation=evaluation).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_on__isnull=False))
    )
    closed = evaluation.status == EvaluationStatus.CLOSED
    result = Summary(
        tables=[],
        fora=fora,
        published=False,
        closed=closed,
        invited=int(counts["invited"] or 0),
    )
    if not closed:
        if staff and evaluation.status == EvaluationStatus.OPEN:
            result.answered = int(counts["answered"] or 0)
        return result
    responses = responses_of([evaluation.pk])[evaluation.pk]
    tables = publication(evaluation, responses, fora)
    result.responses = _published_n(tables, responses.total)
    if tables is None:
        return result
    result.tables = tables
    result.published = True
    if staff:
        texts = list(
            EvaluationResponse.objects.filter(evaluation=evaluation)
            .exclude(comment="")
            .order_by("comment")
            .values_list("comment", flat=True)[: COMMENTS_MAX + 1]
        )
        result.comments = texts[:COMMENTS_MAX]
        result.comments_more = len(texts) > COMMENTS_MAX
    return result


def is_answering_open(evaluation: Evaluation) -> bool:
    """Sent out, not closed, and the deadline has not passed (an open one past its deadline
    counts as closed for answering)."""
    return (
        evaluation.status == EvaluationStatus.OPEN and evaluation.closes_on >= timezone.localdate()
    )


# --- The annual report ----------------------------------------------------------------------


def report_tables(municipality_id: int, year: int) -> list[Table]:
    """The evaluations of the municipality closed in `year` (local time) whose figures are
    published: each one's `answer_table`, exactly as on its page (`publication` decides, with
    the same input; the answers of a closed evaluation do not change). Four queries."""
    start, end = year_bounds(year)
    evaluations = list(
        Evaluation.objects.filter(
            municipality_id=municipality_id,
            status=EvaluationStatus.CLOSED,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .prefetch_related("fora")
        .order_by("closed_at", "pk")[:REPORT_EVALUATIONS_MAX]
    )
    found = responses_of([evaluation.pk for evaluation in evaluations])
    tables = []
    for evaluation in evaluations:
        fora = _ordered(evaluation.fora.all())
        if publication(evaluation, found[evaluation.pk], fora) is not None:
            tables.append(answer_table(evaluation, found[evaluation.pk]))
    return tables


def forum_ids(fora: Iterable[Forum]) -> list[int]:
    return [forum.pk for forum in fora]
