"""The evaluation endpoints under /api/v1/reports/evaluations/: the municipality's evaluations
and the summary of one, as the pages show them (staff: all; employees and politicians: those
sent out). Counts only, published once the evaluation is closed and has at least 5 answers,
suppressed ("<5" for 1-4, "x" where a small number could be worked out); no names, no comments
and no running counts."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import P, PathEx, Router, Schema

from ssp import access
from ssp.api_errors import ERRORS
from ssp.http import actor_of
from ssp.reports import access as report_access
from ssp.reports import evaluations
from ssp.reports.api import TableOut, _table_out
from ssp.reports.models import EVALUATION_QUESTIONS, Evaluation

router = Router(tags=["reports"])

# The list answers at most this many evaluations, newest first.
LIST_MAX = 50
EvaluationId = PathEx[int, P(ge=1, le=2**63 - 1)]


class EvaluationOut(Schema):
    id: int
    title: str
    status: str  # "draft", "open" (sent out) or "closed"
    closes_on: date
    sent_at: datetime | None
    closed_at: datetime | None


class EvaluationSummaryOut(EvaluationOut):
    introduction: str
    questions: list[str]
    fora: list[str]
    invited: int
    # Whether the figures are published: only once the evaluation is closed, and only with at
    # least 5 answers. Until then `tables` is empty and `responses` "".
    published: bool
    responses: str  # the number of answers as published ("<5" below 5, "" while open)
    tables: list[TableOut]


def _out(evaluation: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        id=evaluation.pk,
        title=evaluation.title,
        status=evaluation.status,
        closes_on=evaluation.closes_on,
        sent_at=evaluation.sent_at,
        closed_at=evaluation.closed_at,
    )


@router.get("", response={200: list[EvaluationOut], **ERRORS})
def list_evaluations(request: HttpRequest) -> list[EvaluationOut]:
    """The municipality's evaluations, newest first (at most 50)."""
    actor = access.enforce(report_access.can_see_reports, actor_of(request))
    rows = report_access.visible_evaluations(actor).order_by("-created_at", "-pk")[:LIST_MAX]
    return [_out(evaluation) for evaluation in rows]


@router.get("/{evaluation_id}", response={200: EvaluationSummaryOut, **ERRORS})
def get_evaluation(request: HttpRequest, evaluation_id: EvaluationId) -> EvaluationSummaryOut:
    """One evaluation's summary: once it is closed and has at least 5 answers, the answer table
    (the answer options by question, all fora together) and the answers per forum, suppressed
    as one publication; nothing before (404 when the actor may not see it)."""
    actor = access.enforce(report_access.can_see_reports, actor_of(request))
    evaluation = report_access.get_evaluation_for(actor, evaluation_id)
    result = evaluations.summary(evaluation, staff=False)
    return EvaluationSummaryOut(
        **_out(evaluation).dict(),
        introduction=evaluation.introduction,
        questions=[str(question) for _key, question in EVALUATION_QUESTIONS],
        fora=[forum.name for forum in result.fora],
        invited=result.invited,
        published=result.published,
        responses=result.responses,
        tables=[_table_out(table) for table in result.tables],
    )
